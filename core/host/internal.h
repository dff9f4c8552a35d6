// SPDX-License-Identifier: MIT
// What the host PAL's parts need from one another; not for use outside core/host.
#pragma once

#include <cstdint>

#include "bascule.h"

namespace bsc::host {

// memory.cpp: reserves the guest window (PROT_NONE) and starts the region map.
void initialise_memory();

// memory.cpp: whether [addr, addr+size) lies wholly in memory the guest owns (allocated
// or mapped through the ABI). Host code and the runtime's own mappings never qualify.
bool guest_owns(uint64_t addr, uint64_t size);

// exceptions.cpp: installs the host signal handlers that turn guest faults into upcalls.
void initialise_signals();

// initialise.cpp: the umask the runtime was started with; the host's own is 0, so that
// stream_open creates with exactly the mode the guest asks for.
uint16_t creator_file_mode_mask();

// process.cpp: called by process_exit before the process ends (the runtime flushes the
// chain there); may be null.
using ExitHook = void (*)(int32_t status);
void set_exit_hook(ExitHook hook);

} // namespace bsc::host

namespace bsc::host {

// The host-internal signal that interrupts a guest thread (thread_interrupt). Not
// SA_RESTART: a thread blocked in a host call gets BSC_E_INTERRUPTED.
inline constexpr int kInterruptSignal = 62;

// exceptions.cpp: entered from the downcall gate when TCB_WORK is set: traps rdtsc again
// if host code enabled it, and raises a deferred interrupt in the guest as if at the
// downcall's return (then it does not return). Returns `status`.
bsc_status gate_exit_work(bsc_status status);

// exceptions.cpp: before host code enters guest code other than through the downcall
// gate (upcalls, thread_context_restore): traps rdtsc again if host code enabled it.
void prepare_guest_entry();

// exceptions.cpp: ends the process as if killed by `sig` (the shell reports 128+sig).
[[noreturn]] void terminate_by_signal(int sig);

// threads.cpp: before host code leaves for the guest without returning (upcalls, context
// restores): under AddressSanitizer, clears the redzones of the frames it abandons on the
// current host stack. Nothing otherwise.
void forget_abandoned_frames();

// threads.cpp: the host object of the calling guest thread.
struct Thread;
Thread *current_thread();

// threads.cpp: the interrupt signal thread_interrupt sent the calling thread has arrived
// (its handler runs): the next thread_interrupt sends another.
void interrupt_signal_arrived();

} // namespace bsc::host
