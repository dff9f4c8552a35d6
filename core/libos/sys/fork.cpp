// SPDX-License-Identifier: MIT
// fork, vfork, and clone/clone3 without CLONE_THREAD: a new process made by
// process_fork, a copy of the whole host process (guest memory, the LibOS, the runtime and
// its extensions) in which only the calling thread runs on. Host descriptors are shared
// with the child as fork shares open file descriptions, so a file's offset, a pipe's ends
// and a socket are shared as on Linux. The LibOS's own objects (an eventfd, an epoll, a
// timerfd) are copied, not shared.
#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm/signal.h>
#include <linux/sched.h>

#include "fork.h"
#include "fork_locks.h"
#include "memory.h"
#include "memory_map.h"
#include "namespaces.h"
#include "pidfd.h"
#include "process_state.h"
#include "process_tree.h"
#include "signals.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

// What a new process may be asked besides its exit signal: tid registrations, a TLS, a
// pidfd, and flags with no effect on a process no one traces. CLONE_VM only with
// CLONE_VFORK.
constexpr uint64_t kUserEnd = uint64_t{1} << 47;

#ifndef CLONE_NEWTIME
constexpr uint64_t CLONE_NEWTIME = 0x80;
#endif
// A new process's namespaces (sys/namespaces.cpp makes them).
constexpr uint64_t kNewNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                                    CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_NEWPID |
                                    CLONE_NEWUSER;

constexpr uint64_t kProcessOptions = CLONE_VFORK | CLONE_VM | CLONE_PARENT_SETTID |
                                     CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_SETTLS |
                                     CLONE_PTRACE | CLONE_UNTRACED | CLONE_IO | CLONE_DETACHED |
                                     CLONE_PIDFD;

// The write end of the pipe a vfork parent waits on: closed at exec, or by the host at
// exit, which ends the parent's wait.
bsc_handle vfork_release = BSC_NO_HANDLE;

// Whether the LibOS makes the process `flags` ask for; anything else is named once with
// --verbose. A child sharing memory, descriptors or handlers with its parent (other
// than vfork's, which the parent does not use until the child execs or exits) cannot be
// a copy.
bool served(uint64_t flags) {
    if (flags & ~(kProcessOptions | kNewNamespaces)) {
        report_unsupported("clone", "a process sharing its descriptors, handlers or namespaces");
        return false;
    }
    if ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) {
        report_unsupported("clone", "a process sharing its memory (CLONE_VM without CLONE_VFORK)");
        return false;
    }
    return clone_namespaces_served(flags);
}

// In the child, its new namespaces. The parent checked the privilege they need, which is
// the host's; should the host still refuse one (its limit of namespaces, its memory), the
// child cannot be taken back: it ends as killed, and --verbose says why.
void enter_namespaces_or_end(uint64_t flags) {
    if (enter_clone_namespaces(flags) == 0)
        return;
    report_unsupported("clone", "a namespace the host refused to make after the fork");
    abi().process_exit(-9);
}

// The parent of a vfork waits until its child execs or exits: the pipe's end the child
// held closes then. Only SIGKILL ends the wait early.
void wait_for_vfork_child(bsc_handle read_end) {
    char byte;
    uint64_t done = 0;
    bsc_status status;
    for (;;) {
        status = abi().stream_read(read_end, BSC_AT_POSITION, &byte, 1, &done);
        if (status == BSC_E_INTERRUPTED)
            end_if_killed();
        else if (status != BSC_OK || done == 0)
            break;
    }
    abi().object_close(read_end);
}

// In the child, after process_fork: the LibOS's view of a process that has one thread
// and no children, no timers and nothing pending.
void start_child(int32_t pid, const CloneRequest &r, bsc_cpu_context &context) {
    become_child(pid);
    become_only_thread();
    clear_pending_signals();
    forget_interval_timers();
    forget_posix_timers();
    forget_aio_contexts();
    reset_scheduling_in_child();
    prepare_child_memory();
    if (r.flags & CLONE_CHILD_SETTID)
        put_user(r.child_tid, static_cast<uint32_t>(pid)); // a bad address is ignored
    current_thread().clear_child_tid = r.flags & CLONE_CHILD_CLEARTID ? r.child_tid : 0;
    inherit_prctl_state(current_thread(), current_thread());
    if (r.stack)
        context.rsp = r.stack;
    if (r.flags & CLONE_SETTLS)
        context.fs_base = r.tls;
    collect_process_events(); // what was sent to it before it knew its own id
}

} // namespace

