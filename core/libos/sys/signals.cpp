// SPDX-License-Identifier: MIT
// Signal system calls (rt_sigaction, rt_sigprocmask, sigaltstack) and the delivery of
// faults as signals.
#include <asm-generic/errno.h>
#include <asm/signal.h>

#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int kSignals = 64;

// The kernel's struct sigaction on x86-64.
struct KernelSigaction {
    uint64_t handler, flags, restorer, mask;
};

KernelSigaction actions[kSignals + 1];
uint64_t blocked_mask;
Spinlock signal_lock;

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

// A signal the program sends itself. Handlers do not run yet: the default action applies
// (terminate, or nothing), and an ignored signal is dropped.
int64_t send_to_self(uint64_t sig) {
    if (sig > kSignals)
        return -EINVAL;
    if (sig == 0)
        return 0;
    uint64_t handler;
    {
        SpinGuard guard(signal_lock);
        handler = actions[sig].handler;
    }
    if (handler == 1 /* SIG_IGN */ || (handler == 0 && ignored_by_default(sig)))
        return 0;
    abi().process_exit(-static_cast<int32_t>(sig));
    return 0;
}

constexpr int64_t kPid = 2; // see sys/process.cpp

} // namespace

void deliver_exception(bsc_exception &exception) {
    bsc_cpu_context &c = exception.context;
    if (exception.kind == BSC_EXCEPTION_MEMORY && user_copy_fault(c.rip, c.rax, c.rcx))
        return;
    if (exception.kind == BSC_EXCEPTION_INTERRUPT)
        return; // nothing pending yet: resume
    // Handlers are not run yet: the default action of every fault is to terminate.
    abi().process_exit(-signal_for(exception));
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
            uint64_t unblockable = (uint64_t{1} << (SIGKILL - 1)) | (uint64_t{1} << (SIGSTOP - 1));
            switch (call.arg[0]) {
            case SIG_BLOCK: blocked_mask |= set; break;
            case SIG_UNBLOCK: blocked_mask &= ~set; break;
            case SIG_SETMASK: blocked_mask = set; break;
            default: return -EINVAL;
            }
            blocked_mask &= ~unblockable;
        }
    }
    return !call.arg[2] || put_user(call.arg[2], old) ? 0 : -EFAULT;
}

int64_t sys_kill(Syscall &c) {
    int64_t pid = static_cast<int32_t>(c.arg[0]);
    if (pid != kPid && pid != 0 && pid != -1)
        return -ESRCH;
    return send_to_self(c.arg[1]);
}

int64_t sys_tkill(Syscall &c) { return send_to_self(c.arg[1]); }

int64_t sys_tgkill(Syscall &c) {
    if (static_cast<int32_t>(c.arg[0]) != kPid)
        return -ESRCH;
    return send_to_self(c.arg[2]);
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
