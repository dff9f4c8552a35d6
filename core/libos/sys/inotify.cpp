// SPDX-License-Identifier: MIT
// inotify: inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch. An inotify
// instance is the host's (a notify: stream, abi/README.md): the host's kernel watches the
// files, queues the events and writes them in Linux's record layout, so the descriptor's
// read (blocking, restartable), poll, select and epoll are those of any host stream, its
// FIONREAD is in fcntl.cpp, and the watch numbers are the host's.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/inotify.h>

#include "fd_table.h"
#include "libos_files.h"
#include "paths.h"
#include "syscalls.h"

namespace libos {
namespace {

// The mask bits inotify_add_watch takes (the kernel's ALL_INOTIFY_BITS).
constexpr uint32_t kWatchBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED |
                                IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_CREATE |
                                IN_MASK_ADD | IN_ISDIR | IN_ONESHOT;

// The ABI passes the program's mask and the host's records through unchanged.
static_assert(IN_ACCESS == BSC_WATCH_ACCESS && IN_CLOSE_NOWRITE == BSC_WATCH_CLOSE_NO_WRITE &&
              IN_MOVE_SELF == BSC_WATCH_MOVE_SELF && IN_Q_OVERFLOW == BSC_WATCH_OVERFLOW &&
              IN_IGNORED == BSC_WATCH_IGNORED && IN_ONLYDIR == BSC_WATCH_ONLY_DIRECTORY &&
              IN_DONT_FOLLOW == BSC_WATCH_NO_FOLLOW && IN_MASK_CREATE == BSC_WATCH_CREATE_ONLY &&
              IN_MASK_ADD == BSC_WATCH_ADD && IN_ISDIR == BSC_WATCH_IS_DIRECTORY &&
              IN_ONESHOT == BSC_WATCH_ONE_SHOT);
static_assert(sizeof(inotify_event) == sizeof(bsc_watch_event));

int64_t make_instance(uint64_t flags) {
    if (flags & ~uint64_t{IN_NONBLOCK | IN_CLOEXEC})
        return -EINVAL;
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_status status = abi().stream_open("notify:", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                                          flags & IN_NONBLOCK ? BSC_OPTION_NONBLOCK : 0, &handle);
    if (status != BSC_OK)
        return result_of(status); // TOO_MANY: the user's max_user_instances, EMFILE
    auto kept = static_cast<uint32_t>(O_RDONLY | (flags & O_NONBLOCK));
    return fd_install(open_file(handle, kept, BSC_TYPE_NOTIFIER, nullptr), 0, flags & O_CLOEXEC);
}

// Whether inotify_add_watch and inotify_rm_watch find a descriptor: not an O_PATH one,
// which the kernel's fdget skips (EBADF).
bool usable(const FileRef &file) { return file && !(file->flags & O_PATH); }

// Whether it is an inotify instance (else EINVAL).
bool is_instance(const OpenFile &file) {
    return file.type == BSC_TYPE_NOTIFIER && !is_libos_file(file);
}

} // namespace

int64_t sys_inotify_init(Syscall &) { return make_instance(0); }
int64_t sys_inotify_init1(Syscall &c) { return make_instance(c.arg[0]); }

// The kernel's order: the mask's bits, the descriptor, ADD with CREATE, the instance, the
// path (resolved here, followed by the host unless IN_DONT_FOLLOW); the host then checks
// the object (IN_ONLYDIR's ENOTDIR, read permission's EACCES, IN_MASK_CREATE's EEXIST,
// max_user_watches' ENOSPC).
int64_t sys_inotify_add_watch(Syscall &c) {
    auto mask = static_cast<uint32_t>(c.arg[2]);
    if ((mask & ~kWatchBits) || !(mask & kWatchBits))
        return -EINVAL;
    FileRef file(static_cast<int>(c.arg[0]));
    if (!usable(file))
        return -EBADF;
    if (((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)) || !is_instance(*file.get()))
        return -EINVAL;
    char uri[kPathMax + 16];
    bool follow = !(mask & IN_DONT_FOLLOW);
    if (int64_t error = user_path_uri(AT_FDCWD, c.arg[1], follow, uri, sizeof uri))
        return error;
    int32_t watch = -1;
    bsc_status status = abi().stream_watch(file->handle, uri, mask, &watch);
    return status == BSC_OK ? watch : result_of(status);
}

int64_t sys_inotify_rm_watch(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!usable(file))
        return -EBADF;
    if (!is_instance(*file.get()))
        return -EINVAL; // then a watch it does not have: EINVAL from the host
    auto watch = static_cast<int32_t>(c.arg[1]);
    return result_of(
        abi().stream_control(file->handle, BSC_CONTROL_WATCH_REMOVE, &watch, sizeof watch));
}

} // namespace libos