int64_t fork_process(const CloneRequest &r, bsc_cpu_context &context) {
    // copy_namespaces's answers come whatever else the flags ask, which Linux copies first.
    if (int64_t error = check_clone_namespaces(r.flags))
        return error;
    if (!served(r.flags))
        return -ENOSYS;
    int64_t pid = enter_child(static_cast<int32_t>(r.exit_signal));
    if (pid < 0)
        return pid;
    bool vfork = r.flags & CLONE_VFORK;
    // Linux writes the pidfd before the child exists (a bad address fails the fork): the
    // word is checked writable now, without a visible change.
    int32_t word;
    if ((r.flags & CLONE_PIDFD) && !(get_user(r.pidfd, word) && put_user(r.pidfd, word))) {
        abandon_child(static_cast<int32_t>(pid));
        return -EFAULT;
    }
    bsc_handle ends[2] = {BSC_NO_HANDLE, BSC_NO_HANDLE};
    if (vfork && abi().stream_open_pair("pipe:", 0, ends) != BSC_OK) {
        abandon_child(static_cast<int32_t>(pid));
        return -EAGAIN;
    }
    bsc_handle child = BSC_NO_HANDLE;
    uint64_t host_id = 0;
    hold_fork_locks();
    bsc_status status = abi().process_fork(&child, &host_id);
    release_fork_locks();
    if (status != BSC_OK) {
        abandon_child(static_cast<int32_t>(pid));
        for (bsc_handle end : ends)
            if (end != BSC_NO_HANDLE)
                abi().object_close(end);
        return status == BSC_E_NO_MEMORY ? -ENOMEM : -EAGAIN;
    }
    if (child == BSC_NO_HANDLE) {
        release_vfork_parent(); // a vfork child's own child does not hold its parent
        if (vfork) {
            abi().object_close(ends[0]);
            vfork_release = ends[1];
        }
        enter_namespaces_or_end(r.flags);
        start_child(static_cast<int32_t>(pid), r, context);
        return 0;
    }
    adopt_child(static_cast<int32_t>(pid), child, host_id);
    if (r.flags & CLONE_PIDFD) // in the parent only, as Linux installs it
        put_user(r.pidfd, static_cast<int32_t>(open_pidfd(static_cast<int32_t>(pid), 0)));
    if (r.flags & CLONE_PARENT_SETTID)
        put_user(r.parent_tid, static_cast<uint32_t>(pid));
    if (vfork) {
        abi().object_close(ends[1]);
        wait_for_vfork_child(ends[0]);
    }
    return pid;
}

namespace {

// Copies the pages of [start, end) that differ from the parent's into it.
void give_parent(bsc_handle parent, uint64_t start, uint64_t end) {
    constexpr uint64_t kChunk = 64 * 1024, kPage = 4096;
    static char theirs[kChunk], ours[kChunk];
    for (uint64_t at = start; at < end; at += kChunk) {
        uint64_t size = end - at < kChunk ? end - at : kChunk, got = 0;
        if (abi().process_memory_read(parent, at, theirs, size, &got) != BSC_OK || got < size ||
            !copy_from_user(ours, at, size))
            continue; // not the parent's, or not readable here: nothing shared to mend
        for (uint64_t page = 0; page < size; page += kPage)
            if (memcmp(theirs + page, ours + page, kPage) != 0) {
                uint64_t written;
                abi().process_memory_write(parent, at + page, ours + page, kPage, &written);
            }
    }
}

} // namespace

void end_vfork_child() {
    if (vfork_release == BSC_NO_HANDLE)
        return;
    bsc_handle parent;
    if (abi().process_open(parent_host_id(), &parent) == BSC_OK) {
        Region piece;
        for (uint64_t at = 0; map_next(at, kUserEnd, piece); at = piece.end)
            if (!piece.shared && (piece.prot & PROT_WRITE))
                give_parent(parent, piece.start, piece.end);
        abi().object_close(parent);
    }
    release_vfork_parent();
}

void release_vfork_parent() {
    if (vfork_release == BSC_NO_HANDLE)
        return;
    abi().object_close(vfork_release);
    vfork_release = BSC_NO_HANDLE;
}

int64_t sys_fork(Syscall &call) {
    return fork_process(CloneRequest{0, 0, 0, 0, SIGCHLD, 0, 0}, call.context);
}

int64_t sys_vfork(Syscall &call) {
    return fork_process(CloneRequest{CLONE_VM | CLONE_VFORK, 0, 0, 0, SIGCHLD, 0, 0},
                        call.context);
}

} // namespace libos
