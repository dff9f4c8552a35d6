// SPDX-License-Identifier: MIT
// The control calls on open file descriptors: fcntl (descriptor and status flags, record
// locks, owner and signal, leases, directory notification, pipe size, seals), flock and
// ioctl.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/random.h>

#include "device_requests.h"
#include "fd_table.h"
#include "libos_files.h"
#include "pidfd.h"
#include "process_state.h"
#include "process_tree.h"
#include "procfs.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "terminal.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int64_t kMaxSignal = 64;
constexpr uint32_t kSettableFlags = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | FASYNC;
constexpr uint64_t kDnMultishot = 0x80000000; // DN_MULTISHOT
constexpr uint32_t kAllSeals = 0x1f;          // F_SEAL_SEAL ... F_SEAL_FUTURE_WRITE


// Whether the program may act as the file's owner (inode_owner_or_capable).
int64_t check_owner(const OpenFile &file, int64_t refusal) {
    bsc_stream_attributes attributes;
    if (int64_t error = file_attributes(file, attributes))
        return error;
    return owner_or_capable(attributes.owner) ? 0 : refusal;
}

// Objects whose driver takes O_ASYNC (the kernel's f_op->fasync): pipes, sockets,
// terminals, inotify instances and the random devices.
bool takes_async(const OpenFile &file) {
    return !file.kind && (file.type == BSC_TYPE_PIPE || file.type == BSC_TYPE_SOCKET ||
                          file.type == BSC_TYPE_TTY || file.type == BSC_TYPE_NOTIFIER ||
                          (file.type == BSC_TYPE_CHAR_DEVICE && is_libos_file(file)));
}

int64_t set_nonblock(OpenFile &file, bool on) {
    if (!is_libos_file(file)) {
        bsc_stream_attributes attributes{};
        attributes.options = on ? BSC_OPTION_NONBLOCK : 0;
        bsc_status status =
            abi().stream_attributes_set_by_handle(file.handle, BSC_SET_OPTIONS, &attributes);
        if (status != BSC_OK && status != BSC_E_INVALID)
            return result_of(status);
    }
    file.flags = on ? file.flags | O_NONBLOCK : file.flags & ~uint32_t{O_NONBLOCK};
    return 0;
}

// A status flag the host stream keeps (BSC_SET_APPEND, BSC_SET_PACKET).
int64_t set_host_flag(OpenFile &file, uint32_t which, uint32_t option, bool on) {
    if (!is_libos_file(file)) {
        bsc_stream_attributes attributes{};
        attributes.options = on ? option : 0;
        bsc_status status = abi().stream_attributes_set_by_handle(file.handle, which, &attributes);
        if (status != BSC_OK)
            return result_of(status);
    }
    uint32_t flag = which == BSC_SET_APPEND           ? O_APPEND
                    : which == BSC_SET_NO_ACCESS_TIME ? O_NOATIME
                                                      : O_DIRECT;
    file.flags = on ? file.flags | flag : file.flags & ~flag;
    return 0;
}

// F_SETFL's O_DIRECT, checked as setfl: on a pipe it is packet mode, which changes
// (BSC_SET_PACKET); EINVAL where the driver cannot do direct I/O (sockets, terminals,
// devices, LibOS objects). A regular file's host stream cannot change its O_DIRECT after
// open: turning it on or off is refused with EINVAL and named.
int64_t set_direct(OpenFile &file, bool direct) {
    bool pipe = file.type == BSC_TYPE_PIPE && !is_libos_file(file);
    bool regular = file.type == BSC_TYPE_FILE && !is_libos_file(file);
    if (direct && !pipe && !regular)
        return -EINVAL;
    if (direct == bool(file.flags & O_DIRECT))
        return 0;
    if (pipe)
        return set_host_flag(file, BSC_SET_PACKET, BSC_OPTION_PACKET, direct);
    report_unsupported("fcntl", direct ? "F_SETFL O_DIRECT" : "F_SETFL clearing O_DIRECT");
    return -EINVAL;
}

} // namespace

