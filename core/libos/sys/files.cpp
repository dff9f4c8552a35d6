// SPDX-License-Identifier: MIT
// System calls on open file descriptors: read and write (plain, positional, vectored, and
// preadv2/pwritev2 with their flags), lseek, close, close_range, dup, fsync, ftruncate,
// getdents64, fstat, fchmod, fchown, fchdir, fadvise64, cachestat. fcntl and ioctl are in
// fcntl.cpp.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/resource.h>
#include <asm/signal.h>
#include <linux/capability.h>

#include "fd_table.h"
#include "file_io.h"
#include "heap.h"
#include "iovec.h"
#include "libos_files.h"
#include "procfs.h"
#include "paths.h"
#include "poll.h"
#include "process_state.h"
#include "signals.h"
#include "stat.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

// A vectored transfer on a stream goes through a buffer of at most this size.
constexpr uint64_t kBounceSize = 1 << 20;
// lseek's whence values beyond the ABI's three (the kernel's SEEK_MAX is SEEK_HOLE).
constexpr uint64_t kSeekData = 3, kSeekHole = 4;

// preadv2 / pwritev2 flags (RWF_*): the five every kernel since 4.16 knows, and the ones
// newer kernels added, which the LibOS cannot serve exactly.
constexpr uint64_t kRwfHipri = 1, kRwfDsync = 2, kRwfSync = 4, kRwfNowait = 8, kRwfAppend = 16;
constexpr uint64_t kRwfServed = kRwfHipri | kRwfDsync | kRwfSync | kRwfNowait | kRwfAppend;
constexpr uint64_t kRwfNewer = 0x20 | 0x40 | 0x80 | 0x100; // NOAPPEND ATOMIC DONTCACHE NOSIGNAL

bool seekable(const OpenFile &file) {
    return !file.kind && (file.type == BSC_TYPE_FILE || file.type == BSC_TYPE_DIRECTORY ||
                          file.type == BSC_TYPE_BLOCK_DEVICE);
}

} // namespace

bool file_readable(const OpenFile &file) {
    return (file.flags & O_PATH) == 0 && (file.flags & O_ACCMODE) != O_WRONLY;
}
bool file_writable(const OpenFile &file) {
    return (file.flags & O_PATH) == 0 && (file.flags & O_ACCMODE) != O_RDONLY;
}

// The seekable ones and the random devices.
bool file_positional(const OpenFile &file) {
    return seekable(file) || (is_libos_file(file) && !file.kind);
}


namespace {

// One read or write through the ABI, retried when the thread is interrupted for no
// signal (a checkpoint); a signal stops it, to be restarted after a SA_RESTART handler.
int64_t move_data(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size, bool write) {
    if (write ? !file_writable(file) : !file_readable(file))
        return -EBADF;
    if (file.type == BSC_TYPE_DIRECTORY)
        return -EISDIR;
    if (size > kMaxTransfer)
        size = kMaxTransfer;
    if (file.kind)
        return file.kind->transfer(file, buffer, size, write);
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

} // namespace

int64_t limit_write_size(uint64_t pos, uint64_t &count) {
    uint64_t limit = soft_limit(RLIMIT_FSIZE);
    if (limit == ~uint64_t{0}) // RLIM_INFINITY
        return 0;
    if (static_cast<int64_t>(pos) >= static_cast<int64_t>(limit)) { // loff_t, as the kernel
        raise_signal(SIGXFSZ, kSiUser);
        return -EFBIG;
    }
    count = count < limit - pos ? count : limit - pos;
    return 0;
}

int64_t check_new_length(bsc_handle handle, uint64_t length) {
    uint64_t limit = soft_limit(RLIMIT_FSIZE);
    bsc_stream_attributes attributes{};
    if (limit != ~uint64_t{0} && length > limit &&
        abi().stream_attributes_query_by_handle(handle, &attributes) == BSC_OK &&
        length > attributes.size) {
        raise_signal(SIGXFSZ, kSiUser);
        return -EFBIG;
    }
    return 0;
}

int64_t set_file_length(bsc_handle handle, uint64_t length) {
    if (int64_t error = check_new_length(handle, length))
        return error;
    return result_of(abi().stream_set_length(handle, length));
}

namespace {

// Where a write at `offset` (or BSC_AT_POSITION) lands in a regular file, for RLIMIT_FSIZE:
// the offset, the end for O_APPEND, else the file's position. 0 or -errno.
int64_t write_position(const OpenFile &file, uint64_t offset, uint64_t &pos) {
    if (offset != BSC_AT_POSITION) {
        pos = offset;
        return 0;
    }
    if (file.flags & O_APPEND) {
        bsc_stream_attributes attributes;
        if (int64_t error = file_attributes(file, attributes))
            return error;
        pos = attributes.size;
        return 0;
    }
    return result_of(abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &pos));
}

// A write of `count` bytes to a regular file under RLIMIT_FSIZE: `count` cut to it, or
// SIGXFSZ and -EFBIG (generic_write_checks: nothing to write is never refused).
int64_t limit_file_write(const OpenFile &file, uint64_t offset, uint64_t &count) {
    if (file.type != BSC_TYPE_FILE || is_libos_file(file) || count == 0 ||
        soft_limit(RLIMIT_FSIZE) == ~uint64_t{0})
        return 0;
    uint64_t pos = 0;
    if (int64_t error = write_position(file, offset, pos))
        return error;
    return limit_write_size(pos, count);
}

} // namespace

