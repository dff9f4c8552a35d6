// SPDX-License-Identifier: MIT
// The namespace family: unshare, setns and clone's CLONE_NEW* flags (namespaces.h), and
// ioctl on a namespace's descriptor (/proc/PID/ns/NAME, nsfs's ns_ioctl). Every guest
// process is one host process, so its mount, UTS, IPC, network, cgroup and time
// namespaces are its host process's (ABI 1.25 namespace_unshare and namespace_enter):
// the host kernel makes and enters them, checks the privilege and each kind's rules, and
// /proc/PID/ns (procfs.cpp) shows them. PID and user namespaces are not served: the LibOS
// gives pids and ids of its own, which a host namespace of either would not change (a new
// pid namespace's first process would still not be pid 1, nor its parent 0), so unshare
// answers them as to a caller without CAP_SYS_ADMIN (EPERM) and clone names them (ENOSYS).
// NS_GET_NSTYPE, NS_GET_PARENT, NS_GET_USERNS and NS_GET_OWNER_UID are answered as far as
// the guest's namespaces answer them without the host: a pid or user namespace's parent and
// a user namespace's owner are always outside its view. NS_GET_MNTNS_ID is the host's.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/sched.h>

#include "device_requests.h"
#include "fd_table.h"
#include "namespaces.h"
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
constexpr uint64_t kGetMountNamespaceId = 0x8008b705; // NS_GET_MNTNS_ID, _IOR(0xb7, 5, u64)
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

// Every kind and the ABI's name of it (pid and user ones only entered, never made).
constexpr struct {
    uint64_t flag;
    uint32_t kind;
} kAbiKinds[] = {{CLONE_NEWNS, BSC_NAMESPACE_MOUNT},      {CLONE_NEWUTS, BSC_NAMESPACE_UTS},
                    {CLONE_NEWIPC, BSC_NAMESPACE_IPC},       {CLONE_NEWNET, BSC_NAMESPACE_NETWORK},
                    {CLONE_NEWCGROUP, BSC_NAMESPACE_CGROUP}, {CLONE_NEWTIME, BSC_NAMESPACE_TIME},
                    {CLONE_NEWPID, BSC_NAMESPACE_PID},       {CLONE_NEWUSER, BSC_NAMESPACE_USER}};
constexpr uint64_t kUnservedKinds = CLONE_NEWPID | CLONE_NEWUSER; // made new, that is

// Whether the process made a time namespace its children are to be in (unshare's
// CLONE_NEWTIME) and is not in it itself: its time and time_for_children differ.
bool time_for_children_differs = false;

uint32_t abi_kinds_of(uint64_t flags) {
    uint32_t kinds = 0;
    for (const auto &k : kAbiKinds)
        if (flags & k.flag)
            kinds |= k.kind;
    return kinds;
}

// Makes the host process's namespaces of the served kinds in `flags` new; a new time
// namespace is for the children made after.
int64_t unshare_on_host(uint64_t flags) {
    uint32_t kinds = abi_kinds_of(flags & ~kUnservedKinds);
    if (bsc_status status = abi().namespace_unshare(kinds))
        return result_of(status);
    if (flags & CLONE_NEWTIME)
        time_for_children_differs = true;
    return 0;
}

// The privilege a new namespace needs (ns_capable(CAP_SYS_ADMIN)), asked before the kinds
// the LibOS does not serve are named.
int64_t check_new_namespaces(uint64_t flags, const char *call) {
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (flags & kUnservedKinds) {
        report_unsupported(call, "a new pid or user namespace (the LibOS's own pids and ids)");
        return -EPERM;
    }
    return 0;
}

// Entering a namespace of kind `kind` (the install of each kind's proc_ns_operations), as
// far as the caller alone decides, for one thread alone of its process or not; the host's
// setns then checks the namespace itself.
int64_t check_entry(uint64_t kind, bool alone) {
    if (kind == CLONE_NEWUSER)
        return -EINVAL; // the guest's processes share one user namespace: the caller's own
    if (kind == CLONE_NEWTIME && !alone)
        return -EUSERS;
    if (!capable(CAP_SYS_ADMIN) || (kind == CLONE_NEWNS && !capable(CAP_SYS_CHROOT)))
        return -EPERM;
    if (kind == CLONE_NEWNS && !alone) // the file-system context is shared
        return -EINVAL;
    return 0;
}

// Enters the namespaces of kinds `kinds` that `from` (a namespace's stream or a process
// handle) names, then what entering leaves changed: a mount namespace's root becomes the
// root and the working directory (a chroot ends).
int64_t enter_on_host(bsc_handle from, uint64_t kinds) {
    bsc_status status = abi().namespace_enter(from, abi_kinds_of(kinds));
    if (status == BSC_E_TOO_MANY) { // the caller is alone: threads of the host side remain
        report_unsupported("setns", "a time namespace while an extension runs threads of its own");
        return -ENOSYS;
    }
    if (status != BSC_OK)
        return result_of(status);
    if (kinds & CLONE_NEWTIME)
        time_for_children_differs = false;
    if (kinds & CLONE_NEWNS) {
        set_root("/");
        set_cwd("/");
    }
    return 0;
}

// Enters the time namespace the process's children are to be in (a clone's child, and
// exec, as Linux's exec_task_namespaces does).
int64_t enter_time_for_children() {
    bsc_handle time = BSC_NO_HANDLE;
    bsc_status status = abi().stream_open("file:/proc/thread-self/ns/time_for_children",
                                          BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &time);
    if (status != BSC_OK)
        return result_of(status);
    int64_t result = enter_on_host(time, CLONE_NEWTIME);
    abi().object_close(time);
    return result;
}