// F_GETFL: the open file's flags. Of a host stream, O_NONBLOCK, O_APPEND and a pipe's
// O_DIRECT are the host description's as they are now: another process that shares the
// description (after fork) may have changed them.
int64_t status_flags(OpenFile &file) {
    constexpr uint32_t kShared = O_NONBLOCK | O_APPEND | O_DIRECT;
    bsc_stream_attributes a{};
    if (is_libos_file(file) || abi().stream_attributes_query_by_handle(file.handle, &a) != BSC_OK)
        return file.flags;
    uint32_t live = (a.options & BSC_OPTION_NONBLOCK ? O_NONBLOCK : 0) |
                    (a.options & BSC_OPTION_APPEND ? O_APPEND : 0) |
                    (file.type == BSC_TYPE_PIPE && (a.options & BSC_OPTION_PACKET) ? O_DIRECT
                                                                                   : file.flags & O_DIRECT);
    uint32_t flags = (file.flags & ~kShared) | live;
    __atomic_store_n(&file.flags, flags, __ATOMIC_RELAXED);
    return flags;
}

namespace {

// O_ASYNC turned on or off (a driver's fasync, by F_SETFL or FIOASYNC on descriptor `fd`):
// on a host pipe, socket or inotify instance the host's kernel tells of each readiness
// (BSC_CONTROL_SET_ASYNC), which goes to the owner with `fd` as its si_fd (the fd
// fasync_helper keeps). Terminals (the host cannot, abi/README.md) and the random devices
// the LibOS serves never signal: the flag is kept, and named with --verbose.
int64_t set_async_notices(OpenFile &file, int fd, bool on) {
    if (is_libos_file(file) || !takes_async(file))
        return 0;
    if (file.type == BSC_TYPE_TTY) {
        if (on)
            report_unsupported("fcntl", "SIGIO delivery of a terminal (O_ASYNC)");
        return 0;
    }
    uint32_t value = on ? 1 : 0;
    bsc_status status =
        abi().stream_control(file.handle, BSC_CONTROL_SET_ASYNC, &value, sizeof value);
    if (status != BSC_OK)
        return result_of(status);
    if (on)
        file.notice_fd = fd;
    return 0;
}

// F_SETFL (setfl): O_APPEND, O_NONBLOCK, O_ASYNC and O_NOATIME change; the access mode and
// creation flags are ignored.
int64_t set_status_flags(OpenFile &file, int fd, uint64_t requested) {
    auto flags = static_cast<uint32_t>(requested) & kSettableFlags;
    uint32_t changed = flags ^ (file.flags & kSettableFlags);
    if ((changed & O_NOATIME) && (flags & O_NOATIME))
        if (int64_t error = check_owner(file, -EPERM))
            return error;
    if (int64_t error = set_direct(file, flags & O_DIRECT))
        return error;
    if (changed & O_APPEND)
        if (int64_t error = set_host_flag(file, BSC_SET_APPEND, BSC_OPTION_APPEND,
                                          flags & O_APPEND))
            return error;
    // The host's descriptor reads without touching the access time from now on.
    if (changed & O_NOATIME)
        if (int64_t error = set_host_flag(file, BSC_SET_NO_ACCESS_TIME, BSC_OPTION_NO_ACCESS_TIME,
                                          flags & O_NOATIME))
            return error;
    if (changed & FASYNC)
        if (int64_t error = set_async_notices(file, fd, flags & FASYNC))
            return error;
    if (int64_t error = set_nonblock(file, flags & O_NONBLOCK))
        return error;
    file.flags = (file.flags & ~FASYNC) | (flags & FASYNC);
    return 0;
}

struct Flock {
    int16_t type, whence;
    int64_t start, length;
    int32_t pid;
};

// The lock's range as the kernel's flock_to_posix_lock makes it: from the whence base,
// a negative length reaching back from l_start; EINVAL before the start of the file.
int64_t lock_range(OpenFile &file, const Flock &lock, bsc_lock &range) {
    int64_t base = 0;
    if (lock.whence == 1 /* SEEK_CUR */) {
        uint64_t position = 0;
        abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &position);
        base = static_cast<int64_t>(position);
    } else if (lock.whence == 2 /* SEEK_END */) {
        bsc_stream_attributes a{};
        abi().stream_attributes_query_by_handle(file.handle, &a);
        base = static_cast<int64_t>(a.size);
    } else if (lock.whence != 0) {
        return -EINVAL;
    }
    int64_t start;
    if (__builtin_add_overflow(base, lock.start, &start) || start < 0)
        return -EINVAL;
    int64_t length = lock.length;
    if (length < 0) {
        start += length;
        length = -length;
        if (start < 0)
            return -EINVAL;
    } else if (length > 0 && start - 1 > INT64_MAX - length) {
        return -EOVERFLOW;
    }
    range.start = static_cast<uint64_t>(start);
    range.length = static_cast<uint64_t>(length);
    return 0;
}

