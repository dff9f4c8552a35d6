// SPDX-License-Identifier: MIT
// Signal system calls (rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// rt_sigreturn, sigaltstack, pause, kill to itself) and the delivery of faults and
// pending signals to handlers.
#include <asm-generic/errno.h>
#include <asm/signal.h>

#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"
#include "vdso.h"

namespace libos {
namespace {

constexpr int kSignals = 64;
constexpr uint64_t kDefault = 0, kIgnore = 1; // SIG_DFL and SIG_IGN as handler values

KernelSigaction actions[kSignals + 1];
uint64_t blocked_mask, pending_mask;
int32_t pending_code[kSignals + 1]; // si_code of each pending signal: SI_USER or SI_TKILL
// The mask a waiting call replaced (block_for_wait), to go back to when the call ends.
uint64_t mask_before_wait;
bool waiting_with_mask;
Spinlock signal_lock;

uint64_t bit(uint64_t sig) { return uint64_t{1} << (sig - 1); }
constexpr uint64_t kUnblockable = (uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1));

int signal_for(const bsc_exception &exception) {
    switch (exception.kind) {
    case BSC_EXCEPTION_BUS: return SIGBUS;
    case BSC_EXCEPTION_ILLEGAL: return SIGILL;
    case BSC_EXCEPTION_ARITHMETIC: return SIGFPE;
    case BSC_EXCEPTION_BREAKPOINT: return SIGTRAP;
    default: return SIGSEGV;
    }
}

// Signals whose default action is to do nothing.
bool ignored_by_default(uint64_t sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

bool ignored(uint64_t sig, const KernelSigaction &action) {
    return action.handler == kIgnore || (action.handler == kDefault && ignored_by_default(sig));
}

void terminate(int sig) { abi().process_exit(-sig); }

// A call that returned kRestartSyscall starts again (back on its `syscall` instruction,
// its number in rax) unless a handler without SA_RESTART runs: then it fails with EINTR.
void settle_interrupted_call(bsc_cpu_context &c, int64_t syscall, bool handler_runs,
                             uint64_t flags) {
    if (syscall == kNoSyscall || c.rax != static_cast<uint64_t>(-kRestartSyscall))
        return;
    if (handler_runs && !(flags & SA_RESTART)) {
        c.rax = static_cast<uint64_t>(-int64_t{EINTR});
        return;
    }
    c.rax = static_cast<uint64_t>(syscall);
    c.rip -= 2; // the length of `syscall`
}

// A waiting call's mask is replaced by the one from before it, unless a handler took it.
void end_wait_mask() {
    SpinGuard guard(signal_lock);
    if (waiting_with_mask)
        blocked_mask = mask_before_wait;
    waiting_with_mask = false;
}

void act(bsc_cpu_context &context, uint64_t sig, const SignalInfo &info, int64_t syscall);

// A handler's frame could not be pushed (the kernel's force_sigsegv): SIGSEGV follows, to
// its handler if it has one that is neither blocked nor ignored and the failed delivery
// was not already SIGSEGV's; otherwise SIGSEGV kills, its action reset to the default.
void force_sigsegv(bsc_cpu_context &context, uint64_t failed_sig) {
    bool fatal;
    {
        SpinGuard guard(signal_lock);
        KernelSigaction &segv = actions[SIGSEGV];
        fatal = failed_sig == SIGSEGV || (blocked_mask & bit(SIGSEGV)) || segv.handler <= kIgnore;
        if (fatal)
            segv.handler = kDefault;
    }
    if (fatal)
        terminate(SIGSEGV);
    act(context, SIGSEGV, SignalInfo{SIGSEGV, kSiKernel, 0, 0, 0}, kNoSyscall);
}

// Takes the action for `sig` now: its default, nothing, or its handler (a frame on the
// program's stack; the handler runs when the context is resumed). As in the kernel,
// SA_RESETHAND takes effect as the signal is taken, the handler's mask only once its
// frame is pushed.
void act(bsc_cpu_context &context, uint64_t sig, const SignalInfo &info, int64_t syscall) {
    KernelSigaction action;
    uint64_t old_mask;
    {
        SpinGuard guard(signal_lock);
        action = actions[sig];
        // The handler returns to the mask from before a waiting call (sigsuspend, ppoll).
        old_mask = waiting_with_mask ? mask_before_wait : blocked_mask;
        if (action.handler > kIgnore && (action.flags & SA_RESETHAND))
            actions[sig].handler = kDefault;
    }
    bool handler_runs = action.handler > kIgnore;
    settle_interrupted_call(context, syscall, handler_runs, action.flags);
    if (ignored(sig, action))
        return;
    if (!handler_runs)
        terminate(static_cast<int>(sig));
    if (!push_signal_frame(context, info, action, old_mask))
        return force_sigsegv(context, sig);
    SpinGuard guard(signal_lock);
    waiting_with_mask = false;
    blocked_mask |= action.mask & ~kUnblockable;
    if (!(action.flags & SA_NODEFER))
        blocked_mask |= bit(sig);
}

// Of the signals in `ready` (not none), the one Linux takes first (next_signal): the
// synchronous ones (faults) before the others, the lowest number first.
uint64_t next_signal(uint64_t ready) {
    uint64_t synchronous =
        bit(SIGSEGV) | bit(SIGBUS) | bit(SIGILL) | bit(SIGTRAP) | bit(SIGFPE) | bit(SIGSYS);
    uint64_t first = ready & synchronous ? ready & synchronous : ready;
    return static_cast<uint64_t>(__builtin_ctzll(first)) + 1;
}

// Takes the first pending signal of `mask` (and not blocked, if `unblocked`) from the
// pending set: false if there is none.
bool take_signal(uint64_t mask, bool unblocked, SignalInfo &info) {
    uint64_t sig;
    int32_t code;
    {
        SpinGuard guard(signal_lock);
        uint64_t ready = pending_mask & mask & (unblocked ? ~blocked_mask : ~uint64_t{0});
        if (!ready)
            return false;
        sig = next_signal(ready);
        pending_mask &= ~bit(sig);
        code = pending_code[sig];
    }
    bsc_system_info system{};
    abi().system_info_query(&system);
    info = SignalInfo{static_cast<int32_t>(sig), code, 0, kPid, system.user_id};
    return true;
}

// Sleeps until a signal is pending: its handler runs as the call returns EINTR.
int64_t wait_for_signal() {
    uint32_t ready;
    while (!signal_pending())
        abi().objects_wait_any(nullptr, 0, BSC_WAIT_FOREVER, &ready);
    return -EINTR;
}

} // namespace

void deliver_pending_signals(bsc_cpu_context &context, int64_t syscall) {
    SignalInfo info;
    if (take_signal(~uint64_t{0}, true, info))
        act(context, static_cast<uint64_t>(info.signo), info, syscall);
    else
        settle_interrupted_call(context, syscall, false, 0);
    end_wait_mask();
}

bool take_pending_signal(uint64_t mask, SignalInfo &info) { return take_signal(mask, false, info); }

void deliver_exception(bsc_exception &exception) {
    bsc_cpu_context &c = exception.context;
    if (exception.kind == BSC_EXCEPTION_MEMORY && user_copy_fault(c.rip, c.rax, c.rcx))
        return;
    if (exception.kind == BSC_EXCEPTION_INTERRUPT) {
        // Inside the LibOS (serving a system call), the signal waits for the call's end;
        // a vDSO call has no such end, so it is delivered there as in the program's code.
        uint64_t image = start_info().image_base;
        if (c.rip - image >= start_info().image_size || in_vdso_call(c))
            deliver_pending_signals(c, kNoSyscall);
        return;
    }
    int sig = signal_for(exception);
    if (verbose())
        log("signal %d for a fault at rip %lx, address %lx", sig, c.rip, exception.address);
    bool unhandled;
    {
        SpinGuard guard(signal_lock);
        unhandled = (blocked_mask & bit(sig)) || actions[sig].handler == kIgnore;
    }
    if (unhandled) // a blocked or ignored synchronous fault kills, as on Linux
        terminate(sig);
    int32_t code = exception.kind == BSC_EXCEPTION_MEMORY
                       ? (exception.code == BSC_FAULT_PROTECTION ? 2 /* SEGV_ACCERR */
                                                                 : 1 /* SEGV_MAPERR */)
                   : exception.kind == BSC_EXCEPTION_ARITHMETIC && exception.code == BSC_ARITH_DIVIDE
                       ? 1 /* FPE_INTDIV */
                       : kSiKernel;
    act(c, static_cast<uint64_t>(sig), SignalInfo{sig, code, exception.address, 0, 0},
        kNoSyscall);
}

int64_t raise_signal(uint64_t sig, int32_t code) {
    if (sig > kSignals)
        return -EINVAL;
    if (sig == 0)
        return 0;
    SpinGuard guard(signal_lock);
    if (!(blocked_mask & bit(sig)) && ignored(sig, actions[sig]))
        return 0;
    pending_mask |= bit(sig);
    pending_code[sig] = code;
    return 0;
}

bool signal_pending() {
    SpinGuard guard(signal_lock);
    return pending_mask & ~blocked_mask;
}

void block_for_wait(uint64_t mask) {
    SpinGuard guard(signal_lock);
    mask_before_wait = blocked_mask;
    waiting_with_mask = true;
    blocked_mask = mask & ~kUnblockable;
}

SignalSets signal_sets() {
    SpinGuard guard(signal_lock);
    SignalSets sets{pending_mask, blocked_mask, 0, 0};
    for (uint64_t sig = 1; sig <= kSignals; sig++) {
        if (actions[sig].handler == kIgnore)
            sets.ignored |= bit(sig);
        else if (actions[sig].handler != kDefault)
            sets.caught |= bit(sig);
    }
    return sets;
}

int64_t sys_rt_sigaction(Syscall &call) {
    uint64_t sig = call.arg[0];
    // In the kernel's order: the set's size, then reading the new action, then the signal.
    if (call.arg[3] != 8)
        return -EINVAL;
    KernelSigaction wanted;
    if (call.arg[1] && !get_user(call.arg[1], wanted))
        return -EFAULT;
    if (sig < 1 || sig > kSignals || (call.arg[1] && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    KernelSigaction old;
    {
        SpinGuard guard(signal_lock);
        old = actions[sig];
        if (call.arg[1]) {
            actions[sig] = wanted;
            if (ignored(sig, wanted)) // what is pending is dropped, as on Linux
                pending_mask &= ~bit(sig);
        }
    }
    return !call.arg[2] || put_user(call.arg[2], old) ? 0 : -EFAULT;
}

int64_t sys_rt_sigprocmask(Syscall &call) {
    if (call.arg[3] != 8)
        return -EINVAL;
    uint64_t set = 0;
    if (call.arg[1] && !get_user(call.arg[1], set))
        return -EFAULT;
    uint64_t old;
    {
        SpinGuard guard(signal_lock);
        old = blocked_mask;
        if (call.arg[1]) {
            switch (call.arg[0]) {
            case SIG_BLOCK: blocked_mask |= set; break;
            case SIG_UNBLOCK: blocked_mask &= ~set; break;
            case SIG_SETMASK: blocked_mask = set; break;
            default: return -EINVAL;
            }
            blocked_mask &= ~kUnblockable;
        }
    }
    return !call.arg[2] || put_user(call.arg[2], old) ? 0 : -EFAULT;
}

// The signals that are pending because they are blocked.
int64_t sys_rt_sigpending(Syscall &call) {
    if (call.arg[1] > 8)
        return -EINVAL;
    uint64_t set;
    {
        SpinGuard guard(signal_lock);
        set = pending_mask & blocked_mask;
    }
    return copy_to_user(call.arg[0], &set, call.arg[1]) ? 0 : -EFAULT;
}

int64_t sys_rt_sigsuspend(Syscall &call) {
    uint64_t mask;
    if (call.arg[1] != 8)
        return -EINVAL;
    if (!get_user(call.arg[0], mask))
        return -EFAULT;
    block_for_wait(mask);
    return wait_for_signal();
}

int64_t sys_rt_sigreturn(Syscall &c) {
    uint64_t mask;
    if (!pop_signal_frame(c.context, mask))
        terminate(SIGSEGV);
    {
        SpinGuard guard(signal_lock);
        blocked_mask = mask & ~kUnblockable;
    }
    return static_cast<int64_t>(c.context.rax); // the restored context, untouched
}

int64_t sys_pause(Syscall &) { return wait_for_signal(); }

// The signal argument of kill, tkill and tgkill: an int, a negative one out of range.
uint64_t signal_argument(uint64_t arg) {
    return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(arg)));
}

// The program has one process (pid kPid, its own process group) and one thread, whose
// tid is the pid: clone is not served yet.
int64_t sys_kill(Syscall &c) {
    int32_t pid = static_cast<int32_t>(c.arg[0]);
    // -1 signals every other process the caller may signal: there is none.
    if (pid != kPid && pid != 0 && pid != -kPid)
        return -ESRCH;
    return raise_signal(signal_argument(c.arg[1]), kSiUser);
}

int64_t sys_tkill(Syscall &c) {
    int32_t tid = static_cast<int32_t>(c.arg[0]);
    if (tid <= 0)
        return -EINVAL;
    return tid == kPid ? raise_signal(signal_argument(c.arg[1]), kSiTkill) : -ESRCH;
}

int64_t sys_tgkill(Syscall &c) {
    int32_t tgid = static_cast<int32_t>(c.arg[0]), tid = static_cast<int32_t>(c.arg[1]);
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (tgid != kPid || tid != kPid)
        return -ESRCH;
    return raise_signal(signal_argument(c.arg[2]), kSiTkill);
}

int64_t sys_sigaltstack(Syscall &call) {
    SignalStack wanted;
    if (call.arg[0] && !get_user(call.arg[0], wanted))
        return -EFAULT;
    SignalStack old = alternate_stack(call.context.rsp);
    if (call.arg[0])
        if (int64_t error = set_alternate_stack(wanted, call.context.rsp))
            return error;
    return !call.arg[1] || put_user(call.arg[1], old) ? 0 : -EFAULT;
}

} // namespace libos
