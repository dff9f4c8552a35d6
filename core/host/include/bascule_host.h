// SPDX-License-Identifier: MIT
// The host PAL as the runtime (core/runtime) sees it: its set-up, the bottom table of every
// chain, and the guest's start. Everything else in core/host is private to it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bascule.h"

namespace bsc::host {

// Reserves the guest window, maps the entry page and installs the host's signal handlers.
// Call once, before the first downcall; later calls do nothing.
void initialise();

// The table at the bottom of every chain.
const bsc_downcalls &downcalls();

// Where the ABI entry page is (initialise() maps it), and the downcall table the guest
// calls through it.
uint64_t entry_page_address();
// bsc_start_info.syscall_entry: where a guest's rewritten system call sites enter.
uint64_t syscall_entry_address();
const bsc_downcalls *guest_downcalls();

// Points the guest's downcall gates at the top of the chain, and the host's upcalls
// (exceptions, thread start) at the bottom of it.
void connect_chain(const bsc_downcalls *top, const bsc_upcalls *bottom_upcalls);

// Returns the upcall table the topmost extension calls; its entries run `guest`'s
// upcalls (guest addresses) through the gates.
const bsc_upcalls &guest_entry_upcalls(const bsc_upcalls &guest);

// The command process_create runs before "--" and the guest's argv: the runtime's own
// executable, "run" and this runtime's extension options, so a child gets the same stack.
// Until it is set, process_create returns BSC_E_NOT_SUPPORTED.
void set_process_command(std::vector<std::string> prefix);

// Called by process_exit before the process ends (the runtime flushes the chain there);
// may be null.
using ExitHook = void (*)(int32_t status);
void set_exit_hook(ExitHook hook);

// Called in the child of process_fork, on the thread that forked, before the call returns
// there (the runtime starts the child's own control thread: fork copies no thread), with
// the host's asynchronous signals blocked, so that a thread it starts takes none of the
// guest's; may be null.
using ForkChildHook = void (*)();
void set_fork_child_hook(ForkChildHook hook);

// Called around what the kernel does only in a process of one thread (namespace_enter of
// a time namespace: setns's EUSERS otherwise), on the calling guest thread: `pause` ends
// the runtime's own threads (its control thread), `resume` starts them again. The guest
// has checked that it has no other thread. Either may be null.
using RuntimeThreadsHook = void (*)();
void set_runtime_threads_hooks(RuntimeThreadsHook pause, RuntimeThreadsHook resume);

// Wraps one of the runtime's own descriptors (0, 1 or 2) as a handle, with a URI that says
// what it is: dev:tty, dev:null, file:PATH, pipe:, or unix:.
bsc_handle adopt_stdio(int fd);

// Registers the guest thread the calling thread is about to become: its TCB (guest
// memory) and stack. Returns its handle, or BSC_NO_HANDLE if the TCB is not guest memory.
bsc_handle prepare_guest_thread(uint64_t tcb, uint64_t stack_top);

// Makes the calling thread the guest thread `thread` (from prepare_guest_thread) and runs
// `enter`, which must enter the guest through the chain's upcalls. Returns when the guest
// thread calls thread_exit; BSC_E_FAULT if its TCB cannot be written.
bsc_status run_as_guest_thread(bsc_handle thread, const std::function<void()> &enter);

// Blocks until every guest thread made by thread_create has exited.
void wait_for_guest_threads();

// Calls `notify` (which must be async-signal-safe) whenever the process receives host
// signal `sig`, whatever thread it lands on; the runtime uses it for captures on a signal.
void watch_signal(int sig, void (*notify)());

// What this machine allows, where machines differ (`bascule host` prints it).
// Whether the kernel supports rd/wrfsbase, which the gates then use to switch %fs; else
// they ask arch_prctl, a system call each way.
bool gates_use_fsgsbase();
// Whether rdtsc and rdtscp in guest code trap (PR_SET_TSC), so that the LibOS serves
// them from the clock downcalls; where not, a program reading the time stamp counter
// itself sees the real one, and a replay of it diverges. Probed once, in a child.
bool timestamps_trap();
// Which code segment lets this process run 32-bit (i386) code, which an i386 guest needs
// (issue 17): the kernel's compat segment (GDT selector 0x23), one of its own in the LDT
// (where the kernel's ia32 emulation is off), or none — some hypervisors give user mode
// neither (a far call into either faults). Probed once, in a child.
enum class CompatCode { gdt, ldt, none };
CompatCode compat_code_segment();
const char *compat_code_name(CompatCode segment);

} // namespace bsc::host