// A file the LibOS serves itself has no host object to lock, and the LibOS keeps no lock
// table of its own: ENOLCK.
int64_t lockable(const char *call, const OpenFile &file) {
    if (!is_libos_file(file))
        return 0;
    report_unsupported(call, "locks on a file the LibOS serves (eventfd, /proc)");
    return -ENOLCK;
}

// stream_lock `command` on `lock` for system call `call`: 0 or -errno. A wait interrupted for no signal (a checkpoint) goes
// on; a signal restarts it after a SA_RESTART handler, as the kernel's -ERESTARTSYS.
int64_t call_lock(const char *call, OpenFile &file, uint32_t command, bsc_lock &lock) {
    if (int64_t error = lockable(call, file))
        return error;
    bsc_lock asked = lock;
    bsc_status status;
    while ((status = abi().stream_lock(file.handle, command, &lock)) == BSC_E_INTERRUPTED &&
           !signal_pending())
        lock = asked;
    if (status == BSC_E_INTERRUPTED)
        return -kRestartSyscall;
    return status == BSC_OK ? 0 : status == BSC_E_AGAIN ? -EAGAIN : result_of(status);
}

constexpr uint64_t kCreatedQuery = 1024 + 4; // F_CREATED_QUERY, Linux 6.12

// Whether the process ever asked for a POSIX record lock: until it has, a close has none
// to drop (and costs no host call).
bool posix_locks_taken;

bool is_ofd_command(uint64_t command) { return command >= F_OFD_GETLK && command <= F_OFD_SETLKW; }

// F_GETLK, F_SETLK, F_SETLKW and their open-file-description forms.
int64_t record_lock(OpenFile &file, uint64_t command, uint64_t user_lock) {
    Flock lock;
    if (!get_user(user_lock, lock))
        return -EFAULT;
    bool test = command == F_GETLK || command == F_OFD_GETLK;
    if (lock.type != F_RDLCK && lock.type != F_WRLCK && (test || lock.type != F_UNLCK))
        return -EINVAL;
    if (is_ofd_command(command) && lock.pid != 0)
        return -EINVAL;
    if (!test && ((lock.type == F_RDLCK && (file.flags & O_ACCMODE) == O_WRONLY) ||
                  (lock.type == F_WRLCK && (file.flags & O_ACCMODE) == O_RDONLY)))
        return -EBADF;
    bsc_lock request{static_cast<uint32_t>(lock.type == F_RDLCK   ? BSC_LOCK_READ
                                           : lock.type == F_WRLCK ? BSC_LOCK_WRITE
                                                                  : BSC_LOCK_UNLOCK),
                     0, 0, 0};
    if (int64_t error = lock_range(file, lock, request))
        return error;
    if (!is_ofd_command(command)) {
        request.flags = BSC_LOCK_PROCESS;
        __atomic_store_n(&posix_locks_taken, true, __ATOMIC_RELAXED);
    }
    if (!test) {
        uint32_t bsc_command = command == F_SETLKW || command == F_OFD_SETLKW ? BSC_LOCK_SET_WAIT
                                                                              : BSC_LOCK_SET;
        return call_lock("fcntl", file, bsc_command, request);
    }
    if (int64_t error = lockable("fcntl", file))
        return error;
    uint64_t holder = 0;
    if (bsc_status status = abi().stream_lock_query(file.handle, &request, &holder))
        return result_of(status);
    // No conflict: only l_type changes, as in the kernel's fcntl_getlk.
    if (request.type == BSC_LOCK_UNLOCK) { // request now holds what stream_lock_query found
        lock.type = F_UNLCK;
    } else {
        lock.type = request.type == BSC_LOCK_READ ? F_RDLCK : F_WRLCK;
        lock.whence = 0;
        lock.start = static_cast<int64_t>(request.start);
        lock.length = static_cast<int64_t>(request.length);
        // An open file description's lock has no process (-1); a process outside the
        // guest is outside the program's view: 0, as the kernel shows a holder outside
        // the caller's pid namespace.
        lock.pid = !(request.flags & BSC_LOCK_PROCESS) ? -1
                   : request.flags & BSC_LOCK_OWN      ? current_pid()
                                                       : pid_of_host_process(holder);
    }
    return put_user(user_lock, lock) ? 0 : -EFAULT;
}