// Noted for edge-triggered epoll (poll.h).
int64_t file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size, bool write) {
    int64_t result = move_data(file, offset, buffer, size, write);
    note_transfer(file, write, result);
    return result;
}

namespace {

int64_t transfer_fd(int fd, uint64_t offset, uint64_t buffer, uint64_t size, bool write) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (offset != BSC_AT_POSITION && !file_positional(*file.get()))
        return -ESPIPE;
    if (write && file_writable(*file.get()))
        if (int64_t error = limit_file_write(*file.get(), offset, size))
            return error;
    return file_transfer(*file.get(), offset, buffer, size, write);
}

// A stream (pipe, socket, terminal, eventfd) moves the segments in one transfer through a
// buffer, so that a read returns what is there instead of waiting to fill the next
// segment, and a pipe write of up to PIPE_BUF bytes stays one atomic write.
int64_t transfer_stream_segments(OpenFile &file, const IoVector &v, bool write) {
    uint64_t chunk = v.total < kBounceSize ? v.total : kBounceSize;
    char *bounce = static_cast<char *>(allocate(chunk));
    int64_t total = 0;
    while (static_cast<uint64_t>(total) < v.total) {
        uint64_t want = v.total - total < chunk ? v.total - total : chunk;
        int64_t n;
        if (write) {
            uint64_t gathered = copy_segments(v, total, bounce, want, false);
            n = gathered ? file_transfer(file, BSC_AT_POSITION, reinterpret_cast<uint64_t>(bounce),
                                    gathered, true)
                         : -EFAULT;
        } else {
            n = file_transfer(file, BSC_AT_POSITION, reinterpret_cast<uint64_t>(bounce), want, false);
            if (n > 0 && copy_segments(v, total, bounce, n, true) < static_cast<uint64_t>(n))
                n = -EFAULT;
        }
        if (n <= 0) {
            if (total == 0)
                total = n;
            break;
        }
        total += n;
        if (!write || static_cast<uint64_t>(n) < want)
            break;
    }
    release(bounce, chunk);
    return total;
}

// A seekable file moves segment by segment, at `offset` (advanced as it goes) or at its
// position.
int64_t transfer_file_segments(OpenFile &file, uint64_t offset, const IoVector &v,
                               bool write) {
    int64_t total = 0;
    for (uint64_t i = 0; i < v.count; i++) {
        const Iovec &s = v.segments[i];
        if (s.length == 0)
            continue;
        int64_t n = file_transfer(file, offset, s.base, s.length, write);
        if (n < 0)
            return total ? total : n;
        total += n;
        if (offset != BSC_AT_POSITION)
            offset += static_cast<uint64_t>(n);
        if (static_cast<uint64_t>(n) < s.length)
            break;
    }
    return total;
}

// The size of a file, for RWF_APPEND.
int64_t file_size(const OpenFile &file, uint64_t &size) {
    bsc_stream_attributes attributes;
    if (int64_t error = file_attributes(file, attributes))
        return error;
    size = attributes.size;
    return 0;
}

} // namespace

int64_t check_rw_flags(const OpenFile &file, uint64_t flags, const char *call) {
    if (flags & kRwfNewer)
        report_unsupported(call, "RWF_NOAPPEND/ATOMIC/DONTCACHE/NOSIGNAL");
    if (flags & ~kRwfServed)
        return -EOPNOTSUPP;
    if ((flags & kRwfNowait) && file.type != BSC_TYPE_FILE) {
        // A regular file never waits for anything but its disk, so a plain read or write
        // is one Linux could give; a stream would need a non-blocking transfer.
        report_unsupported(call, "RWF_NOWAIT");
        return -EOPNOTSUPP;
    }
    return 0;
}

