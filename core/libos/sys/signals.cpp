// SPDX-License-Identifier: MIT
// Signal system calls (rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, kill to
// itself) and the delivery of faults and pending signals to handlers.
#include <asm-generic/errno.h>
#include <asm/signal.h>

#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int kSignals = 64;
constexpr int64_t kPid = 2; // see sys/process.cpp

KernelSigaction actions[kSignals + 1];
uint64_t blocked_mask, pending_mask;
int32_t pending_code[kSignals + 1]; // si_code of each pending signal: SI_USER or SI_TKILL
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

// Takes the action for `sig` now: its default, nothing, or its handler (a frame on the
// program's stack; the handler runs when the context is resumed).
void act(bsc_cpu_context &context, uint64_t sig, const SignalInfo &info) {
    KernelSigaction action;
    uint64_t old_mask;
    {
        SpinGuard guard(signal_lock);
        action = actions[sig];
        old_mask = blocked_mask;
        if (action.handler > 1) {
            blocked_mask |= action.mask & ~kUnblockable;
            if (!(action.flags & SA_NODEFER))
                blocked_mask |= bit(sig);
            if (action.flags & SA_RESETHAND)
                actions[sig].handler = 0;
        }
    }
    if (action.handler == 1 || (action.handler == 0 && ignored_by_default(sig)))
        return;
    if (action.handler == 0 || !push_signal_frame(context, info, action, old_mask))
        abi().process_exit(-static_cast<int32_t>(sig)); // the default: terminate
}

} // namespace

void deliver_pending_signals(bsc_cpu_context &context) {
    uint64_t sig;
    int32_t code;
    {
        SpinGuard guard(signal_lock);
        uint64_t ready = pending_mask & ~blocked_mask;
        if (!ready)
            return;
        sig = static_cast<uint64_t>(__builtin_ctzll(ready)) + 1;
        pending_mask &= ~bit(sig);
        code = pending_code[sig];
    }
    bsc_system_info info{};
    abi().system_info_query(&info);
    act(context, sig, SignalInfo{static_cast<int32_t>(sig), code, 0, kPid, info.user_id});
}

void deliver_exception(bsc_exception &exception) {
    bsc_cpu_context &c = exception.context;
    if (exception.kind == BSC_EXCEPTION_MEMORY && user_copy_fault(c.rip, c.rax, c.rcx))
        return;
    if (exception.kind == BSC_EXCEPTION_INTERRUPT) {
        // Inside the LibOS (serving a system call), the signal waits for the call's end.
        uint64_t image = start_info().image_base;
        if (c.rip - image >= start_info().image_size)
            deliver_pending_signals(c);
        return;
    }
    int sig = signal_for(exception);
    if (verbose())
        log("signal %d for a fault at rip %lx, address %lx", sig, c.rip, exception.address);
    bool blocked;
    {
        SpinGuard guard(signal_lock);
        blocked = blocked_mask & bit(sig);
    }
    if (blocked) // a blocked synchronous fault kills, as on Linux
        abi().process_exit(-sig);
    int32_t code = exception.kind == BSC_EXCEPTION_MEMORY
                       ? (exception.code == BSC_FAULT_PROTECTION ? 2 /* SEGV_ACCERR */
                                                                 : 1 /* SEGV_MAPERR */)
                   : exception.kind == BSC_EXCEPTION_ARITHMETIC && exception.code == BSC_ARITH_DIVIDE
                       ? 1 /* FPE_INTDIV */
                       : 128 /* SI_KERNEL */;
    act(c, static_cast<uint64_t>(sig), SignalInfo{sig, code, exception.address, 0, 0});
}

constexpr int32_t kSiUser = 0, kSiTkill = -6;

int64_t raise_signal(uint64_t sig, int32_t code) {
    if (sig > kSignals)
        return -EINVAL;
    if (sig == 0)
        return 0;
    SpinGuard guard(signal_lock);
    pending_mask |= bit(sig);
    pending_code[sig] = code;
    return 0;
}

bool signal_pending() {
    SpinGuard guard(signal_lock);
    return pending_mask & ~blocked_mask;
}

int64_t sys_rt_sigaction(Syscall &call) {
    uint64_t sig = call.arg[0];
    if (sig < 1 || sig > kSignals || call.arg[3] != 8)
        return -EINVAL;
    KernelSigaction wanted;
    if (call.arg[1] && !get_user(call.arg[1], wanted))
        return -EFAULT;
    if (call.arg[1] && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    KernelSigaction old;
    {
        SpinGuard guard(signal_lock);
        old = actions[sig];
        if (call.arg[1])
            actions[sig] = wanted;
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

int64_t sys_rt_sigreturn(Syscall &c) {
    uint64_t mask;
    if (!pop_signal_frame(c.context, mask))
        abi().process_exit(-SIGSEGV);
    {
        SpinGuard guard(signal_lock);
        blocked_mask = mask & ~kUnblockable;
    }
    return static_cast<int64_t>(c.context.rax); // the restored context, untouched
}

// Sleeps until a signal is delivered: the handler runs as the call returns EINTR.
int64_t sys_pause(Syscall &) {
    uint32_t ready;
    while (!signal_pending())
        abi().objects_wait_any(nullptr, 0, BSC_WAIT_FOREVER, &ready);
    return -EINTR;
}

int64_t sys_kill(Syscall &c) {
    int64_t pid = static_cast<int32_t>(c.arg[0]);
    if (pid != kPid && pid != 0 && pid != -1)
        return -ESRCH;
    return raise_signal(c.arg[1], kSiUser);
}

int64_t sys_tkill(Syscall &c) { return raise_signal(c.arg[1], kSiTkill); }

int64_t sys_tgkill(Syscall &c) {
    if (static_cast<int32_t>(c.arg[0]) != kPid)
        return -ESRCH;
    return raise_signal(c.arg[2], kSiTkill);
}

int64_t sys_sigaltstack(Syscall &call) {
    struct {
        uint64_t sp;
        int32_t flags;
        uint64_t size;
    } disabled{0, 2 /* SS_DISABLE */, 0};
    return !call.arg[1] || put_user(call.arg[1], disabled) ? 0 : -EFAULT;
}

} // namespace libos