// The owner of SIGIO (F_SETOWN_EX): the calling process, its group or its initial thread
// (all with its pid); 0 means nobody.
int64_t set_owner(OpenFile &file, int32_t type, int32_t who) {
    if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
        return -EINVAL;
    if (who != 0 && who != current_pid())
        return -ESRCH;
    file.owner = who;
    file.owner_type = type;
    if (who != 0 && (file.flags & FASYNC) && is_libos_file(file) && takes_async(file))
        report_unsupported("fcntl", "SIGIO delivery of a random device (F_SETOWN with O_ASYNC)");
    return 0;
}

// F_SETOWN: a negative id names a process group.
int64_t set_owner_id(OpenFile &file, int32_t id) {
    return id < 0 ? set_owner(file, F_OWNER_PGRP, -id) : set_owner(file, F_OWNER_PID, id);
}

int64_t set_owner_ex(OpenFile &file, uint64_t address) {
    f_owner_ex owner;
    if (!get_user(address, owner))
        return -EFAULT;
    return set_owner(file, owner.type, owner.pid);
}

int64_t get_owner_ex(const OpenFile &file, uint64_t address) {
    f_owner_ex owner{file.owner_type, file.owner};
    return put_user(address, owner) ? 0 : -EFAULT;
}

// F_SETLEASE and F_NOTIFY make the caller's process the file's owner (__f_setown), to
// whom what the host tells of it goes, with the descriptor asked on as its si_fd.
void own_notices(OpenFile &file, int fd) {
    file.owner = current_pid();
    file.owner_type = F_OWNER_PID;
    file.notice_fd = fd;
}

// F_SETLEASE on a file of the LibOS's own (an eventfd, /proc): releasing a lease it
// cannot hold is exact (EAGAIN, after the owner and file type checks of
// generic_setlease); taking one is refused as a file system without leases refuses it.
int64_t set_own_file_lease(const OpenFile &file, uint64_t type) {
    if (int64_t error = check_owner(file, -EACCES))
        return error;
    if (file.type != BSC_TYPE_FILE || file.kind)
        return -EINVAL;
    if (type == F_UNLCK)
        return -EAGAIN;
    report_unsupported("fcntl", "F_SETLEASE on a file the LibOS serves");
    return -EINVAL;
}

// F_SETLEASE: the host's kernel holds the lease on the host file and checks it as
// vfs_setlease does (EACCES for another's file without CAP_LEASE, EINVAL for no regular
// file, EAGAIN for a conflicting open or lease); a break comes as a notice. A type other
// than the three is EINVAL first, as lease_alloc finds it.
int64_t set_lease(OpenFile &file, int fd, uint64_t type) {
    if (type != F_RDLCK && type != F_WRLCK && type != F_UNLCK)
        return -EINVAL;
    if (is_libos_file(file))
        return set_own_file_lease(file, type);
    uint32_t wanted = type == F_RDLCK ? BSC_LOCK_READ : type == F_WRLCK ? BSC_LOCK_WRITE
                                                                        : BSC_LOCK_UNLOCK;
    bsc_status status = abi().stream_control(file.handle, BSC_CONTROL_SET_LEASE, &wanted,
                                             sizeof wanted);
    if (status != BSC_OK)
        return status == BSC_E_NOT_SUPPORTED ? -EINVAL : result_of(status);
    if (type != F_UNLCK)
        own_notices(file, fd);
    return 0;
}

// F_GETLEASE: the lease the host file holds for this open file (a file of the LibOS's
// own never has one).
int64_t get_lease(const OpenFile &file) {
    if (is_libos_file(file))
        return F_UNLCK;
    uint32_t held = BSC_LOCK_UNLOCK;
    bsc_status status = abi().stream_control(file.handle, BSC_CONTROL_LEASE, &held, sizeof held);
    if (status != BSC_OK)
        return result_of(status);
    return held == BSC_LOCK_READ ? F_RDLCK : held == BSC_LOCK_WRITE ? F_WRLCK : F_UNLCK;
}

// F_NOTIFY (fcntl_dirnotify): removing a notification (no event bits) succeeds on any
// file; the host's kernel watches a host directory (ENOTDIR for what is none) and tells
// of each change. A directory the LibOS serves (/proc's own) has no changes to tell of:
// refused as a kernel without dnotify refuses it.
int64_t directory_notify(OpenFile &file, int fd, uint32_t events) {
    if ((events & ~kDnMultishot) == 0 && is_libos_file(file))
        return 0;
    if (is_libos_file(file)) {
        if (file.type != BSC_TYPE_DIRECTORY)
            return -ENOTDIR;
        report_unsupported("fcntl", "F_NOTIFY on a directory the LibOS serves");
        return -EINVAL;
    }
    bsc_status status = abi().stream_control(file.handle, BSC_CONTROL_WATCH_DIRECTORY,
                                             &events, sizeof events);
    if (status != BSC_OK)
        return status == BSC_E_NOT_SUPPORTED ? -EINVAL : result_of(status);
    if ((events & ~kDnMultishot) != 0)
        own_notices(file, fd);
    return 0;
}