int64_t transfer_segments(OpenFile &file, IoVector &v, uint64_t at, uint64_t flags, bool write) {
    if (v.total == 0)
        return 0;
    uint64_t size = 0;
    bool at_position = at == BSC_AT_POSITION;
    bool append = write && (flags & kRwfAppend) && file.type == BSC_TYPE_FILE;
    if (append) {
        if (int64_t error = file_size(file, size))
            return error;
        at = size;
    }
    if (write) {
        uint64_t allowed = v.total;
        if (int64_t error = limit_file_write(file, at, allowed))
            return error;
        v.truncate(allowed);
    }
    // An eventfd's write is a plain .write, which the kernel calls segment by segment; its
    // read is a read_iter, which takes the segments as one.
    bool by_segment = file_positional(file) || (file.kind && write);
    int64_t result = by_segment ? transfer_file_segments(file, at, v, write)
                                : transfer_stream_segments(file, v, write);
    if (append && at_position && result > 0) // the position follows the data
        abi().stream_seek(file.handle, static_cast<int64_t>(size) + result, BSC_SEEK_SET,
                          nullptr);
    if (write && result > 0 && (flags & (kRwfDsync | kRwfSync)) && !is_libos_file(file)) {
        bsc_status status =
            abi().stream_flush(file.handle, flags & kRwfSync ? 0 : BSC_FLUSH_DATA_ONLY);
        if (status != BSC_OK && status != BSC_E_INVALID) // a pipe has nothing to flush
            return result_of(status);
    }
    return result;
}

namespace {

// readv, writev, preadv, pwritev, preadv2, pwritev2: `offset` -1 is the file's position.
int64_t transfer_vector(int fd, uint64_t iov, uint64_t count, int64_t offset, uint64_t flags,
                        bool write) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (offset != -1 && !file_positional(*file.get()))
        return -ESPIPE;
    if (write ? !file_writable(*file.get()) : !file_readable(*file.get()))
        return -EBADF;
    IoVector v;
    if (int64_t error = v.import(iov, count))
        return error;
    if (v.total == 0)
        return 0;
    if (int64_t error = check_rw_flags(*file.get(), flags, write ? "pwritev2" : "preadv2"))
        return error;
    uint64_t at = offset == -1 ? BSC_AT_POSITION : static_cast<uint64_t>(offset);
    return transfer_segments(*file.get(), v, at, flags, write);
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

int64_t flush(int fd, uint32_t flags) {
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (is_libos_file(*file.get())) // devices, procfs files and eventfds have no fsync
        return -EINVAL;
    bsc_status status = abi().stream_flush(file->handle, flags);
    return status == BSC_E_INVALID ? -EINVAL : result_of(status);
}

// lseek of a host stream: SEEK_DATA and SEEK_HOLE at or past the end are ENXIO.
int64_t seek_stream(const OpenFile &file, int64_t offset, uint32_t whence) {
    uint64_t position = 0;
    bsc_status status = abi().stream_seek(file.handle, offset, whence, &position);
    if (status == BSC_E_NOT_FOUND && (whence == kSeekData || whence == kSeekHole))
        return -ENXIO;
    return status == BSC_OK ? static_cast<int64_t>(position) : result_of(status);
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

int64_t sys_readv(Syscall &c) {
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], -1, 0, false);
}

int64_t sys_writev(Syscall &c) {
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], -1, 0, true);
}

// preadv and pwritev: the offset is arg 3 (on x86-64 its low half holds all 64 bits).
int64_t sys_preadv(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < 0)
        return -EINVAL;
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2],
                           static_cast<int64_t>(c.arg[3]), 0, false);
}

int64_t sys_pwritev(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < 0)
        return -EINVAL;
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2],
                           static_cast<int64_t>(c.arg[3]), 0, true);
}

// preadv2 and pwritev2: offset -1 is the file's position (as readv and writev); flags in
// arg 5.
int64_t sys_preadv2(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < -1)
        return -EINVAL;
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2],
                           static_cast<int64_t>(c.arg[3]), c.arg[5], false);
}

int64_t sys_pwritev2(Syscall &c) {
    if (static_cast<int64_t>(c.arg[3]) < -1)
        return -EINVAL;
    return transfer_vector(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2],
                           static_cast<int64_t>(c.arg[3]), c.arg[5], true);
}

