// SPDX-License-Identifier: MIT
// The namespace family. The guest is in one namespace of each kind and makes no other
// (procfs.cpp shows them): unshare makes none, answering a new namespace as Linux answers
// a caller without CAP_SYS_ADMIN (EPERM); setns enters only the namespaces the guest is
// in already, which Linux allows a privileged caller as a change of nothing. ioctl on a
// namespace's descriptor (/proc/PID/ns/NAME, nsfs's ns_ioctl): NS_GET_NSTYPE,
// NS_GET_PARENT, NS_GET_USERNS and NS_GET_OWNER_UID, as far as the guest's namespaces
// answer them without the host: a hierarchical namespace's parent and a user namespace's
// owner are always outside its view.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/sched.h>

#include "fd_table.h"
#include "paths.h"
#include "pidfd.h"
#include "process_state.h"
#include "process_tree.h"
#include "procfs.h"
#include "syscalls.h"
#include "sysv_ipc.h"
#include "thread.h"

namespace libos {
namespace {

constexpr uint64_t kGetUserNamespace = 0xb701; // NS_GET_USERNS, _IO(0xb7, 1)
constexpr uint64_t kGetParent = 0xb702;        // NS_GET_PARENT
constexpr uint64_t kGetType = 0xb703;          // NS_GET_NSTYPE
constexpr uint64_t kGetOwnerUid = 0xb704;      // NS_GET_OWNER_UID (an _IO with a pointer)
constexpr uint32_t kNamespaceIo = 0xb7;        // NSIO, nsfs's _IOC_TYPE
constexpr uint32_t kNewUser = CLONE_NEWUSER, kNewPid = CLONE_NEWPID;
#ifndef CLONE_NEWTIME
constexpr uint64_t CLONE_NEWTIME = 0x80;
#endif
// Every kind of namespace, in the order setns checks them (validate_nsset).
constexpr uint64_t kNamespaceKinds[] = {CLONE_NEWUSER, CLONE_NEWNS,     CLONE_NEWUTS,
                                        CLONE_NEWIPC,  CLONE_NEWPID,    CLONE_NEWCGROUP,
                                        CLONE_NEWNET,  CLONE_NEWTIME};
constexpr uint64_t kNamespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                                 CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWTIME;
// What unshare takes (check_unshare_flags).
constexpr uint64_t kUnshareFlags = kNamespaces | CLONE_THREAD | CLONE_FS | CLONE_SIGHAND |
                                   CLONE_VM | CLONE_FILES | CLONE_SYSVSEM;

// The answer of a request that would open the related namespace (open_related_ns), which
// takes a descriptor first: EMFILE without one.
int64_t refuse_related(int64_t error) {
    for (int fd = 0; fd < fd_limit(); fd++)
        if (!FileRef(fd))
            return error;
    return -EMFILE;
}

// ksys_unshare's widening of the flags: each implies what it cannot go without.
uint64_t implied_unshare_flags(uint64_t flags) {
    if (flags & CLONE_NEWUSER)
        flags |= CLONE_THREAD | CLONE_FS;
    if (flags & CLONE_VM)
        flags |= CLONE_SIGHAND;
    if (flags & CLONE_SIGHAND)
        flags |= CLONE_THREAD;
    if (flags & CLONE_NEWNS)
        flags |= CLONE_FS;
    return flags;
}

// Leaving the System V semaphore undo list (exit_sem), which unshare's CLONE_SYSVSEM and
// an entry into an IPC namespace do: a change of nothing while the process has made no
// SEM_UNDO operation; otherwise the host's list would have to go, which the interface
// cannot ask (ENOSYS, named).
int64_t leave_semaphore_undo_list(const char *call) {
    if (!semaphore_undo_taken())
        return 0;
    report_unsupported(call, "leaving the System V semaphore undo list after a SEM_UNDO");
    return -ENOSYS;
}

// Entering the namespace of kind `kind` the guest is in already (the install of each
// kind's proc_ns_operations), for one thread alone of its process or not.
int64_t enter_own_namespace(uint64_t kind, bool alone) {
    if (kind == CLONE_NEWUSER)
        return -EINVAL; // no capabilities gained by entering one's own again
    if (kind == CLONE_NEWTIME && !alone)
        return -EUSERS;
    if (!capable(CAP_SYS_ADMIN) || (kind == CLONE_NEWNS && !capable(CAP_SYS_CHROOT)))
        return -EPERM;
    if (kind == CLONE_NEWNS && !alone) // the file-system context is shared
        return -EINVAL;
    return 0;
}

// What entering every kind in `kinds` leaves changed: a mount namespace's root becomes
// the root and the working directory (a chroot ends), an IPC namespace drops the semaphore undo list.
int64_t commit_own_namespaces(uint64_t kinds) {
    if (kinds & CLONE_NEWIPC)
        if (int64_t error = leave_semaphore_undo_list("setns"))
            return error;
    if (kinds & CLONE_NEWNS) {
        set_root("/");
        set_cwd("/");
    }
    return 0;
}

} // namespace

// unshare: ksys_unshare's checks in its order. Sharing nothing with another thread, the
// process has nothing to unshare (CLONE_THREAD, _SIGHAND, _VM: EINVAL otherwise, as
// Linux's "pretend it works"; CLONE_FS, CLONE_FILES: a private copy for the caller alone,
// which the LibOS does not make). A new namespace is refused with EPERM.
int64_t sys_unshare(Syscall &call) {
    uint64_t flags = implied_unshare_flags(call.arg[0]);
    if (flags & ~kUnshareFlags)
        return -EINVAL;
    bool alone = thread_count() == 1;
    if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && !alone)
        return -EINVAL;
    if (flags & kNamespaces) {
        report_unsupported("unshare", "a new namespace (refused as without CAP_SYS_ADMIN)");
        return -EPERM;
    }
    if ((flags & (CLONE_FS | CLONE_FILES)) && !alone) {
        report_unsupported("unshare", "CLONE_FS or CLONE_FILES in a process of several threads");
        return -ENOSYS;
    }
    return flags & CLONE_SYSVSEM ? leave_semaphore_undo_list("unshare") : 0;
}