// What send_sigio sends the owner of `file` for a notice: F_SETSIG's signal with the
// notice's reason, band and the descriptor, or a plain SIGIO (SI_KERNEL); nothing without
// an owner. The owner is a process, a process group or a thread (F_SETOWN_EX).
void tell_owner(const OpenFile &file, const bsc_notice &notice) {
    if (file.owner == 0)
        return;
    SignalInfo info = file.io_signal != 0
                          ? poll_signal(file.io_signal, static_cast<int32_t>(notice.reason),
                                        notice.band, file.notice_fd)
                          : SignalInfo{SIGIO, kSiKernel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (file.owner_type == F_OWNER_PGRP)
        signal_group(file.owner, info);
    else if (file.owner_type != F_OWNER_TID)
        signal_process(file.owner, info);
    else if (raise_thread_signal_info(file.owner, info) == -ESRCH)
        signal_initial_thread(file.owner, info); // a copy made by fork: the owner's
}

// Tells the owner of the open file a notice is about (the first descriptor's with its
// handle), or its queue of a message's arrival (mqueue.cpp). A real-time signal's every
// instance is queued with its own siginfo (the si_fd of each of two watched
// directories); a standard one pending already takes no second (legacy_queue: the
// first one's siginfo is kept).
void deliver_notice(const bsc_notice &notice) {
    for (int fd = 0; fd < kMaxFds; fd++) {
        FileRef file(fd);
        if (!file || file->handle != notice.handle)
            continue;
        if (notice.reason == BSC_NOTICE_QUEUE)
            return queue_notice(*file.get(), notice);
        return tell_owner(*file.get(), notice);
    }
}

int64_t pipe_capacity(OpenFile &file, uint32_t command, uint64_t wanted) {
    if (file.type != BSC_TYPE_PIPE || is_libos_file(file))
        return -EBADF;
    uint64_t value = wanted;
    bsc_status status = abi().stream_control(file.handle, command, &value, sizeof value);
    return status == BSC_OK ? static_cast<int64_t>(value) : result_of(status);
}

// F_ADD_SEALS / F_GET_SEALS, as memfd_fcntl: only a memfd has seals; the LibOS's memfds
// are never created with MFD_ALLOW_SEALING, so they hold F_SEAL_SEAL.
int64_t seals(const OpenFile &file, uint64_t command, uint64_t add) {
    if (command == F_GET_SEALS)
        return file.memfd ? F_SEAL_SEAL : -EINVAL;
    if ((file.flags & O_ACCMODE) == O_RDONLY)
        return -EPERM;
    if ((add & ~uint64_t{kAllSeals}) || !file.memfd)
        return -EINVAL;
    return -EPERM;
}

// FIOASYNC (ioctl_fioasync): a driver without fasync refuses a change with ENOTTY.
int64_t set_async(OpenFile &file, int fd, uint64_t address) {
    int32_t on;
    if (!get_user(address, on))
        return -EFAULT;
    bool was = file.flags & FASYNC;
    if (bool(on) == was)
        return 0;
    if (!takes_async(file))
        return -ENOTTY;
    if (int64_t error = set_async_notices(file, fd, on != 0))
        return error;
    file.flags = on ? file.flags | FASYNC : file.flags & ~uint32_t{FASYNC};
    if (on && file.owner != 0 && is_libos_file(file))
        report_unsupported("ioctl", "SIGIO delivery of a random device (FIOASYNC)");
    return 0;
}

// FIONREAD on a regular file: the bytes from the position to the end (may be negative).
int64_t readable_in_file(const OpenFile &file, const bsc_stream_attributes &attributes,
                         uint64_t address) {
    uint64_t position = 0;
    if (!is_libos_file(file))
        abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &position);
    else
        position = file.position;
    auto bytes = static_cast<int32_t>(attributes.size - position);
    return put_user(address, bytes) ? 0 : -EFAULT;
}

