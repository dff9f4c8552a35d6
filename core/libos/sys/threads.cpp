// SPDX-License-Identifier: MIT
// Thread system calls: clone and clone3 (threads here, processes in sys/fork.cpp), exit of
// one thread and exit_group of all, gettid, and the per-thread registrations glibc makes
// at start-up (set_tid_address, set_robust_list).
#include <asm-generic/errno.h>
#include <linux/sched.h>

#include "fork.h"
#include "futex.h"
#include "heap.h"
#include "process_tree.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kTaskSizeMax = (uint64_t{1} << 47) - 4096; // the user address space's end
constexpr uint64_t kCloneSignal = 0xff;                        // CSIGNAL
constexpr uint64_t kCloneLegacyFlags = 0xffffffffu;
#ifndef CLONE_CLEAR_SIGHAND
constexpr uint64_t CLONE_CLEAR_SIGHAND = 0x100000000ull;
#endif
#ifndef CLONE_INTO_CGROUP
constexpr uint64_t CLONE_INTO_CGROUP = 0x200000000ull;
#endif
constexpr uint64_t kCloneArgsSizeVer0 = 64, kCloneArgsSizeVer2 = 88, kPageSize = 4096;

// What a thread of the program shares with its creator: everything pthread_create asks.
constexpr uint64_t kThreadShares = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
// Flags a thread may carry besides: its TLS and tid registrations, and those with no
// effect on a thread of a process no one traces (CLONE_SYSVSEM: the LibOS has no System V
// semaphores to undo; CLONE_DETACHED: ignored by Linux; CLONE_IO: one I/O context).
constexpr uint64_t kThreadOptions = CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                    CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |
                                    CLONE_PARENT | CLONE_PTRACE | CLONE_UNTRACED | CLONE_IO;

// copy_process's checks of the flags, in its order.
int64_t check_flags(uint64_t flags) {
    if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
        (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)))
        return -EINVAL;
    if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED)) // with CLONE_THREAD since 6.9
        return -EINVAL;
    return 0;
}

// Whether the LibOS makes what `flags` ask for: a thread sharing everything with its
// creator. Anything else is named once with --verbose.
bool served(uint64_t flags) {
    if (flags & CLONE_PIDFD) {
        report_unsupported("clone", "CLONE_PIDFD for a thread (a thread's pidfd)");
        return false;
    }
    if ((flags & kThreadShares) != kThreadShares) {
        report_unsupported("clone", "a thread without CLONE_FS or CLONE_FILES");
        return false;
    }
    if (flags & ~(kThreadShares | kThreadOptions)) {
        report_unsupported("clone", "CLONE_VFORK or a namespace flag");
        return false;
    }
    return true;
}

int64_t make_thread(const CloneRequest &r, const bsc_cpu_context &parent) {
    if (!served(r.flags))
        return -ENOSYS;
    if ((r.flags & CLONE_SETTLS) && r.tls >= kTaskSizeMax)
        return -EPERM; // do_arch_prctl_64's check of the new fs base
    Thread *thread = new_program_thread();
    if (!thread)
        return -EAGAIN;
    bsc_cpu_context &c = thread->start;
    c = parent;
    c.rax = 0; // clone returns 0 in the new thread
    if (r.stack)
        c.rsp = r.stack;
    if (r.flags & CLONE_SETTLS)
        c.fs_base = r.tls;
    if (parent.xstate) { // the vector registers come along, as the kernel copies them
        thread->start_xstate = allocate(parent.xstate_size + 64);
        uint64_t aligned = (reinterpret_cast<uint64_t>(thread->start_xstate) + 63) & ~uint64_t{63};
        memcpy(reinterpret_cast<void *>(aligned), reinterpret_cast<const void *>(parent.xstate),
               parent.xstate_size);
        c.xstate = aligned;
    }
    if (r.flags & CLONE_CHILD_SETTID)
        thread->child_set_tid = r.child_tid;
    if (r.flags & CLONE_CHILD_CLEARTID)
        thread->clear_child_tid = r.child_tid;
    int64_t tid = thread->tid;
    // Before the thread runs, as Linux writes it (glibc's thread reads its own tid there);
    // a bad address is ignored, as by Linux.
    if (r.flags & CLONE_PARENT_SETTID)
        put_user(r.parent_tid, static_cast<uint32_t>(tid));
    int64_t error = start_program_thread(thread);
    return error ? error : tid;
}

// A thread or, without CLONE_THREAD, a process.
int64_t clone_with(const CloneRequest &r, bsc_cpu_context &context) {
    if (int64_t error = check_flags(r.flags))
        return error;
    return r.flags & CLONE_THREAD ? make_thread(r, context) : fork_process(r, context);
}