int64_t sys_lseek(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    int64_t offset = static_cast<int64_t>(c.arg[1]);
    auto whence = static_cast<uint32_t>(c.arg[2]);
    if (c.arg[2] > kSeekHole)
        return -EINVAL;
    // An eventfd's, an inotify instance's and the random devices' noop_llseek: the
    // position stays 0.
    if (file->kind || file->type == BSC_TYPE_NOTIFIER ||
        (is_libos_file(*file.get()) && file->type == BSC_TYPE_CHAR_DEVICE))
        return 0;
    if ((!seekable(*file.get()) && !is_libos_file(*file.get())) || is_namespace_file(*file.get()))
        return -ESPIPE; // a namespace's file too: nsfs has no llseek
    if (is_libos_file(*file.get()))
        return libos_file_seek(*file.get(), offset, whence);
    return seek_stream(*file.get(), offset, whence);
}

int64_t sys_close(Syscall &c) { return fd_close(static_cast<int>(c.arg[0])); }

// close_range: the kernel's checks in its order (unsigned int arguments). With
// CLOSE_RANGE_UNSHARE the caller's table becomes its own first: nothing to do for a
// process of one thread; threads that share it cannot be given a copy of their own by the
// LibOS (as unshare(CLONE_FILES), sys/namespaces.cpp).
int64_t sys_close_range(Syscall &c) {
    constexpr uint32_t kUnshare = 1u << 1, kCloexec = 1u << 2; // CLOSE_RANGE_*
    uint32_t first = static_cast<uint32_t>(c.arg[0]), last = static_cast<uint32_t>(c.arg[1]);
    uint32_t flags = static_cast<uint32_t>(c.arg[2]);
    if ((flags & ~(kUnshare | kCloexec)) || first > last)
        return -EINVAL;
    if ((flags & kUnshare) && thread_count() > 1) {
        report_unsupported("close_range", "CLOSE_RANGE_UNSHARE in a process of several threads");
        return -ENOSYS;
    }
    fd_close_range(first, last, flags & kCloexec);
    return 0;
}
int64_t sys_dup(Syscall &c) { return fd_duplicate(static_cast<int>(c.arg[0]), 0, false); }

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

int64_t read_host_records(bsc_handle handle, uint32_t flags, void *into, uint64_t room) {
    for (;;) {
        uint64_t got = 0;
        bsc_status status = abi().stream_read(handle, BSC_AT_POSITION, into, room, &got);
        if (status == BSC_OK)
            return static_cast<int64_t>(got);
        if (status != BSC_E_AGAIN || (flags & O_NONBLOCK))
            return result_of(status);
        if (signal_pending())
            return -kRestartSyscall;
        bsc_wait_item items[2] = {{handle, BSC_WAIT_READ, 0}, {signal_wakeup(), BSC_WAIT_READ, 0}};
        uint32_t ready;
        abi().objects_wait_any(items, 2, BSC_WAIT_FOREVER, &ready);
    }
}

int64_t sys_fsync(Syscall &c) { return flush(static_cast<int>(c.arg[0]), 0); }

// sync: every file system of the machine, as Linux's (it cannot fail).
int64_t sys_sync(Syscall &) {
    abi().stream_flush(BSC_NO_HANDLE, BSC_FLUSH_EVERYTHING);
    return 0;
}

// syncfs: the file system of any open file (a pipe's or a socket's has nothing to write);
// the LibOS's own files (procfs, eventfds) lie on none that holds data.
int64_t sys_syncfs(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (is_libos_file(*file.get()))
        return 0;
    return result_of(abi().stream_flush(file->handle, BSC_FLUSH_FILE_SYSTEM));
}

// sync_file_range, with the kernel's checks in its order. Writing the range out
// (SYNC_FILE_RANGE_WRITE) writes the whole file's data, which holds more than asked; the
// waits alone ask for nothing new to be written.
int64_t sys_sync_file_range(Syscall &c) {
    constexpr uint64_t kWrite = 2, kValid = 7; // SYNC_FILE_RANGE_WAIT_BEFORE | _WRITE | _WAIT_AFTER
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    auto offset = static_cast<int64_t>(c.arg[1]);
    uint64_t flags = static_cast<uint32_t>(c.arg[3]);
    uint64_t end = c.arg[1] + c.arg[2];
    if ((flags & ~kValid) || offset < 0 || static_cast<int64_t>(end) < 0 || end < c.arg[1])
        return -EINVAL;
    bool has_pages = file->type == BSC_TYPE_FILE || file->type == BSC_TYPE_BLOCK_DEVICE ||
                     file->type == BSC_TYPE_DIRECTORY || file->type == BSC_TYPE_SYMLINK;
    if (!has_pages)
        return -ESPIPE;
    if (!(flags & kWrite) || is_libos_file(*file.get()) || file->type == BSC_TYPE_DIRECTORY)
        return 0;
    return result_of(abi().stream_flush(file->handle, BSC_FLUSH_DATA_ONLY));
}