// An inotify instance's requests (inotify_ioctl): FIONREAD, the bytes of the queued
// events. INOTIFY_IOC_SETNEXTWD (the next watch's number, for checkpoint/restore tools)
// cannot reach the host's instance: ENOTTY, as from a kernel without
// CONFIG_CHECKPOINT_RESTORE.
int64_t notifier_ioctl(const OpenFile &file, uint64_t request, uint64_t address) {
    constexpr uint64_t kSetNextWatch = 0x40044900; // _IOW('I', 0, __s32)
    if (request == kSetNextWatch)
        report_unsupported("ioctl", "INOTIFY_IOC_SETNEXTWD");
    if (request != FIONREAD)
        return -ENOTTY;
    uint64_t bytes = 0;
    if (bsc_status status = abi().stream_control(file.handle, BSC_CONTROL_READABLE, &bytes,
                                                 sizeof bytes))
        return result_of(status);
    return put_user(address, static_cast<int32_t>(bytes)) ? 0 : -EFAULT;
}

// The random devices' own requests (random_ioctl): the entropy count is full (256 bits
// once the generator is ready); the changing ones need CAP_SYS_ADMIN and change nothing
// the program can see. Any other request is EINVAL.
int64_t random_ioctl(uint64_t request, uint64_t address) {
    switch (request) {
    case RNDGETENTCNT: return put_user(address, int32_t{256}) ? 0 : -EFAULT;
    case RNDADDTOENTCNT: {
        int32_t count;
        if (!capable(CAP_SYS_ADMIN))
            return -EPERM;
        return get_user(address, count) ? 0 : -EFAULT;
    }
    case RNDADDENTROPY: {
        int32_t header[2]; // entropy_count, buf_size
        if (!capable(CAP_SYS_ADMIN))
            return -EPERM;
        if (!get_user(address, header))
            return -EFAULT;
        return header[0] < 0 ? -EINVAL : 0;
    }
    case RNDZAPENTCNT:
    case RNDCLEARPOOL:
    case RNDRESEEDCRNG: return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
    default: return -EINVAL;
    }
}

// The memory devices /dev/null, /dev/zero and /dev/full, whose driver has no ioctl at
// all: every request is ENOTTY, exactly. Told by their numbers (1:3, 1:5, 1:7), as a
// descriptor the program was started with has no path.
bool device_without_ioctl(const bsc_stream_attributes &attributes) {
    constexpr uint64_t kNull = 0x103, kZero = 0x105, kFull = 0x107;
    return attributes.type == BSC_TYPE_CHAR_DEVICE &&
           (attributes.rdev == kNull || attributes.rdev == kZero || attributes.rdev == kFull);
}

// A request nobody in the LibOS serves. A host device's driver (a request the ABI's
// BSC_DEVICE_REQUESTS does not carry; /dev/net/tun's, which are 'T' too), a socket's protocol
// (SIOCGIFCONF, SIOCOUTQ) or a file system (FIEMAP, FIDEDUPERANGE, FITRIM) may
// serve requests the ABI cannot pass on: the answer is the one Linux gives where nobody
// serves it, and --verbose names it. A terminal's request ('T': isatty's TCGETS) on a
// file, directory, pipe or socket, which have no terminal requests, is ENOTTY exactly
// (but a socket's SIOCOUTQ, which is TIOCOUTQ). So is a device request of the ABI's table
// (BLKGETSIZE64, which mkfs asks of an image file) on a file or directory, whose file
// systems have none.
int64_t unserved_request(const bsc_stream_attributes &attributes, uint64_t request) {
    constexpr uint64_t kTerminalType = 'T';
    constexpr uint64_t kSocketOutQueue = 0x5411; // SIOCOUTQ, TIOCOUTQ
    bool terminal_request = ((request >> 8) & 0xff) == kTerminalType; // _IOC_TYPE
    uint32_t type = attributes.type;
    if (type == BSC_TYPE_CHAR_DEVICE || type == BSC_TYPE_BLOCK_DEVICE) {
        if (!device_without_ioctl(attributes))
            report_unsupported_request("ioctl", "a device driver's own request", request,
                                       type == BSC_TYPE_BLOCK_DEVICE ? "a block device"
                                                                     : "a character device");
    } else if (type == BSC_TYPE_SOCKET) {
        if (!terminal_request || request == kSocketOutQueue)
            report_unsupported_request("ioctl", "a socket's request (SIOC*)", request,
                                       "a socket");
    } else if ((type == BSC_TYPE_FILE || type == BSC_TYPE_DIRECTORY) && !terminal_request &&
               !is_device_request(request)) {
        report_unsupported_request("ioctl", "a file system's own request", request,
                                   type == BSC_TYPE_FILE ? "a regular file" : "a directory");
    }
    return -ENOTTY;
}

