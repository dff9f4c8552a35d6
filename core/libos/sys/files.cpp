// SPDX-License-Identifier: MIT
// System calls on open file descriptors: read and write (plain, positional, vectored),
// lseek, close, dup, fcntl, ioctl, fsync, ftruncate, getdents64, fstat, fchmod, fchown,
// fchdir.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm/ioctls.h>
#include <asm/signal.h>
#include <asm/termbits.h>
#include <linux/fcntl.h>

#include "fd_table.h"
#include "heap.h"
#include "libos_files.h"
#include "paths.h"
#include "signals.h"
#include "stat.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kMaxIov = 1024;
// The largest single read or write, as Linux caps it.
constexpr uint64_t kMaxTransfer = 0x7ffff000;
constexpr int64_t kPipeCapacity = 65536;

struct Iovec {
    uint64_t base, length;
};

bool readable(const OpenFile &file) { return (file.flags & O_ACCMODE) != O_WRONLY; }
bool writable(const OpenFile &file) { return (file.flags & O_ACCMODE) != O_RDONLY; }

bool seekable(uint32_t type) {
    return type == BSC_TYPE_FILE || type == BSC_TYPE_DIRECTORY || type == BSC_TYPE_BLOCK_DEVICE;
}

// One read or write through the ABI, retried when the thread is interrupted for no
// signal (a checkpoint); a signal stops it, to be restarted after a SA_RESTART handler.
int64_t transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size, bool write) {
    if (write ? !writable(file) : !readable(file))
        return -EBADF;
    if (file.type == BSC_TYPE_DIRECTORY)
        return -EISDIR;
    if (size > kMaxTransfer)
        size = kMaxTransfer;
    if (is_libos_file(file))
        return libos_file_transfer(file, offset, buffer, size, write);
    uint64_t done = 0;
    bsc_status status;
    do
        status = write ? abi().stream_write(file.handle, offset,
                                            reinterpret_cast<const void *>(buffer), size, &done)
                       : abi().stream_read(file.handle, offset, reinterpret_cast<void *>(buffer),
                                           size, &done);
    while (status == BSC_E_INTERRUPTED && !signal_pending());
    if (status == BSC_E_INTERRUPTED)
        return -kRestartSyscall;
    if (status == BSC_E_BROKEN_PIPE)
        raise_signal(SIGPIPE, kSiUser); // and the write fails with EPIPE, as on Linux
    return status == BSC_OK ? static_cast<int64_t>(done) : result_of(status);
}

int64_t transfer_fd(int fd, uint64_t offset, uint64_t buffer, uint64_t size, bool write) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (offset != BSC_AT_POSITION && !seekable(file->type))
        return -ESPIPE;
    return transfer(*file.get(), offset, buffer, size, write);
}

int64_t transfer_vector(int fd, uint64_t iov, uint64_t count, bool write) {
    if (count > kMaxIov)
        return -EINVAL;
    FileRef file(fd);
    if (!file)
        return -EBADF;
    int64_t total = 0;
    for (uint64_t i = 0; i < count; i++) {
        Iovec v;
        if (!get_user(iov + i * sizeof v, v))
            return total ? total : -EFAULT;
        if (v.length == 0)
            continue;
        int64_t n = transfer(*file.get(), BSC_AT_POSITION, v.base, v.length, write);
        if (n < 0)
            return total ? total : n;
        total += n;
        if (static_cast<uint64_t>(n) < v.length)
            break;
    }
    return total;
}

int64_t duplicate(int fd, int lowest, bool cloexec) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    file_acquire(file.get());
    return fd_install(file.get(), lowest, cloexec);
}

int64_t duplicate_to(int fd, int target, bool cloexec) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (target < 0 || target >= kMaxFds)
        return -EBADF;
    file_acquire(file.get());
    return fd_install_at(file.get(), target, cloexec);
}