// readahead: a hint, as fadvise's WILLNEED (the host's page cache is its own business),
// for a readable regular file or block device; a negative length is EINVAL.
int64_t sys_readahead(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH) || !file_readable(*file.get()))
        return -EBADF;
    if (file->type != BSC_TYPE_FILE && file->type != BSC_TYPE_BLOCK_DEVICE)
        return -EINVAL;
    return static_cast<int64_t>(c.arg[2]) < 0 ? -EINVAL : 0;
}
int64_t sys_fdatasync(Syscall &c) {
    return flush(static_cast<int>(c.arg[0]), BSC_FLUSH_DATA_ONLY);
}

int64_t sys_ftruncate(Syscall &c) {
    if (static_cast<int64_t>(c.arg[1]) < 0)
        return -EINVAL;
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (!file_writable(*file.get()) || file->type != BSC_TYPE_FILE || is_libos_file(*file.get()))
        return -EINVAL;
    return set_file_length(file->handle, c.arg[1]);
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

namespace {

// can_do_cachestat for a file the LibOS serves itself: opened for writing, or the caller
// owns it (its file-system user id) or has CAP_FOWNER, or anyone may write it. False also
// where only the group's bits would tell, which the LibOS does not decide.
bool cachestat_allowed(const OpenFile &file) {
    if ((file.flags & O_ACCMODE) != O_RDONLY)
        return true;
    bsc_stream_attributes attributes{};
    if (file_attributes(file, attributes) != 0)
        return false;
    return attributes.owner == identity().filesystem_user_id || capable(CAP_FOWNER) ||
           (attributes.mode & 0002);
}

} // namespace

// cachestat (Linux 6.5): the page cache state of the open file's pages, the host's, in the
// kernel's order: the descriptor (EBADF, an O_PATH one too), the range (EFAULT), then the
// host's checks (EOPNOTSUPP on hugetlbfs, EPERM without write access or ownership, EINVAL
// for flags), the counts written out (EFAULT). A file the LibOS serves itself (an eventfd,
// /proc/self/maps, /dev/urandom) has no pages in the cache: zeros, as Linux's.
int64_t sys_cachestat(Syscall &c) {
    FileRef file(static_cast<int>(static_cast<uint32_t>(c.arg[0])));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    bsc_cache_status status{};
    if (!copy_from_user(&status.offset, c.arg[1], 2 * sizeof(uint64_t)))
        return -EFAULT;
    status.flags = static_cast<uint32_t>(c.arg[3]);
    if (is_libos_file(*file.get())) {
        if (!cachestat_allowed(*file.get())) {
            report_unsupported("cachestat", "a file of the LibOS's that its caller may not write");
            return -EOPNOTSUPP;
        }
        if (status.flags)
            return -EINVAL;
    } else if (bsc_status error = abi().stream_control(file->handle, BSC_CONTROL_CACHE_STATUS,
                                                       &status, sizeof status)) {
        if (error == BSC_E_NOT_IMPLEMENTED)
            report_unsupported("cachestat", "a host kernel before 6.5");
        return result_of(error);
    }
    const uint64_t counts[5] = {status.cached, status.dirty, status.writeback, status.evicted,
                                status.recently_evicted};
    return copy_to_user(c.arg[2], counts, sizeof counts) ? 0 : -EFAULT;
}

// Advice only: the host's page cache is its own business. As generic_fadvise: ESPIPE on
// a pipe, EINVAL for a negative length or an unknown advice.
int64_t sys_fadvise64(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (file->type == BSC_TYPE_PIPE)
        return -ESPIPE;
    constexpr uint64_t kAdviceNoreuse = 5; // POSIX_FADV_NORMAL (0) .. NOREUSE (5)
    return static_cast<int64_t>(c.arg[2]) < 0 || static_cast<uint32_t>(c.arg[3]) > kAdviceNoreuse
               ? -EINVAL
               : 0;
}

int64_t sys_fchdir(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    if (file->type != BSC_TYPE_DIRECTORY || !file->path)
        return -ENOTDIR;
    // The caller must be allowed to search the directory, with its ids now (file_permission).
    bsc_stream_attributes a{};
    int64_t error = file->handle != BSC_NO_HANDLE
                        ? result_of(abi().stream_attributes_query_by_handle(file->handle, &a))
                        : path_attributes(file->path, true, a);
    if (error == 0)
        error = check_access(a, 1 /* X_OK: search */, false);
    if (error)
        return error;
    set_cwd(file->path);
    return 0;
}

} // namespace libos