// The host's handle of guest process `pid`'s host process (a host pidfd), or none.
bsc_handle open_host_process(int32_t pid) {
    ProcessCard card{};
    uint64_t host_id = 0;
    if (pid != current_pid()) {
        if (!read_card(pid, card))
            return BSC_NO_HANDLE;
        host_id = card.host_id;
    }
    bsc_handle handle = BSC_NO_HANDLE;
    return abi().process_open(host_id, &handle) == BSC_OK ? handle : BSC_NO_HANDLE;
}

} // namespace

// unshare: ksys_unshare's checks in its order. Sharing nothing with another thread, the
// process has nothing to unshare (CLONE_THREAD, _SIGHAND, _VM: EINVAL otherwise, as
// Linux's "pretend it works"; CLONE_FS, CLONE_FILES: a private copy for the caller alone,
// which the LibOS does not make, and which CLONE_NEWNS implies). The host makes the new
// namespaces; a new IPC namespace leaves the host's semaphore undo list there, as Linux's.
int64_t sys_unshare(Syscall &call) {
    uint64_t flags = implied_unshare_flags(call.arg[0]);
    if (flags & ~kUnshareFlags)
        return -EINVAL;
    bool alone = thread_count() == 1;
    if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) && !alone)
        return -EINVAL;
    if (flags & kNamespaces)
        if (int64_t error = check_new_namespaces(flags, "unshare"))
            return error;
    if ((flags & (CLONE_FS | CLONE_FILES)) && !alone) {
        report_unsupported("unshare", "CLONE_FS or CLONE_FILES in a process of several threads");
        return -ENOSYS;
    }
    if (flags & kNamespaces)
        if (int64_t error = unshare_on_host(flags))
            return error;
    if ((flags & CLONE_SYSVSEM) && !(flags & CLONE_NEWIPC) && semaphore_undo_taken()) {
        report_unsupported("unshare", "leaving the System V semaphore undo list after a SEM_UNDO");
        return -ENOSYS;
    }
    return 0;
}

// setns: a namespace's descriptor (of the kind `kinds` names, if not 0) or a pidfd with
// the kinds to enter of its process's, entered by the host process (its setns does
// validate_nsset's checks of the namespaces themselves).
int64_t sys_setns(Syscall &call) {
    int fd = static_cast<int>(call.arg[0]);
    uint64_t kinds = static_cast<uint32_t>(call.arg[1]); // an int in Linux's prototype
    FileRef file(fd);
    if (!file)
        return -EBADF;
    int32_t pid = -1; // the pidfd's process
    if (is_namespace_file(*file.get())) {
        uint32_t type = proc_namespace_type(file->path);
        if (kinds && kinds != type)
            return -EINVAL;
        kinds = type;
    } else if (is_pidfd(*file.get())) {
        if (!kinds || (kinds & ~kNamespaces))
            return -EINVAL;
        uint32_t flags = 0;
        int64_t target = pidfd_target(fd, flags);
        if (target < 0 || !process_exists(static_cast<int32_t>(target)))
            return -ESRCH;
        pid = static_cast<int32_t>(target);
    } else {
        return -EINVAL;
    }
    bool alone = thread_count() == 1;
    // With other kinds, a mount namespace is entered on a copy of the file-system context
    // (prepare_nsset), which no other thread shares.
    bool own_context = alone || (kinds & ~uint64_t{CLONE_NEWNS});
    for (uint64_t kind : kNamespaceKinds)
        if (kinds & kind)
            if (int64_t error = check_entry(kind, kind == CLONE_NEWNS ? own_context : alone))
                return error;
    if (pid < 0)
        return enter_on_host(file->handle, kinds);
    bsc_handle process = open_host_process(pid);
    if (process == BSC_NO_HANDLE)
        return -ESRCH;
    int64_t result = enter_on_host(process, kinds);
    abi().object_close(process);
    return result;
}

int64_t check_clone_namespaces(uint64_t flags) {
    if (!(flags & kNamespaces))
        return 0;
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if ((flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM))
        return -EINVAL;
    return 0;
}

bool clone_namespaces_served(uint64_t flags) {
    if (!(flags & kUnservedKinds))
        return true;
    report_unsupported("clone", "a new pid or user namespace (the LibOS's own pids and ids)");
    return false;
}

int64_t enter_clone_namespaces(uint64_t flags) {
    time_for_children_differs = false; // a child is in its parent's time_for_children
    if (!(flags & kNamespaces))
        return 0;
    if (int64_t error = unshare_on_host(flags))
        return error;
    // The child itself is in the new time namespace, which unshare made for children only.
    return flags & CLONE_NEWTIME ? enter_time_for_children() : 0;
}

void time_namespace_at_exec() {
    if (time_for_children_differs && enter_time_for_children() != 0)
        report_unsupported("execve", "the time namespace for children, which the host refused");
}

int64_t namespace_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    uint32_t type = proc_namespace_type(file.path);
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
    case kGetMountNamespaceId: // the host's namespace is the guest's: its id too
        return type == CLONE_NEWNS ? device_ioctl(file, request, address) : -EINVAL;
    default:
        // The other newer requests (pid translation, namespace ids, a mount namespace's
        // information) are not served.
        if (((request >> 8) & 0xff) == kNamespaceIo)
            report_unsupported("ioctl", "an nsfs request such as NS_GET_ID or NS_GET_PID_FROM_PIDNS");
        return -ENOTTY;
    }
}

} // namespace libos