int64_t set_status_flags(OpenFile &file, uint64_t flags) {
    bsc_stream_attributes attributes{};
    attributes.options = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    bsc_status status = is_libos_file(file) ? BSC_OK
                                            : abi().stream_attributes_set_by_handle(
                                                  file.handle, BSC_SET_OPTIONS, &attributes);
    if (status != BSC_OK && status != BSC_E_INVALID)
        return result_of(status);
    file.flags = (file.flags & ~uint32_t{O_NONBLOCK}) | (flags & O_NONBLOCK);
    return 0;
}

int64_t record_lock(OpenFile &file, uint64_t command, uint64_t user_lock) {
    struct Flock {
        int16_t type, whence;
        int64_t start, length;
        int32_t pid;
    } lock;
    if (!get_user(user_lock, lock))
        return -EFAULT;
    int64_t start = lock.start;
    if (lock.whence == 1 /* SEEK_CUR */ || lock.whence == 2 /* SEEK_END */) {
        uint64_t base = 0;
        if (lock.whence == 1)
            abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &base);
        else {
            bsc_stream_attributes a{};
            abi().stream_attributes_query_by_handle(file.handle, &a);
            base = a.size;
        }
        start += static_cast<int64_t>(base);
    }
    if (start < 0 || lock.length < 0)
        return -EINVAL;
    bsc_lock request{static_cast<uint32_t>(lock.type == F_RDLCK   ? BSC_LOCK_READ
                                           : lock.type == F_WRLCK ? BSC_LOCK_WRITE
                                                                  : BSC_LOCK_UNLOCK),
                     0, static_cast<uint64_t>(start), static_cast<uint64_t>(lock.length)};
    uint32_t bsc_command = command == F_GETLK || command == 36 /* F_OFD_GETLK */ ? BSC_LOCK_TEST
                           : command == F_SETLKW || command == 38 /* F_OFD_SETLKW */
                               ? BSC_LOCK_SET_WAIT
                               : BSC_LOCK_SET;
    bsc_status status = abi().stream_lock(file.handle, bsc_command, &request);
    if (status != BSC_OK)
        return status == BSC_E_AGAIN ? -EAGAIN : result_of(status);
    if (bsc_command == BSC_LOCK_TEST) {
        lock.type = request.type == BSC_LOCK_READ ? F_RDLCK
                    : request.type == BSC_LOCK_WRITE ? F_WRLCK
                                                     : F_UNLCK;
        lock.whence = 0;
        lock.start = static_cast<int64_t>(request.start);
        lock.length = static_cast<int64_t>(request.length);
        lock.pid = -1;
        if (!put_user(user_lock, lock))
            return -EFAULT;
    }
    return 0;
}

int64_t flush(int fd, uint32_t flags) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    bsc_status status = abi().stream_flush(file->handle, flags);
    return status == BSC_E_INVALID ? -EINVAL : result_of(status);
}

termios default_termios() {
    termios t{};
    t.c_iflag = ICRNL | IXON;
    t.c_oflag = OPOST | ONLCR;
    t.c_cflag = B38400 | CS8 | CREAD;
    t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN | ECHOCTL | ECHOKE;
    const uint8_t cc[] = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22};
    memcpy(t.c_cc, cc, sizeof cc);
    return t;
}

} // namespace

int64_t sys_read(Syscall &c) {
    return transfer_fd(static_cast<int>(c.arg[0]), BSC_AT_POSITION, c.arg[1], c.arg[2], false);
}

int64_t sys_write(Syscall &c) {
    return transfer_fd(static_cast<int>(c.arg[0]), BSC_AT_POSITION, c.arg[1], c.arg[2], true);
}

int64_t sys_pread64(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < 0)
        return -EINVAL;
    return transfer_fd(static_cast<int>(c.arg[0]), c.arg[3], c.arg[1], c.arg[2], false);
}

int64_t sys_pwrite64(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < 0)
        return -EINVAL;
    return transfer_fd(static_cast<int>(c.arg[0]), c.arg[3], c.arg[1], c.arg[2], true);
}