// setns: a namespace's descriptor (of the kind `kinds` names, if not 0) or a pidfd with
// the kinds to enter of its process's; all of them are the guest's own.
int64_t sys_setns(Syscall &call) {
    int fd = static_cast<int>(call.arg[0]);
    uint64_t kinds = static_cast<uint32_t>(call.arg[1]); // an int in Linux's prototype
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (is_namespace_file(*file.get())) {
        uint32_t type = proc_namespace_type(file->path);
        if (kinds && kinds != type)
            return -EINVAL;
        kinds = type;
    } else if (is_pidfd(*file.get())) {
        if (!kinds || (kinds & ~kNamespaces))
            return -EINVAL;
        uint32_t flags = 0;
        int64_t pid = pidfd_target(fd, flags);
        if (pid < 0 || !process_exists(static_cast<int32_t>(pid)))
            return -ESRCH;
    } else {
        return -EINVAL;
    }
    bool alone = thread_count() == 1;
    // With other kinds, a mount namespace is entered on a copy of the file-system context
    // (prepare_nsset), which no other thread shares.
    bool own_context = alone || (kinds & ~uint64_t{CLONE_NEWNS});
    for (uint64_t kind : kNamespaceKinds)
        if (kinds & kind)
            if (int64_t error = enter_own_namespace(kind, kind == CLONE_NEWNS ? own_context : alone))
                return error;
    return commit_own_namespaces(kinds);
}

int64_t namespace_ioctl(uint32_t type, uint64_t request, [[maybe_unused]] uint64_t address) {
    switch (request) {
    case kGetType: return type;
    case kGetParent:
        // Only pid and user namespaces have a parent; the guest's own are its top ones,
        // whose parent lies outside the caller's scope (pidns_get_parent, ns_get_owner).
        if (type != kNewPid && type != kNewUser)
            return -EINVAL;
        return refuse_related(-EPERM);
    case kGetUserNamespace:
        // A user namespace's owner is its parent, outside the caller's (ns_get_owner);
        // another kind's owner is the host's business: which user namespace made the
        // runtime's, and whether the caller's is it.
        if (type == kNewUser)
            return refuse_related(-EPERM);
        report_unsupported("ioctl", "NS_GET_USERNS of a namespace other than the user one");
        return -ENOTTY;
    case kGetOwnerUid:
        if (type != kNewUser)
            return -EINVAL;
        report_unsupported("ioctl", "NS_GET_OWNER_UID (the host's user namespace's creator)");
        return -ENOTTY;
    default:
        // The newer requests (mount namespace ids, pid translation, namespace ids) need
        // the host's namespaces' state.
        if (((request >> 8) & 0xff) == kNamespaceIo)
            report_unsupported("ioctl", "an nsfs request other than NS_GET_NSTYPE, NS_GET_PARENT");
        return -ENOTTY;
    }
}

} // namespace libos
