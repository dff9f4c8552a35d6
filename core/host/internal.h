// SPDX-License-Identifier: MIT
// What the host PAL's parts need from one another; not for use outside core/host.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>

#include "bascule.h"
#include "bascule_host.h"

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

// process.cpp: a handle for process `pid` (a child, or any process of the guest tree);
// the `owner`'s close reaps it if it has ended.
bsc_status publish_process(pid_t pid, bool owner, bsc_handle *out);

// fork.cpp: this runtime starts a guest tree (its first process): it adopts the tree's
// orphans, and every process forked from it ends with it.
void become_tree_root();

// What process_fork (fork.cpp) holds so that the child's copy is whole, and what each
// part fixes in the child: memory.cpp's region map, threads.cpp's count of live guest
// threads; the calling thread is the child's only guest thread (threads.cpp), and its
// events are its own (objects.cpp: an eventfd would otherwise be shared with the parent).
std::mutex &memory_map_mutex();
std::mutex &live_threads_mutex();
void threads_after_fork();
void events_after_fork();

// exceptions.cpp: the host signals that become interrupts of a guest thread (the
// interrupt signal, SIGCHLD). Only guest threads take them: every other thread of the
// runtime blocks them (set_async_signals_blocked on the calling thread).
void set_async_signals_blocked(bool blocked);

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