// clone3_stack_valid and the rest of clone3_args_valid, in the kernel's order.
int64_t check_clone3(const clone_args &a, uint64_t size) {
    if (a.set_tid_size > 32 || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
        return -EINVAL;
    if ((a.exit_signal & ~kCloneSignal) || a.exit_signal > 64)
        return -EINVAL;
    if ((a.flags & CLONE_INTO_CGROUP) && (a.cgroup > 0x7fffffff || size < kCloneArgsSizeVer2))
        return -EINVAL;
    if (a.flags & ~(kCloneLegacyFlags | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
        return -EINVAL;
    if (a.flags & (CLONE_DETACHED | (kCloneSignal & ~uint64_t{CLONE_NEWTIME})))
        return -EINVAL;
    if ((a.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
        return -EINVAL;
    if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
        return -EINVAL;
    if (a.stack ? !a.stack_size || a.stack + a.stack_size > kTaskSizeMax ||
                      a.stack + a.stack_size < a.stack
                : a.stack_size != 0)
        return -EINVAL;
    return 0;
}

// clone3's clone_args: at most a page (E2BIG), at least its first version (EINVAL), read as
// copy_struct_from_user reads it.
int64_t read_clone_args(uint64_t address, uint64_t size, clone_args &a) {
    if (size > kPageSize)
        return -E2BIG;
    if (size < kCloneArgsSizeVer0)
        return -EINVAL;
    return struct_from_user(&a, sizeof a, address, size);
}

} // namespace

// clone(flags, stack, parent_tid, child_tid, tls) on x86-64.
int64_t sys_clone(Syscall &call) {
    uint64_t flags = call.arg[0] & kCloneLegacyFlags & ~kCloneSignal;
    if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
        return -EINVAL; // the pidfd would be written where the tid goes
    CloneRequest r{flags, call.arg[2], call.arg[3], call.arg[2], call.arg[0] & kCloneSignal,
                   call.arg[1], call.arg[4]};
    return clone_with(r, call.context);
}

int64_t sys_clone3(Syscall &call) {
    clone_args a;
    if (int64_t error = read_clone_args(call.arg[0], call.arg[1], a) ?: check_clone3(a, call.arg[1]))
        return error;
    if (a.set_tid || (a.flags & (CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND))) {
        report_unsupported("clone3", "set_tid, CLONE_INTO_CGROUP or CLONE_CLEAR_SIGHAND");
        return -ENOSYS;
    }
    CloneRequest r{a.flags, a.pidfd, a.child_tid, a.parent_tid, a.exit_signal,
                   a.stack ? a.stack + a.stack_size : 0, a.tls};
    return clone_with(r, call.context);
}

int64_t sys_exit(Syscall &call) { exit_thread(static_cast<int32_t>(call.arg[0] & 0xff)); }

int64_t sys_exit_group(Syscall &call) {
    exit_process(static_cast<int32_t>(call.arg[0] & 0xff));
    return 0;
}

int64_t sys_gettid(Syscall &) { return current_tid(); }

int64_t sys_set_tid_address(Syscall &call) {
    current_thread().clear_child_tid = call.arg[0];
    return current_tid();
}

// set_robust_list: the 24-byte list head (struct robust_list_head), walked at exit.
int64_t sys_set_robust_list(Syscall &call) {
    if (call.arg[1] != 24)
        return -EINVAL;
    current_thread().robust_list = call.arg[0];
    return 0;
}

// get_robust_list(pid, head_ptr, len_ptr): of the calling thread (0) or another of the
// process's. Another process's threads (and pid 1) exist but their lists are in memory of
// their own: EPERM, named (Linux's answer when its ptrace check refuses), not ESRCH.
int64_t sys_get_robust_list(Syscall &call) {
    auto tid = static_cast<int32_t>(call.arg[0]);
    uint64_t head = 0;
    if (tid == 0)
        head = current_thread().robust_list;
    else if (!with_thread(tid, [&](Thread &t) { head = t.robust_list; })) {
        if (tid == kOutsideParentPid)
            return refuse_outside_parent("get_robust_list");
        if (tid < 0 || !process_exists(tid))
            return -ESRCH;
        report_unsupported("get_robust_list", "another process's thread");
        return -EPERM;
    }
    uint64_t size = 24;
    if (!put_user(call.arg[2], size) || !put_user(call.arg[1], head))
        return -EFAULT;
    return 0;
}

} // namespace libos