// What the object's own driver answers, after the requests every file takes.
int64_t driver_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    if (file.kind && file.kind->ioctl)
        return file.kind->ioctl(file, request, address);
    if (file.kind) { // an eventfd has no ioctl of its own
        // A pidfd's (pidfs': PIDFD_GET_INFO, Linux 6.13, and the namespace requests of
        // 6.11) are not served: ENOTTY, as from a kernel before them, and named.
        constexpr uint64_t kPidfsType = 0xff;
        if (is_pidfd(file) && ((request >> 8) & 0xff) == kPidfsType)
            report_unsupported_request("ioctl", "a pidfd's request (PIDFD_GET_*)", request,
                                       "a pidfd");
        return -ENOTTY;
    }
    if (is_libos_file(file) && file.type == BSC_TYPE_CHAR_DEVICE)
        return random_ioctl(request, address);
    if (file.type == BSC_TYPE_NOTIFIER)
        return notifier_ioctl(file, request, address);
    bsc_stream_attributes attributes;
    if (int64_t error = file_attributes(file, attributes))
        return error;
    if (attributes.type == BSC_TYPE_TTY)
        return terminal_ioctl(file, request, address);
    if (request == FIONREAD && attributes.type == BSC_TYPE_FILE)
        return readable_in_file(file, attributes, address);
    if (request == FIONREAD && (attributes.type == BSC_TYPE_PIPE ||
                                attributes.type == BSC_TYPE_SOCKET))
        return put_user(address, static_cast<int32_t>(attributes.size)) ? 0 : -EFAULT;
    if (request == FIOQSIZE && (attributes.type == BSC_TYPE_FILE ||
                                attributes.type == BSC_TYPE_DIRECTORY))
        return put_user(address, static_cast<int64_t>(attributes.size)) ? 0 : -EFAULT;
    if (is_namespace_file(file))
        return namespace_ioctl(file, request, address);
    bool device = attributes.type == BSC_TYPE_CHAR_DEVICE ||
                  attributes.type == BSC_TYPE_BLOCK_DEVICE;
    constexpr uint64_t kUserfaultfdNew = 0xAA00; // USERFAULTFD_IOC_NEW, /dev/userfaultfd's
    if (attributes.type == BSC_TYPE_CHAR_DEVICE && request == kUserfaultfdNew)
        return userfaultfd_device_ioctl(file, address); // ENOTTY from another driver
    if (device && is_device_request(request)) // the loop and block drivers' own
        return device_ioctl(file, request, address);
    bool host_file = (attributes.type == BSC_TYPE_FILE ||
                      attributes.type == BSC_TYPE_DIRECTORY) && !is_libos_file(file);
    if (host_file && is_file_request(request)) // FS_IOC_GETFLAGS, FICLONE ...
        return device_ioctl(file, request, address);
    return unserved_request(attributes, request);
}

// F_CREATED_QUERY (Linux 6.12, an O_PATH descriptor's too): whether the open that made
// this open file created its file, FMODE_CREATED, which the host's open file has as the
// kernel set it. Nothing the LibOS makes itself was created by an open: its own objects,
// a memfd (whose host file is its backing, opened with creation), an O_PATH open (which
// ignores O_CREAT).
int64_t created_query(const OpenFile &file) {
    if (is_libos_file(file) || file.memfd || (file.flags & O_PATH))
        return 0;
    uint32_t created = 0;
    bsc_status status =
        abi().stream_control(file.handle, BSC_CONTROL_CREATED, &created, sizeof created);
    // A host kernel before 6.12 (NOT_IMPLEMENTED), a file a checkpoint's restore opened
    // again (NOT_SUPPORTED): EINVAL, as a kernel without the command answers.
    if (status == BSC_E_NOT_IMPLEMENTED || status == BSC_E_NOT_SUPPORTED) {
        report_unsupported("fcntl", "F_CREATED_QUERY (a host before 6.12, a restored file)");
        return -EINVAL;
    }
    return status == BSC_OK ? created : result_of(status);
}

} // namespace

void take_file_notices() {
    constexpr uint32_t kBatch = 16;
    bsc_notice notices[kBatch];
    uint32_t taken = 0;
    do {
        if (abi().process_notices_take(notices, kBatch, &taken) != BSC_OK)
            taken = 0;
        for (uint32_t i = 0; i < taken; i++)
            deliver_notice(notices[i]);
    } while (taken == kBatch);
}

