// SPDX-License-Identifier: MIT
// Namespaces (ABI 1.25): namespace_unshare and namespace_enter are the host kernel's
// unshare(2) and setns(2), made by the calling thread. Every guest process is one host
// process, so the host's namespaces are the guest's: the kernel checks the privilege, the
// thread count and each kind's rules in its own order, and /proc/PID/ns shows the result.
// (namespace.cpp is the file-system namespace: paths, links, renames.)
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "bascule_host.h"
#include "errors.h"
#include "handles.h"
#include "host_calls.h"
#include "internal.h"

using namespace bsc;
using namespace bsc::host;

namespace {

#ifndef CLONE_NEWTIME
constexpr uint32_t CLONE_NEWTIME = 0x80;
#endif

constexpr struct {
    uint32_t kind;  // BSC_NAMESPACE_*
    uint32_t flag;  // Linux's CLONE_NEW*
} kKinds[] = {{BSC_NAMESPACE_MOUNT, CLONE_NEWNS},      {BSC_NAMESPACE_UTS, CLONE_NEWUTS},
              {BSC_NAMESPACE_IPC, CLONE_NEWIPC},       {BSC_NAMESPACE_NETWORK, CLONE_NEWNET},
              {BSC_NAMESPACE_CGROUP, CLONE_NEWCGROUP}, {BSC_NAMESPACE_TIME, CLONE_NEWTIME},
              {BSC_NAMESPACE_PID, CLONE_NEWPID},       {BSC_NAMESPACE_USER, CLONE_NEWUSER}};

constexpr uint32_t kAllKinds = (BSC_NAMESPACE_USER << 1) - 1;

// Linux's CLONE_NEW* flags for a set of kinds.
uint32_t host_flags_of(uint32_t kinds) {
    uint32_t flags = 0;
    for (const auto &k : kKinds)
        if (kinds & k.kind)
            flags |= k.flag;
    return flags;
}

std::atomic<RuntimeThreadsHook> pause_runtime_threads{nullptr}, resume_runtime_threads{nullptr};

// setns, with the runtime's own threads ended meanwhile when the kernel wants the process
// alone (a time or user namespace).
long enter_alone_if_needed(int fd, uint32_t kinds) {
    bool alone = kinds & (BSC_NAMESPACE_TIME | BSC_NAMESPACE_USER);
    RuntimeThreadsHook pause = alone ? pause_runtime_threads.load() : nullptr;
    RuntimeThreadsHook resume = alone ? resume_runtime_threads.load() : nullptr;
    if (pause)
        pause();
    long result = ::syscall(SYS_setns, fd, host_flags_of(kinds));
    int error = errno;
    if (resume)
        resume();
    errno = error;
    return result;
}

// The kernel's answers (a raw call's -1 with errno): EUSERS (a time or user namespace
// entered by a process of several threads) is TOO_MANY, ESRCH (a process that has ended)
// NOT_FOUND, as status_from_errno has it; the rest as any call's.
bsc_status namespace_status(long result) {
    if (result == 0)
        return BSC_OK;
    return errno == EUSERS ? BSC_E_TOO_MANY : status_from_errno(errno);
}

} // namespace

extern "C" bsc_status host_namespace_unshare(uint32_t kinds) {
    if (kinds == 0 || (kinds & ~kAllKinds))
        return BSC_E_INVALID;
    uint32_t flags = host_flags_of(kinds);
    // A new mount namespace needs a file-system context of the thread's own (the kernel
    // adds CLONE_FS itself; said here so that the reason is visible).
    if (flags & CLONE_NEWNS)
        flags |= CLONE_FS;
    return namespace_status(::syscall(SYS_unshare, flags));
}

extern "C" bsc_status host_namespace_enter(bsc_handle from, uint32_t kinds) {
    if (kinds & ~kAllKinds)
        return BSC_E_INVALID;
    std::shared_ptr<Object> object = handles().find(from);
    if (!object || object->fd < 0)
        return BSC_E_BAD_HANDLE;
    // A mount namespace is entered only by a thread whose file-system context no other
    // thread shares: the runtime's own threads share the guest thread's, which the guest
    // does not see (it checked its own threads), so the thread takes a copy of its own.
    if ((kinds == 0 || (kinds & BSC_NAMESPACE_MOUNT)) && ::syscall(SYS_unshare, CLONE_FS) != 0)
        return status_from_errno(errno);
    // A process handle holds the host's pidfd, a stream opened on /proc/PID/ns/NAME the
    // namespace's file: setns takes either, and says EINVAL for any other descriptor.
    return namespace_status(enter_alone_if_needed(object->fd, kinds));
}

namespace bsc::host {

void set_runtime_threads_hooks(RuntimeThreadsHook pause, RuntimeThreadsHook resume) {
    pause_runtime_threads.store(pause);
    resume_runtime_threads.store(resume);
}

} // namespace bsc::host
