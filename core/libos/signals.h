// SPDX-License-Identifier: MIT
// Signals: the handlers and mask the program set, pending signals, the alternate signal
// stack, and turning guest exceptions into the signals Linux would deliver.
#pragma once

#include "kernel.h"

namespace libos {

// The kernel's struct sigaction on x86-64.
struct KernelSigaction {
    uint64_t handler, flags, restorer, mask;
};

// The kernel's stack_t (sigaltstack, and uc_stack in a signal frame).
struct SignalStack {
    uint64_t sp;
    uint32_t flags; // SS_ONSTACK, SS_DISABLE, SS_AUTODISARM
    uint64_t size;
};

// What a handler's siginfo says.
struct SignalInfo {
    int32_t signo, code;
    uint64_t address; // faults
    int32_t pid;      // signals sent by a process, and SIGCHLD's child
    uint32_t uid;
    int32_t status;          // SIGCHLD: the exit status or signal
    int64_t utime, stime;    // SIGCHLD: the child's CPU time, ns
    int32_t timer_id;        // SI_TIMER: the POSIX timer (si_timerid)
    int32_t overrun;         // SI_TIMER: its expirations missed (si_overrun)
    uint64_t value;          // SI_TIMER: the sigevent's value; SI_QUEUE and the other
                             // negative codes a program sends: its si_value
    int32_t error;           // si_errno: 0 but as a program's own siginfo gives it
};

// A real-time signal pending again: Linux queues every instance of one (sigqueue), the
// first in a pending set's infos, the later ones here in the order they came.
struct QueuedSignal {
    SignalInfo info;
    QueuedSignal *next;
};

inline constexpr int32_t kSiUser = 0, kSiKernel = 128, kSiTkill = -6; // si_code values
inline constexpr int32_t kSiTimer = -2;
inline constexpr int32_t kSiMesgq = -3; // a message queue's notification: pid, uid, value

// The report of an event on descriptor `fd` that SIGIO or F_SETSIG's signal brings
// (send_sigio): si_code POLL_IN .. POLL_HUP, si_band and si_fd, kept in `address` and
// `status`, which no such signal uses otherwise.
inline SignalInfo poll_signal(int32_t sig, int32_t reason, uint64_t band, int32_t fd) {
    SignalInfo info{};
    info.signo = sig;
    info.code = reason;
    info.address = band;
    info.status = fd;
    return info;
}

// Which form of siginfo's union a signal and code use (the kernel's siginfo_layout).
enum class SiginfoLayout { kill, rt, timer, poll, fault, child, sys };

// The signals whose positive codes are their own, up to a limit (the kernel's sig_sicodes).
struct OwnCodes {
    int32_t signo, limit;
    SiginfoLayout layout;
};
inline constexpr OwnCodes kOwnCodes[] = {
    {4, 11, SiginfoLayout::fault},  {5, 6, SiginfoLayout::fault},  {7, 5, SiginfoLayout::fault},
    {8, 15, SiginfoLayout::fault},  {11, 10, SiginfoLayout::fault}, {17, 6, SiginfoLayout::child},
    {29, 6, SiginfoLayout::poll},   {31, 2, SiginfoLayout::sys}}; // ILL TRAP BUS FPE SEGV CHLD POLL SYS

inline SiginfoLayout siginfo_layout(int32_t signo, int32_t code) {
    constexpr int32_t kSiKernel = 0x80, kSiTimerCode = -2, kSiSigio = -5, kLastPollCode = 6;
    if (code > 0 && code < kSiKernel) {
        for (const OwnCodes &own : kOwnCodes)
            if (own.signo == signo && code <= own.limit)
                return own.layout;
        return code <= kLastPollCode ? SiginfoLayout::poll : SiginfoLayout::kill;
    }
    if (code == kSiTimerCode)
        return SiginfoLayout::timer;
    if (code == kSiSigio)
        return SiginfoLayout::poll;
    return code < 0 ? SiginfoLayout::rt : SiginfoLayout::kill;
}

// Whether `info` is one: its band and descriptor are what its siginfo carries.
inline bool is_poll_signal(const SignalInfo &info) {
    return siginfo_layout(info.signo, info.code) == SiginfoLayout::poll;
}
inline constexpr int64_t kNanosPerTick = 10000000; // the kernel's USER_HZ of 100

// Whether `info` is a report of a child's change (SIGCHLD's CLD_* codes, 1 to 6), whose
// siginfo carries the child's status and CPU times.
inline bool is_child_signal(const SignalInfo &info) {
    return info.signo == 17 /* SIGCHLD */ && info.code >= 1 && info.code <= 6;
}

// What a blocking call that a signal stopped returns (the kernel's ERESTARTSYS, never seen
// by the program): once the signal is delivered, the call is restarted if its handler has
// SA_RESTART or no handler ran, and fails with EINTR otherwise (signal(7)). Calls Linux
// never restarts (poll, select, nanosleep, pause ...) return -EINTR themselves.
inline constexpr int64_t kRestartSyscall = 512;
// The same restarted after any handler (the kernel's ERESTARTNOINTR): futex PI locks.
inline constexpr int64_t kRestartNoInterrupt = 513;
// The same restarted only if no handler ran, EINTR after any handler, SA_RESTART or not
// (the kernel's ERESTARTNOHAND): io_pgetevents.
inline constexpr int64_t kRestartNoHandler = 514;
// deliver_pending_signals's `syscall` when no system call is ending.
inline constexpr int64_t kNoSyscall = -1;

// Handles an exception other than a system call: a fault inside the LibOS's own user
// copies resumes at its fixup; a fault in the program becomes its signal.
void deliver_exception(bsc_exception &exception);

// Resumes the program at `program` (a vDSO call counts as the program's) once every
// signal ready for the thread is delivered into it. One raised after the last look is
// delivered into `program` as it resumes, wherever in the LibOS or an extension its
// interrupt comes: none waits for the program's next system call.
[[noreturn]] void resume_program(bsc_cpu_context &program);
// Resumes `context`, which an exception (a system call, fault or interrupt) came with:
// the program's as resume_program; the LibOS's own code (interrupted, or at a user
// copy's fixup) as it is.
[[noreturn]] void resume_after_exception(bsc_cpu_context &context);

// After system call number `syscall` (its result in rax) or at an interrupt (kNoSyscall):
// runs the handler of the first pending signal that is not blocked (by changing
// `context`), or takes its default action; settles a call that returned kRestartSyscall.
void deliver_pending_signals(bsc_cpu_context &context, int64_t syscall);

// Makes `sig` pending for the process with si_code `code`, to be run by a thread that does
// not block it (interrupted at once if it is not the caller); -EINVAL for a bad number. An
// ignored signal is dropped, as Linux drops it, unless it is blocked.
int64_t raise_signal(uint64_t sig, int32_t code);
// The same for the program's thread `tid` alone (tkill, tgkill); -ESRCH if there is none.
int64_t raise_thread_signal(int64_t tid, uint64_t sig, int32_t code);
// The same with the sender `info` names.
int64_t raise_thread_signal_info(int64_t tid, const SignalInfo &info);
// Makes the signal `info` describes pending for the process, as raise_signal, with the
// sender `info` names (another process of the guest, or a child that changed).
// 0, or -EAGAIN: a real-time signal a program queued (a negative code) past
// RLIMIT_SIGPENDING.
int64_t raise_signal_info(const SignalInfo &info);
// What kill and tkill send: `sig` from the calling process with `code`.
SignalInfo sent_signal(uint64_t sig, int32_t code);
// A siginfo the program gives (rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal), read
// as copy_siginfo_from_user reads it: -EFAULT, or -E2BIG for a code of no known form whose
// bytes past the kernel's own siginfo are not all zero.
int64_t program_signal_info(uint64_t address, SignalInfo &info);

// The siginfo of signal `sig` made pending without a queue entry of its own (past
// RLIMIT_SIGPENDING, or a full mailbox): SI_USER with no sender, as collect_signal gives.
SignalInfo lost_signal(int32_t sig);

// What became of a POSIX timer's signal (queue_timer_signal).
enum class Queued { yes, dropped, busy };
// Makes a POSIX timer's signal `info` pending for the process, or for its thread `tid`
// (SIGEV_THREAD_ID) if not 0: yes; dropped if it is ignored or the thread is gone; busy if
// the signal is pending there already. Linux queues a timer's signal beside another of the
// same number; the LibOS keeps one of each, so the timer tries again later.
Queued queue_timer_signal(const SignalInfo &info, int64_t tid);

// sys/posix_timers.cpp, called with no LibOS lock held: a timer's signal (kSiTimer) was
// just taken from the pending set. Re-arms a periodic timer and writes its overrun into
// `info`; false if the signal is to be dropped instead (its timer was deleted or set
// again since), as Linux's posixtimer_deliver_signal.
bool posix_timer_signal_taken(SignalInfo &info);
// sys/posix_timers.cpp, called with no LibOS lock held: the pending instances of `sig`
// were discarded (its action became one that ignores it): a periodic timer whose signal
// that was keeps it parked, a one-shot timer's is lost. When SIG_IGN is replaced by an
// action that does not ignore it, the parked signals are raised again (Linux's
// posixtimer_sig_ignore and posixtimer_sig_unignore).
void posix_timer_signals_discarded(uint64_t sig);
void posix_timer_signals_unignored(uint64_t sig);

// What the program asked of SIGCHLD: no report of a child's stop or continue
// (SA_NOCLDSTOP), and no zombies (SIGCHLD ignored, or SA_NOCLDWAIT).
bool child_stops_reported();
bool children_reaped_at_once();

// After process_fork, in the child: nothing is pending (Linux's child starts with an
// empty pending set).
void clear_pending_signals();
// A thread that has ended: its queued real-time signals go with it.
struct ThreadSignals;
void drop_thread_signals(ThreadSignals &signals);
// execve: every caught signal goes back to its default action (an ignored one stays
// ignored); the alternate stack is gone. The mask and what is pending stay.
void reset_signals_for_exec();

// Wakes every thread waiting for a signal or a change of a child (their signal events).
void wake_signal_waiters();

// Takes the pending signal of `mask` that Linux would take first, blocked or not, from the
// pending set (rt_sigtimedwait, signalfd's read), what other processes sent included: its
// info, or false if none of `mask` is pending. A safe point, as signal_pending.
bool take_pending_signal(uint64_t mask, SignalInfo &info);

// The calling thread's event (auto-reset) that every new pending signal sets, so that a
// wait on pending signals the thread blocks (a signalfd's) can end: it waits on this too.
bsc_handle signal_wakeup();

// Whether a signal is pending and not blocked: a blocking call returns early for it. A
// safe point (no LibOS lock held): what an interrupt brought is collected first.
bool signal_pending();

// A wait that no other signal ends (Linux's killable waits) ends the process here if a
// SIGKILL came (a safe point, as signal_pending).
void end_if_killed();

// For the wait of ppoll, pselect6 and rt_sigsuspend: `mask` replaces the blocked mask
// until the call ends; a handler that interrupts the call returns to the old mask.
void block_for_wait(uint64_t mask);

// A thread's signal state as /proc/PID/status and stat show it: pending for the thread
// and for the process, blocked, ignored and caught (a handler is installed), one bit per
// signal (bit 0 is signal 1).
struct SignalSets {
    uint64_t pending, shared_pending, blocked, ignored, caught;
};
struct Thread;
SignalSets signal_sets(const Thread &thread);

// signal_frame.cpp: the calling thread's alternate signal stack as sigaltstack reports it
// at stack pointer `sp`, and setting it (0 or -errno, as sigaltstack).
SignalStack alternate_stack(uint64_t sp);
int64_t set_alternate_stack(const SignalStack &wanted, uint64_t sp);

// signal_frame.cpp: builds Linux's rt_sigframe for `info` on the program's stack, or on
// the alternate stack for an SA_ONSTACK handler, and points `context` at the handler;
// false if the stack is unusable.
bool push_signal_frame(bsc_cpu_context &context, const SignalInfo &info,
                       const KernelSigaction &action, uint64_t old_mask);
// signal_frame.cpp: writes the kernel's 128-byte siginfo for `info` at `address` (false
// if it is unwritable).
bool put_siginfo(uint64_t address, const SignalInfo &info);
// signal_frame.cpp: for rt_sigreturn, restores `context` (and the alternate stack) from
// the frame at its stack pointer and returns the mask saved there; false if the frame is
// unreadable.
bool pop_signal_frame(bsc_cpu_context &context, uint64_t &mask);

} // namespace libos
