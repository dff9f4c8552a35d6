// SPDX-License-Identifier: MIT
// kcmp: whether two processes (or threads) of the guest share a kernel object. The
// LibOS's threads share everything with their process and its processes share nothing
// with each other, so each object is named by the process that owns it; an open file by
// its identity (fd_table.h), which the copy a fork makes keeps. Linux orders different
// objects by their scrambled addresses: any order fixed for the boot is Linux's answer,
// and the LibOS's is by these names.
#include <asm-generic/errno.h>
#include <linux/kcmp.h>

#include "fd_table.h"
#include "process_tree.h"
#include "procfs.h"
#include "syscalls.h"
#include "thread.h"

namespace libos {
namespace {

// A task kcmp names: the caller's own process (any of its threads), or another process
// of the guest (by the pid of its first thread: the LibOS does not know its others).
struct Task {
    int32_t pid;  // its process
    bool own, ended; // the caller's; a zombie (its memory, descriptors and fs are gone)
};

int64_t find_task(int32_t id, Task &task) {
    if (id == current_pid() || (id > 0 && is_thread_of_process(id))) {
        task = {current_pid(), true, false};
        return 0;
    }
    ProcessCard card;
    if (id <= 0 || !read_card(id, card))
        return -ESRCH;
    task = {id, false, card.state == 'Z'};
    return 0;
}

int64_t order(uint64_t a, uint64_t b) { return a == b ? 0 : a < b ? 1 : 2; }

// The identity of the open file at descriptor `fd` of the task, or 0 if it has none.
uint64_t file_identity(const Task &task, uint32_t fd) {
    if (task.ended || fd >= static_cast<uint32_t>(kMaxFds))
        return 0;
    if (task.own) {
        FileRef file(static_cast<int>(fd));
        return file ? file->identity : 0;
    }
    OpenFile copy;
    return read_other_open_file(task.pid, static_cast<int>(fd), copy) ? copy.identity : 0;
}

} // namespace

int64_t sys_kcmp(Syscall &call) {
    Task first, second;
    if (int64_t error = find_task(static_cast<int32_t>(call.arg[0]), first) ?:
                        find_task(static_cast<int32_t>(call.arg[1]), second))
        return error;
    switch (static_cast<int32_t>(call.arg[2])) {
    case KCMP_FILE: { // the descriptor is an unsigned int in Linux's get_file_raw_ptr
        uint64_t a = file_identity(first, static_cast<uint32_t>(call.arg[3]));
        uint64_t b = file_identity(second, static_cast<uint32_t>(call.arg[4]));
        return a && b ? order(a, b) : -EBADF;
    }
    case KCMP_VM:
    case KCMP_FILES:
    case KCMP_FS: // a zombie's are gone (null): two zombies compare equal, as on Linux
        return order(first.ended ? 0 : static_cast<uint64_t>(first.pid),
                     second.ended ? 0 : static_cast<uint64_t>(second.pid));
    case KCMP_SIGHAND: return order(static_cast<uint64_t>(first.pid), static_cast<uint64_t>(second.pid));
    case KCMP_IO:      // the I/O context, which the kernel makes lazily: unknown here
    case KCMP_SYSVSEM: // the semaphore undo list, which Linux makes for the first thread
                       // created with CLONE_SYSVSEM (pthread_create) even without semop
    case KCMP_EPOLL_TFD: // an epoll's target file, by another task's epoll descriptor
        report_unsupported("kcmp", "KCMP_IO, KCMP_SYSVSEM, KCMP_EPOLL_TFD");
        return -EINVAL;
    default: return -EINVAL;
    }
}

} // namespace libos