int64_t sys_readv(Syscall &c) { return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], false); }
int64_t sys_writev(Syscall &c) { return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], true); }

int64_t sys_lseek(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    if (!seekable(file->type))
        return -ESPIPE;
    if (c.arg[2] > 2)
        return -EINVAL;
    if (is_libos_file(*file.get()))
        return libos_file_seek(*file.get(), static_cast<int64_t>(c.arg[1]),
                               static_cast<uint32_t>(c.arg[2]));
    uint64_t position = 0;
    bsc_status status = abi().stream_seek(file->handle, static_cast<int64_t>(c.arg[1]),
                                          static_cast<uint32_t>(c.arg[2]), &position);
    return status == BSC_OK ? static_cast<int64_t>(position) : result_of(status);
}

int64_t sys_close(Syscall &c) { return fd_close(static_cast<int>(c.arg[0])); }
int64_t sys_dup(Syscall &c) { return duplicate(static_cast<int>(c.arg[0]), 0, false); }

int64_t sys_dup2(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]), target = static_cast<int>(c.arg[1]);
    if (fd == target) {
        FileRef file(fd);
        return file ? target : -EBADF;
    }
    return duplicate_to(fd, target, false);
}

int64_t sys_dup3(Syscall &c) {
    if (c.arg[0] == c.arg[1] || (c.arg[2] & ~uint64_t{O_CLOEXEC}))
        return -EINVAL;
    return duplicate_to(static_cast<int>(c.arg[0]), static_cast<int>(c.arg[1]),
                        c.arg[2] & O_CLOEXEC);
}

int64_t sys_fcntl(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    FileRef file(fd);
    if (!file)
        return -EBADF;
    switch (c.arg[1]) {
    case F_DUPFD: return duplicate(fd, static_cast<int>(c.arg[2]), false);
    case 1030 /* F_DUPFD_CLOEXEC */: return duplicate(fd, static_cast<int>(c.arg[2]), true);
    case F_GETFD: return fd_cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD: fd_set_cloexec(fd, c.arg[2] & FD_CLOEXEC); return 0;
    case F_GETFL: return file->flags;
    case F_SETFL: return set_status_flags(*file.get(), c.arg[2]);
    case F_GETPIPE_SZ:
        // The host's pipes are Linux pipes of the default capacity; their size is not
        // visible through the ABI, so it cannot be changed either.
        return file->type == BSC_TYPE_PIPE ? kPipeCapacity : -EBADF;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case 36: // F_OFD_GETLK
    case 37: // F_OFD_SETLK
    case 38: // F_OFD_SETLKW
        return record_lock(*file.get(), c.arg[1], c.arg[2]);
    default: return -EINVAL;
    }
}

int64_t sys_ioctl(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    bsc_stream_attributes attributes;
    if (int64_t error = file_attributes(*file.get(), attributes))
        return error;
    bool tty = attributes.type == BSC_TYPE_TTY;
    switch (c.arg[1]) {
    case TCGETS:
        return !tty ? -ENOTTY : put_user(c.arg[2], default_termios()) ? 0 : -EFAULT;
    case TCSETS:
    case TCSETSW:
    case TCSETSF: return tty ? 0 : -ENOTTY;
    case TIOCGWINSZ: {
        if (!tty)
            return -ENOTTY;
        struct {
            uint16_t rows, columns, x, y;
        } size{attributes.tty_rows, attributes.tty_columns, 0, 0};
        return put_user(c.arg[2], size) ? 0 : -EFAULT;
    }
    case TIOCGPGRP: return !tty ? -ENOTTY : put_user(c.arg[2], int32_t{2}) ? 0 : -EFAULT;
    case FIONREAD: {
        int32_t bytes = static_cast<int32_t>(attributes.size);
        return put_user(c.arg[2], bytes) ? 0 : -EFAULT;
    }
    case FIONBIO: {
        int32_t on;
        if (!get_user(c.arg[2], on))
            return -EFAULT;
        return set_status_flags(*file.get(), on ? file->flags | O_NONBLOCK
                                                : file->flags & ~uint32_t{O_NONBLOCK});
    }
    case FIOCLEX: fd_set_cloexec(static_cast<int>(c.arg[0]), true); return 0;
    case FIONCLEX: fd_set_cloexec(static_cast<int>(c.arg[0]), false); return 0;
    default: return -ENOTTY;
    }
}

