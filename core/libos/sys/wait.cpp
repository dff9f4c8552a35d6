// SPDX-License-Identifier: MIT
// wait4 and waitid: a child's exit, death by a signal, stop or continue, as the host
// reports them for the child's process (process_tree.h keeps the children).
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/signal.h>
#include <linux/resource.h>
#include <linux/wait.h>

#include "pidfd.h"
#include "process_tree.h"
#include "signals.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif
constexpr uint64_t kCloneOptions = __WNOTHREAD | __WALL | __WCLONE;

ChildKinds kinds_of(uint64_t options) {
    return options & __WALL ? ChildKinds::all : options & __WCLONE ? ChildKinds::clones
                                                                   : ChildKinds::ordinary;
}

// The ABI's wait flags for the Linux options.
uint32_t wait_flags(uint64_t options) {
    return (options & WEXITED ? BSC_PROCESS_WAIT_EXITED : 0) |
           (options & WSTOPPED ? BSC_PROCESS_WAIT_STOPPED : 0) |
           (options & WCONTINUED ? BSC_PROCESS_WAIT_CONTINUED : 0) |
           (options & WNOHANG ? BSC_PROCESS_WAIT_NO_HANG : 0) |
           (options & WNOWAIT ? BSC_PROCESS_WAIT_NO_REAP : 0);
}

// The status word wait4 stores, as the kernel encodes it.
int32_t status_word(const bsc_process_state &state) {
    switch (state.kind) {
    case BSC_PROCESS_EXITED: return (state.code & 0xff) << 8;
    case BSC_PROCESS_KILLED: return state.code & 0x7f;
    case BSC_PROCESS_DUMPED: return (state.code & 0x7f) | 0x80;
    case BSC_PROCESS_STOPPED: return ((state.code & 0xff) << 8) | 0x7f;
    default: return 0xffff; // continued
    }
}

int32_t child_code(uint32_t kind) {
    switch (kind) {
    case BSC_PROCESS_EXITED: return CLD_EXITED;
    case BSC_PROCESS_KILLED: return CLD_KILLED;
    case BSC_PROCESS_DUMPED: return CLD_DUMPED;
    case BSC_PROCESS_STOPPED: return CLD_STOPPED;
    default: return CLD_CONTINUED;
    }
}

// The rusage wait4 and waitid report of a reaped child: its CPU times.
bool put_usage(uint64_t address, const bsc_process_state &state) {
    if (!address)
        return true;
    rusage usage{};
    usage.ru_utime = {state.user_ns / kNanosPerSecond, state.user_ns % kNanosPerSecond / 1000};
    usage.ru_stime = {state.system_ns / kNanosPerSecond,
                      state.system_ns % kNanosPerSecond / 1000};
    return put_user(address, usage);
}

// The siginfo waitid fills: SIGCHLD with the child's pid, uid, code and status.
struct ChildSiginfo {
    int32_t signo, error, code, padding;
    int32_t pid;
    uint32_t uid;
    int32_t status;
    uint8_t rest[128 - 28];
};
static_assert(sizeof(ChildSiginfo) == 128);

} // namespace

// wait4(pid, status, options, rusage): WEXITED is implied, WUNTRACED asks for stops.
int64_t sys_wait4(Syscall &call) {
    uint64_t options = call.arg[2];
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | kCloneOptions))
        return -EINVAL;
    auto which = static_cast<int32_t>(call.arg[0]);
    if (which == INT32_MIN)
        return -ESRCH;
    WaitResult result;
    WaitRequest request{which, wait_flags(options | WEXITED), kinds_of(options)};
    if (int64_t error = wait_for_child(request, result))
        return error;
    if (result.pid == 0)
        return 0;
    int32_t status = status_word(result.state);
    if ((call.arg[1] && !put_user(call.arg[1], status)) || !put_usage(call.arg[3], result.state))
        return -EFAULT;
    return result.pid;
}

// waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID (0: the caller's),
// P_PIDFD (the pidfd's process, as P_PID; a PIDFD_NONBLOCK pidfd does not block, and
// finding nothing is EAGAIN unless the caller gave WNOHANG).
int64_t sys_waitid(Syscall &call) {
    auto type = static_cast<int32_t>(call.arg[0]);
    auto id = static_cast<int32_t>(call.arg[1]);
    uint64_t options = call.arg[3];
    if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | kCloneOptions))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    int32_t which;
    bool nonblocking = false; // a PIDFD_NONBLOCK pidfd: the wait does not block
    switch (type) {
    case P_ALL: which = -1; break;
    case P_PID:
        if (id <= 0)
            return -EINVAL;
        which = id;
        break;
    case P_PGID:
        if (id < 0)
            return -EINVAL;
        which = id == 0 ? 0 : -id;
        break;
    case P_PIDFD: {
        if (id < 0)
            return -EINVAL;
        uint32_t file_flags = 0;
        int64_t pid = pidfd_target(id, file_flags);
        if (pid < 0)
            return pid;
        which = static_cast<int32_t>(pid);
        nonblocking = file_flags & O_NONBLOCK;
        break;
    }
    default: return -EINVAL;
    }
    WaitResult result;
    uint64_t wait_options = nonblocking ? options | WNOHANG : options;
    if (int64_t error = wait_for_child({which, wait_flags(wait_options), kinds_of(options)}, result))
        return error;
    if (nonblocking && !(options & WNOHANG) && !result.pid)
        return -EAGAIN; // nothing to report, and the caller did not ask for WNOHANG itself
    ChildSiginfo info{};
    if (result.pid) {
        info.signo = SIGCHLD;
        info.code = child_code(result.state.kind);
        info.pid = result.pid;
        info.uid = result.uid;
        info.status = result.state.kind == BSC_PROCESS_CONTINUED ? SIGCONT : result.state.code;
    }
    if ((call.arg[2] && !put_user(call.arg[2], info)) || !put_usage(call.arg[4], result.state))
        return -EFAULT;
    return 0;
}

} // namespace libos