void drop_posix_locks(OpenFile &file) {
    if (!__atomic_load_n(&posix_locks_taken, __ATOMIC_RELAXED) || is_libos_file(file))
        return;
    bsc_lock everything{BSC_LOCK_UNLOCK, BSC_LOCK_PROCESS, 0, 0}; // length 0: to the end
    abi().stream_lock(file.handle, BSC_LOCK_SET, &everything);
}

int64_t sys_fcntl(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    FileRef file(fd);
    if (!file)
        return -EBADF;
    uint64_t command = static_cast<uint32_t>(c.arg[1]);
    bool path_only = file->flags & O_PATH;
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return fd_duplicate(fd, static_cast<int64_t>(c.arg[2]), command == F_DUPFD_CLOEXEC);
    case F_GETFD: return fd_cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: fd_set_cloexec(fd, c.arg[2] & FD_CLOEXEC); return 0;
    case F_GETFL: return status_flags(*file.get());
    case kCreatedQuery: return created_query(*file.get());
    }
    if (path_only) // an O_PATH descriptor takes only the commands above
        return -EBADF;
    switch (command) {
    case F_SETFL: return set_status_flags(*file.get(), fd, c.arg[2]);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: return record_lock(*file.get(), command, c.arg[2]);
    case F_GETOWN: return file->owner_type == F_OWNER_PGRP ? -file->owner : file->owner;
    case F_SETOWN: return set_owner_id(*file.get(), static_cast<int32_t>(c.arg[2]));
    case F_GETOWN_EX: return get_owner_ex(*file.get(), c.arg[2]);
    case F_SETOWN_EX: return set_owner_ex(*file.get(), c.arg[2]);
    case F_GETSIG: return file->io_signal;
    case F_SETSIG:
        if (c.arg[2] > kMaxSignal)
            return -EINVAL;
        file->io_signal = static_cast<int32_t>(c.arg[2]);
        return 0;
    case F_GETLEASE: return get_lease(*file.get());
    case F_SETLEASE: return set_lease(*file.get(), fd, static_cast<uint32_t>(c.arg[2]));
    case F_NOTIFY: return directory_notify(*file.get(), fd, static_cast<uint32_t>(c.arg[2]));
    case F_GETPIPE_SZ: return pipe_capacity(*file.get(), BSC_CONTROL_PIPE_CAPACITY, 0);
    case F_SETPIPE_SZ:
        return pipe_capacity(*file.get(), BSC_CONTROL_PIPE_SET_CAPACITY,
                             static_cast<uint32_t>(c.arg[2]));
    case F_ADD_SEALS:
    case F_GET_SEALS: return seals(*file.get(), command, c.arg[2]);
    default: return -EINVAL;
    }
}

// flock: the open file description's whole-file lock, in the kernel's order of checks
// (the operation, the descriptor, then its access: an unlock needs none).
int64_t sys_flock(Syscall &c) {
    uint32_t operation = static_cast<uint32_t>(c.arg[1]);
    if (operation & LOCK_MAND) // ignored since Linux 5.15, which warns once
        return 0;
    uint32_t type = operation & ~uint32_t{LOCK_NB};
    if (type != LOCK_SH && type != LOCK_EX && type != LOCK_UN)
        return -EINVAL;
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (type != LOCK_UN && (file->flags & O_ACCMODE) == 3) // neither read nor write
        return -EBADF;
    bsc_lock lock{static_cast<uint32_t>(type == LOCK_SH   ? BSC_LOCK_READ
                                        : type == LOCK_EX ? BSC_LOCK_WRITE
                                                          : BSC_LOCK_UNLOCK),
                  BSC_LOCK_WHOLE_FILE, 0, 0};
    return call_lock("flock", *file.get(), operation & LOCK_NB ? BSC_LOCK_SET : BSC_LOCK_SET_WAIT,
                     lock);
}

int64_t sys_ioctl(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    FileRef file(fd);
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    uint64_t request = static_cast<uint32_t>(c.arg[1]);
    switch (request) { // do_vfs_ioctl: what every file takes
    case FIOCLEX: fd_set_cloexec(fd, true); return 0;
    case FIONCLEX: fd_set_cloexec(fd, false); return 0;
    case FIONBIO: {
        int32_t on;
        if (!get_user(c.arg[2], on))
            return -EFAULT;
        return set_nonblock(*file.get(), on != 0);
    }
    case FIOASYNC: return set_async(*file.get(), fd, c.arg[2]);
    default: return driver_ioctl(*file.get(), request, c.arg[2]);
    }
}

} // namespace libos