int64_t sys_fsync(Syscall &c) { return flush(static_cast<int>(c.arg[0]), 0); }
int64_t sys_fdatasync(Syscall &c) {
    return flush(static_cast<int>(c.arg[0]), BSC_FLUSH_DATA_ONLY);
}

int64_t sys_ftruncate(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    if (static_cast<int64_t>(c.arg[1]) < 0 || !writable(*file.get()) ||
        file->type != BSC_TYPE_FILE)
        return -EINVAL;
    return result_of(abi().stream_set_length(file->handle, c.arg[1]));
}

int64_t sys_getdents64(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    if (file->type != BSC_TYPE_DIRECTORY)
        return -ENOTDIR;
    // A Linux record is at most 8 bytes longer than the ABI's, which is at least 16:
    // reading two thirds of the room always converts into the room.
    uint64_t room = c.arg[2] < 65536 ? c.arg[2] : 65536;
    uint64_t want = room * 2 / 3;
    char *records = static_cast<char *>(allocate(want));
    uint64_t done = 0;
    uint64_t position = 0;
    bsc_status status = read_directory_records(*file.get(), records, want, done, position);
    int64_t written = 0;
    for (uint64_t at = 0; status == BSC_OK && at < done;) {
        auto *entry = reinterpret_cast<bsc_dirent *>(records + at);
        size_t name = strlen(entry->name);
        uint16_t length = static_cast<uint16_t>((19 + name + 1 + 7) & ~size_t{7});
        char out[19 + 256 + 8] = {};
        uint64_t inode = entry->inode;
        int64_t offset = static_cast<int64_t>(position);
        memcpy(out, &inode, 8);
        memcpy(out + 8, &offset, 8);
        memcpy(out + 16, &length, 2);
        out[18] = static_cast<char>(dirent_type(entry->type));
        memcpy(out + 19, entry->name, name + 1);
        if (!copy_to_user(c.arg[1] + written, out, length)) {
            written = -EFAULT;
            break;
        }
        written += length;
        at += entry->record_length;
    }
    release(records, want);
    if (status == BSC_E_TOO_BIG)
        return -EINVAL;
    return status == BSC_OK ? written : result_of(status);
}

int64_t sys_fstat(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    bsc_stream_attributes attributes;
    if (int64_t error = file_attributes(*file.get(), attributes))
        return error;
    return put_user(c.arg[1], to_stat(attributes)) ? 0 : -EFAULT;
}

int64_t sys_fchmod(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    bsc_stream_attributes a{};
    a.mode = static_cast<uint32_t>(c.arg[1] & 07777);
    return result_of(abi().stream_attributes_set_by_handle(file->handle, BSC_SET_MODE, &a));
}

int64_t sys_fchown(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    bsc_stream_attributes a{};
    a.owner = static_cast<uint32_t>(c.arg[1]);
    a.group = static_cast<uint32_t>(c.arg[2]);
    uint32_t which = (a.owner != UINT32_MAX ? BSC_SET_OWNER : 0) |
                     (a.group != UINT32_MAX ? BSC_SET_GROUP : 0);
    return which ? result_of(abi().stream_attributes_set_by_handle(file->handle, which, &a)) : 0;
}

int64_t sys_fadvise64(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    return file->type == BSC_TYPE_PIPE ? -ESPIPE : 0; // advice only
}

int64_t sys_fchdir(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    if (file->type != BSC_TYPE_DIRECTORY || !file->path)
        return -ENOTDIR;
    set_cwd(file->path);
    return 0;
}

} // namespace libos
