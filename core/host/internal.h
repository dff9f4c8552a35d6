// SPDX-License-Identifier: MIT
// What the host PAL's parts need from one another; not for use outside core/host.
#pragma once

#include <signal.h>
#include <sys/types.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>

#include "bascule.h"
#include "bascule_host.h"
#include "fd.h"

namespace bsc::host {

// memory.cpp: reserves the guest window (PROT_NONE) and starts the region map.
void initialise_memory();

// memory.cpp: whether [addr, addr+size) lies wholly in memory the guest owns (allocated
// or mapped through the ABI). Host code and the runtime's own mappings never qualify.
bool guest_owns(uint64_t addr, uint64_t size);

// sysv_ipc.cpp: the status of a failed System V IPC call (errno `error`): the common
// translation, but for ERANGE (OUT_OF_RANGE) and E2BIG (TOO_LONG), which these calls
// tell apart from EFBIG.
bsc_status ipc_status(int error);

// sysv_ipc.cpp: the size in bytes of System V shared memory segment `id` (IPC_STAT's, so
// the read permission is needed).
bsc_status shared_segment_size(int32_t id, uint64_t &size);

// memory.cpp: this process's /proc/self/pagemap (page table entries, PAGEMAP_SCAN).
PerProcessFd &own_pagemap();

// exceptions.cpp: installs the host signal handlers that turn guest faults into upcalls.
void initialise_signals();

// initialise.cpp: the umask the runtime was started with; the host's own is 0, so that
// stream_open creates with exactly the mode the guest asks for.
uint16_t creator_file_mode_mask();

// process.cpp: a handle for process `pid` (a child, or any process of the guest tree);
// the `owner`'s close reaps it if it has ended.
bsc_status publish_process(pid_t pid, bool owner, bsc_handle *out);

// process.cpp: the host pid of the process behind `handle` if it is a process handle
// (true), else false.
bool pid_of_process(bsc_handle handle, pid_t &pid);

// fork.cpp: this runtime starts a guest tree (its first process): it adopts the tree's
// orphans, and every process forked from it ends with it.
void become_tree_root();

// mounts.cpp: a privileged runtime's own mount namespace, with private propagation, for
// the guest's mounts (stream_mount); an unprivileged one keeps the host's.
void enter_private_mount_namespace();

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

// The host signal the host's kernel sends about a stream (F_SETSIG on its descriptor): a
// lease broken, a watched directory changed. Its siginfo names the descriptor (si_fd),
// the reason (si_code) and the poll bits (si_band); process_notices_take reports it.
inline constexpr int kNoticeSignal = 61;
// notify.cpp: keeps one for process_notices_take; async-signal-safe. True when the guest
// is to be interrupted for it: false while an interrupt for earlier notices is on its way
// (until process_notices_take), so that a flood of them is one interrupt, not one each.
bool notice_arrived(const siginfo_t *info);
// In a forked child: no notice is pending (as no signal is), none on its way.
void notices_after_fork();

// The value (si_value) of a signal the runtime sends (process_signal's SIGCONT, a signal
// passed on to a guest thread): the runtime's, not one from outside the guest.
inline constexpr int kRuntimeSignalTag = 0x42534300;
inline siginfo_t runtime_siginfo(int sig) {
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_QUEUE;
    info.si_pid = ::getpid();
    info.si_uid = ::getuid();
    info.si_value.sival_int = kRuntimeSignalTag;
    return info;
}

// exceptions.cpp: entered from the downcall gate when TCB_WORK is set: traps rdtsc again
// if host code enabled it, and raises a deferred interrupt in the guest as if at the
// downcall's return (then it does not return). Returns `status`.
bsc_status gate_exit_work(bsc_status status);

// exceptions.cpp: lets the calling thread's host code read the time stamp counter until
// the guest runs again (the thread's TCB `tcb`, 0 for a thread of the runtime's own).
void allow_timestamp_in_host(uint64_t tcb);

// exceptions.cpp: before host code enters guest code other than through the downcall
// gate (upcalls, thread_context_restore): traps rdtsc again if host code enabled it.
void prepare_guest_entry();

// exceptions.cpp: ends the process as if killed by `sig` (the shell reports 128+sig):
// terminate_by_signal for the guest's death (no core of the runtime), die_by_signal for
// the runtime's own fault (a core if RLIMIT_CORE allows).
[[noreturn]] void terminate_by_signal(int sig);
[[noreturn]] void die_by_signal(int sig);

// threads.cpp: before host code leaves for the guest without returning (upcalls, context
// restores): under AddressSanitizer, clears the redzones of the frames it abandons on the
// current host stack. Nothing otherwise.
void forget_abandoned_frames();

// threads.cpp: the host object of the calling guest thread.
struct Thread;
Thread *current_thread();

// threads.cpp: the calling guest thread's host signal stack as sigaltstack(2) reports
// it, known without asking the kernel.
stack_t current_signal_stack();

// blocking_syscall.cpp: system call `number` (arguments a1..a5), which may wait, made so
// that an interrupt ends the wait even if it came just before (in guest code, or in host
// code before the call began): then the call is not made and fails with EINTR. Returns
// like syscall(2). On EINTR the caller makes the call once more without waiting, and
// reports BSC_E_INTERRUPTED only if it would have waited: what Linux gives a call that a
// signal finds before it waits.
long blocking_syscall(long number, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                      long a5 = 0);

// blocking_syscall.cpp: blocking_syscall for a call on `fd` that waits until it is ready
// for `events` (poll's): on EINTR, made once more if it would not wait now.
long blocking_fd_syscall(short events, long number, int fd, long a2 = 0, long a3 = 0,
                         long a4 = 0, long a5 = 0);

// blocking_syscall.cpp: an interrupt is raised in the guest, which acts on it where it
// can (at the end of its system call, say), so its next blocking call returns at once:
// it may not have looked yet at what the interrupt brought.
void interrupt_raised_in_guest(uint64_t tcb);

// blocking_syscall.cpp, for the interrupt signal's handler: an interrupt came while the
// thread ran host code: a blocking call about to begin is cancelled.
void interrupt_in_host(ucontext_t *uc);

// guarded_copy.cpp: guest memory is copied with a plain copy whose faults the signal
// handler recovers from (recover_guarded_copy: true if the fault was that copy's).
void use_guarded_copy();
bool recover_guarded_copy(ucontext_t *uc);

// threads.cpp: the interrupt signal thread_interrupt sent the calling thread has arrived
// (its handler runs): the next thread_interrupt sends another.
void interrupt_signal_arrived();

} // namespace bsc::host
