// SPDX-License-Identifier: MIT
// The zero-copy family: sendfile, splice, tee, vmsplice, copy_file_range. The LibOS has no
// pages to lend from one file to another, so each moves the bytes through a bounded buffer
// with stream_read / stream_write (tee reads with stream_peek, which leaves them), keeping
// the kernel's checks in the kernel's order and its rule for how much one call moves.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>
#include <asm-generic/resource.h>
#include <asm/signal.h>

#include "fd_table.h"
#include "file_io.h"
#include "heap.h"
#include "libos_files.h"
#include "poll.h"
#include "process_state.h"
#include "signals.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint32_t kSpliceNonblock = 2; // SPLICE_F_MOVE 1, NONBLOCK 2, MORE 4, GIFT 8
constexpr uint32_t kSpliceAll = 1 | 2 | 4 | 8;
constexpr uint64_t kBounceSize = 1 << 20;     // the most one chunk of a copy holds
constexpr uint64_t kPage = 4096;              // a pipe buffer
constexpr int64_t kMaxFileSize = INT64_MAX;   // MAX_LFS_FILESIZE

// A descriptor's open file for the length of a call, as the kernel's fdget: an O_PATH
// descriptor is none (EBADF).
struct Ref : FileRef {
    explicit Ref(int fd) : FileRef(fd) {}
    bool valid() const { return *this && !(get()->flags & O_PATH); }
    OpenFile &operator*() const { return *get(); }
};

// The two descriptors of a transfer between files, each as Ref; EBADF unless both are.
struct Ends {
    Ref in, out;
    Ends(int fd_in, int fd_out) : in(fd_in), out(fd_out) {}
    bool valid() const { return in.valid() && out.valid(); }
};

bool is_pipe(const OpenFile &file) {
    return file.type == BSC_TYPE_PIPE && !file.kind && !is_libos_file(file);
}

// Whether the file has a position of its own that splice reads and moves (f_pos):
// regular files and block devices of the host.
bool has_position(const OpenFile &file) {
    return !file.kind && !is_libos_file(file) &&
           (file.type == BSC_TYPE_FILE || file.type == BSC_TYPE_BLOCK_DEVICE);
}

// Whether /dev/null, /dev/zero or /dev/full (by their device numbers) splices in the
// direction asked, as drivers/char/mem.c in Linux 6.7 and later: /dev/zero both ways,
// /dev/full into a pipe, /dev/null out of one.
bool memory_device_splices(const OpenFile &file, bool write) {
    constexpr uint64_t kNull = 0x103, kZero = 0x105, kFull = 0x107; // 1:3, 1:5, 1:7
    bsc_stream_attributes attributes{};
    return abi().stream_attributes_query_by_handle(file.handle, &attributes) == BSC_OK &&
           (attributes.rdev == kZero || attributes.rdev == (write ? kNull : kFull));
}

// Whether Linux's driver for `file` splices in the direction asked (has splice_read, or
// splice_write) in the way the LibOS moves its bytes: regular files, block devices,
// sockets, terminals, the random devices and the memory devices above. A directory and
// the LibOS's own objects (eventfd, timerfd, signalfd, epoll) have none in Linux either,
// which answers EINVAL. Other devices and the files the LibOS generates (/proc) differ by
// driver: refused with the same EINVAL and named by --verbose.
bool spliceable(const OpenFile &file, const char *call, bool write) {
    if (file.kind || file.type == BSC_TYPE_DIRECTORY || is_pipe(file))
        return false; // a pipe end is spliced by the pipe's own paths, never as a file
    if (is_libos_file(file) ? file.type == BSC_TYPE_CHAR_DEVICE
                            : file.type == BSC_TYPE_FILE || file.type == BSC_TYPE_BLOCK_DEVICE ||
                                  file.type == BSC_TYPE_SOCKET || file.type == BSC_TYPE_TTY ||
                                  (file.type == BSC_TYPE_CHAR_DEVICE &&
                                   memory_device_splices(file, write)))
        return true;
    report_unsupported(call, "a device or generated file at either end");
    return false;
}

// The kernel's rw_verify_area for a file with offsets: a count or offset that is negative,
// or that together pass the largest offset, is EINVAL.
int64_t verify_area(int64_t offset, uint64_t count) {
    if (static_cast<int64_t>(count) < 0 || offset < 0 ||
        static_cast<int64_t>(static_cast<uint64_t>(offset) + count) < 0)
        return -EINVAL;
    return 0;
}

int64_t position_of(const OpenFile &file) {
    uint64_t position = 0;
    abi().stream_seek(file.handle, 0, BSC_SEEK_CURRENT, &position);
    return static_cast<int64_t>(position);
}

void set_position(const OpenFile &file, int64_t position) {
    abi().stream_seek(file.handle, position, BSC_SEEK_SET, nullptr);
}

// Polls pipe `fd` for `events`, waiting unless `nonblock`: the poll bits, -EAGAIN when
// `nonblock` finds it not ready, -kRestartSyscall when a signal comes first (the kernel's
// pipe waits end with -ERESTARTSYS).
int64_t pipe_wait(int fd, int16_t events, bool nonblock) {
    PollFd entry{fd, events, 0};
    int64_t ready = wait_poll(&entry, 1, nonblock ? clock_now(BSC_CLOCK_MONOTONIC) : kForever);
    if (ready == -EINTR)
        return -kRestartSyscall;
    if (ready < 0)
        return ready;
    return ready == 0 ? -EAGAIN : entry.revents;
}

// ipipe_prep: 1 once pipe `fd` has data, 0 when it is empty with no writer left.
int64_t wait_for_data(int fd, bool nonblock) {
    int64_t bits = pipe_wait(fd, POLLIN, nonblock);
    return bits < 0 ? bits : (bits & POLLIN) != 0;
}

// wait_for_space / opipe_prep: 0 once pipe `fd` is not full; EPIPE with SIGPIPE when it
// has no reader.
int64_t wait_for_room(int fd, bool nonblock) {
    int64_t bits = pipe_wait(fd, POLLOUT, nonblock);
    if (bits < 0)
        return bits;
    if (bits & POLLERR) {
        raise_signal(SIGPIPE, kSiUser);
        return -EPIPE;
    }
    return 0;
}

// The bytes a pipe that is not full takes now without waiting. The kernel counts room in
// buffers of a page each; the LibOS sees only how many bytes the pipe holds, so this is
// the room of the fewest free buffers those bytes can leave (a buffer per page of them and
// one more, as the oldest and the newest may be part-filled), at least the one buffer a
// pipe that is not full has.
uint64_t pipe_room(const OpenFile &pipe) {
    uint64_t capacity = 0;
    abi().stream_control(pipe.handle, BSC_CONTROL_PIPE_CAPACITY, &capacity, sizeof capacity);
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(pipe.handle, &attributes);
    uint64_t buffers = capacity / kPage;
    uint64_t used = attributes.size ? (attributes.size + kPage - 1) / kPage + 1 : 0;
    return used < buffers ? (buffers - used) * kPage : kPage;
}

// Whether two open files are the same object (the same pipe, or inode).
bool same_object(const OpenFile &a, const OpenFile &b) {
    bsc_stream_attributes x{}, y{};
    if (file_attributes(a, x) != 0 || file_attributes(b, y) != 0)
        return false;
    return x.device == y.device && x.inode == y.inode;
}

// A bounded buffer in LibOS memory for the length of one call.
class Bounce {
public:
    explicit Bounce(uint64_t want) : size_(want < kBounceSize ? want : kBounceSize) {
        data_ = static_cast<char *>(allocate(size_));
    }
    ~Bounce() { release(data_, size_); }
    Bounce(const Bounce &) = delete;
    Bounce &operator=(const Bounce &) = delete;
    uint64_t address() const { return reinterpret_cast<uint64_t>(data_); }
    char *data() const { return data_; }
    uint64_t size() const { return size_; }

private:
    uint64_t size_;
    char *data_;
};

// One side of a copy: its open file and, for a file with offsets, where the bytes go or
// come from (advanced as they move); a stream (pipe, socket, terminal) has none.
struct Side {
    OpenFile &file;
    int64_t *offset;
};

uint64_t at(const Side &side) {
    return side.offset ? static_cast<uint64_t>(*side.offset) : BSC_AT_POSITION;
}

// Whether a stream input has more to read now (a pipe or socket reports the bytes it
// holds); a splice takes what a stream holds without waiting for more.
bool more_now(const OpenFile &file) {
    bsc_stream_attributes attributes{};
    return (is_pipe(file) || file.type == BSC_TYPE_SOCKET) &&
           abi().stream_attributes_query_by_handle(file.handle, &attributes) == BSC_OK &&
           attributes.size > 0;
}

// Moves up to `len` bytes from `in` to `out` a bounded chunk at a time, as the kernel's
// splice loops: until `len`, the end of the input (a short read, or a stream with nothing
// more now), or a short write. The bytes that reached `out` (the offsets advanced by
// them), or the error when none did. A stream input's bytes that `out` refuses after they
// were read are lost (Linux leaves them in the pipe).
int64_t copy(Side in, Side out, uint64_t len) {
    Bounce bounce(len);
    uint64_t moved = 0;
    int64_t error = 0;
    while (moved < len) {
        if (moved > 0 && !in.offset && !more_now(in.file))
            break;
        uint64_t want = len - moved < bounce.size() ? len - moved : bounce.size();
        int64_t got = file_transfer(in.file, at(in), bounce.address(), want, false);
        if (got <= 0) {
            error = got;
            break;
        }
        int64_t put = file_transfer(out.file, at(out), bounce.address(), got, true);
        if (put <= 0) {
            error = put;
            break;
        }
        moved += put;
        if (in.offset) // an input with offsets gives back what the output did not take
            *in.offset += put;
        if (out.offset)
            *out.offset += put;
        if (put < got || (in.offset && static_cast<uint64_t>(got) < want))
            break; // a short write, or the end of the file
    }
    return moved > 0 ? static_cast<int64_t>(moved) : error;
}

// splice from a pipe into a file or socket (the kernel's do_splice, pipe input).
int64_t splice_from_pipe(int fd_in, OpenFile &in, OpenFile &out, int64_t *off_out,
                         uint64_t len, uint32_t flags) {
    if (off_out && !file_positional(out))
        return -EINVAL;
    if (out.flags & O_APPEND)
        return -EINVAL;
    int64_t offset = off_out ? *off_out : has_position(out) ? position_of(out) : 0;
    if (int64_t error = verify_area(offset, len))
        return error;
    if (!spliceable(out, "splice", true))
        return -EINVAL;
    int64_t data = wait_for_data(fd_in, (flags & kSpliceNonblock) || (in.flags & O_NONBLOCK));
    if (data <= 0)
        return data;
    bool positioned = off_out || has_position(out);
    int64_t result = copy({in, nullptr}, {out, positioned ? &offset : nullptr}, len);
    if (off_out)
        *off_out = offset;
    else if (positioned && result > 0)
        set_position(out, offset);
    return result;
}

// splice from a file or socket into a pipe (splice_file_to_pipe): at most what the pipe
// has room for now, once it has some.
int64_t splice_to_pipe(OpenFile &in, int64_t *off_in, int fd_out, OpenFile &out, uint64_t len,
                       uint32_t flags, const char *call) {
    if (off_in && !file_positional(in))
        return -EINVAL;
    if (int64_t error = wait_for_room(fd_out, flags & kSpliceNonblock))
        return error;
    uint64_t room = pipe_room(out);
    if (len > room)
        len = room;
    bool positioned = off_in || has_position(in);
    int64_t offset = off_in ? *off_in : positioned ? position_of(in) : 0;
    if (int64_t error = verify_area(offset, len))
        return error;
    if (!spliceable(in, call, false))
        return -EINVAL;
    int64_t result = copy({in, positioned ? &offset : nullptr}, {out, nullptr}, len);
    if (off_in)
        *off_in = offset;
    else if (positioned && result > 0)
        set_position(in, offset);
    return result;
}

// Between two pipes (splice_pipe_to_pipe, link_pipe): waits for data in `in`, then room in
// `out`; the bytes `in` holds (0: its end, no writer left), or -errno.
int64_t wait_between_pipes(int fd_in, const OpenFile &in, int fd_out, const OpenFile &out,
                           uint32_t flags) {
    bool nonblock = (flags & kSpliceNonblock) || ((in.flags | out.flags) & O_NONBLOCK);
    int64_t data = wait_for_data(fd_in, nonblock);
    if (data < 0)
        return data;
    if (int64_t error = wait_for_room(fd_out, nonblock))
        return error;
    return data;
}

// splice from a pipe into another (splice_pipe_to_pipe): data first, then room.
int64_t splice_pipes(int fd_in, OpenFile &in, int fd_out, OpenFile &out, uint64_t len,
                     uint32_t flags) {
    if (same_object(in, out))
        return -EINVAL;
    int64_t data = wait_between_pipes(fd_in, in, fd_out, out, flags);
    if (data <= 0)
        return data;
    uint64_t room = pipe_room(out);
    return copy({in, nullptr}, {out, nullptr}, len < room ? len : room);
}

// The program's loff_t at `address` (null: none), read into `value`.
bool get_offset(uint64_t address, int64_t &value) { return !address || get_user(address, value); }

int64_t do_splice(int fd_in, uint64_t off_in, int fd_out, uint64_t off_out, uint64_t len,
                  uint32_t flags) {
    Ends ends(fd_in, fd_out);
    if (!ends.valid())
        return -EBADF;
    Ref &in = ends.in, &out = ends.out;
    bool in_pipe = is_pipe(*in), out_pipe = is_pipe(*out);
    if ((in_pipe && off_in) || (out_pipe && off_out))
        return -ESPIPE;
    int64_t in_at = 0, out_at = 0;
    if (!get_offset(off_out, out_at) || !get_offset(off_in, in_at))
        return -EFAULT;
    if (!file_readable(*in) || !file_writable(*out))
        return -EBADF;
    if (in_pipe && out_pipe)
        return splice_pipes(fd_in, *in, fd_out, *out, len, flags);
    if (!in_pipe && !out_pipe)
        return -EINVAL;
    int64_t result =
        in_pipe ? splice_from_pipe(fd_in, *in, *out, off_out ? &out_at : nullptr, len, flags)
                : splice_to_pipe(*in, off_in ? &in_at : nullptr, fd_out, *out, len,
                                 flags | (out->flags & O_NONBLOCK ? kSpliceNonblock : 0),
                                 "splice");
    if (result < 0)
        return result;
    if ((off_out && !put_user(off_out, out_at)) || (off_in && !put_user(off_in, in_at)))
        return -EFAULT;
    return result;
}

// tee: copies what pipe `in` holds, up to `len` and the room in `out`, leaving it there.
int64_t do_tee(int fd_in, int fd_out, uint64_t len, uint32_t flags) {
    Ends ends(fd_in, fd_out);
    if (!ends.valid())
        return -EBADF;
    Ref &in = ends.in, &out = ends.out;
    if (!file_readable(*in) || !file_writable(*out))
        return -EBADF;
    if (!is_pipe(*in) || !is_pipe(*out) || same_object(*in, *out))
        return -EINVAL;
    int64_t data = wait_between_pipes(fd_in, *in, fd_out, *out, flags);
    if (data <= 0)
        return data;
    uint64_t room = pipe_room(*out);
    Bounce bounce(len < room ? len : room);
    uint64_t seen = 0;
    bsc_status status = abi().stream_peek(in->handle, bounce.data(), bounce.size(), &seen);
    if (status != BSC_OK)
        return result_of(status);
    return seen ? file_transfer(*out, BSC_AT_POSITION, bounce.address(), seen, true) : 0;
}

// vmsplice into a pipe: what the segments hold, up to the room the pipe has once it has
// some (a fault stops the gathering; EFAULT when nothing could be read).
int64_t vmsplice_to_pipe(int fd, OpenFile &pipe, const IoVector &v, uint32_t flags) {
    if (int64_t error = wait_for_room(fd, flags & kSpliceNonblock))
        return error;
    uint64_t room = pipe_room(pipe);
    Bounce bounce(v.total < room ? v.total : room);
    uint64_t gathered = copy_segments(v, 0, bounce.data(), bounce.size(), false);
    if (gathered == 0)
        return -EFAULT;
    return file_transfer(pipe, BSC_AT_POSITION, bounce.address(), gathered, true);
}

// vmsplice out of a pipe into the segments: the bytes are looked at first and taken only
// as far as they could be stored, so a fault leaves the rest in the pipe, as on Linux.
int64_t vmsplice_from_pipe(int fd, OpenFile &pipe, const IoVector &v, uint32_t flags) {
    int64_t data = wait_for_data(fd, flags & kSpliceNonblock);
    if (data <= 0)
        return data;
    Bounce bounce(v.total);
    uint64_t seen = 0;
    bsc_status status = abi().stream_peek(pipe.handle, bounce.data(), bounce.size(), &seen);
    if (status != BSC_OK)
        return result_of(status);
    uint64_t stored = copy_segments(v, 0, bounce.data(), seen, true);
    if (stored == 0)
        return -EFAULT;
    return file_transfer(pipe, BSC_AT_POSITION, bounce.address(), stored, false);
}

// do_sendfile once the input is checked and `*pos` is where it reads.
int64_t sendfile_from(OpenFile &in, int64_t *pos, int fd_out, uint64_t count) {
    Ref out(fd_out);
    if (!out.valid() || !file_writable(*out))
        return -EBADF;
    uint32_t flags = in.flags & O_NONBLOCK ? kSpliceNonblock : 0;
    if (is_pipe(*out))
        return splice_to_pipe(in, pos, fd_out, *out, count,
                              flags | (out->flags & O_NONBLOCK ? kSpliceNonblock : 0),
                              "sendfile");
    // do_splice_direct: no appending output, and an input that is a regular file (or a
    // block device): it would drop a stream's data on a short write.
    if (out->flags & O_APPEND)
        return -EINVAL;
    bool positioned = has_position(*out);
    int64_t out_pos = positioned ? position_of(*out) : 0;
    if (!has_position(in) || !spliceable(*out, "sendfile", true))
        return -EINVAL;
    int64_t result = copy({in, pos}, {*out, positioned ? &out_pos : nullptr}, count);
    if (positioned && result > 0)
        set_position(*out, out_pos);
    return result;
}

int64_t do_sendfile(int fd_out, int fd_in, int64_t *offset, uint64_t count) {
    Ref in(fd_in);
    if (!in.valid() || !file_readable(*in))
        return -EBADF;
    if (offset && !file_positional(*in))
        return -ESPIPE;
    int64_t pos = offset ? *offset : has_position(*in) ? position_of(*in) : 0;
    if (int64_t error = verify_area(pos, count))
        return error;
    if (count > kMaxTransfer)
        count = kMaxTransfer;
    int64_t result = sendfile_from(*in, &pos, fd_out, count);
    if (offset)
        *offset = pos;
    else if (has_position(*in) && result > 0)
        set_position(*in, pos);
    return result;
}

// generic_file_rw_checks and the rest of generic_copy_file_checks, in the kernel's order,
// with `count` shortened to the input's end and the output's limits.
int64_t check_copy_range(const OpenFile &in, int64_t pos_in, const OpenFile &out,
                         int64_t pos_out, uint64_t &count) {
    if (in.type == BSC_TYPE_DIRECTORY || out.type == BSC_TYPE_DIRECTORY)
        return -EISDIR;
    if (in.type != BSC_TYPE_FILE || out.type != BSC_TYPE_FILE || in.kind || out.kind)
        return -EINVAL;
    if (!file_readable(in) || !file_writable(out) || (out.flags & O_APPEND))
        return -EBADF;
    bsc_stream_attributes a_in{}, a_out{};
    if (int64_t error = file_attributes(in, a_in))
        return error;
    if (int64_t error = file_attributes(out, a_out))
        return error;
    // Without a copy_file_range of the file system's own, Linux 6.x copies only within one
    // file system (5.3 to 5.18 copied across them); the LibOS's generated files are procfs.
    if (is_libos_file(in) || is_libos_file(out) || a_in.device != a_out.device)
        return -EXDEV;
    auto u_in = static_cast<uint64_t>(pos_in), u_out = static_cast<uint64_t>(pos_out);
    if (u_in + count < u_in || u_out + count < u_out)
        return -EOVERFLOW;
    auto size_in = static_cast<int64_t>(a_in.size);
    count = pos_in >= size_in ? 0 : count < size_in - u_in ? count : size_in - u_in;
    // generic_write_check_limits: RLIMIT_FSIZE, then the largest file.
    if (int64_t error = limit_write_size(u_out, count))
        return error;
    if (pos_out >= kMaxFileSize)
        return -EFBIG;
    if (pos_out >= 0 && count > static_cast<uint64_t>(kMaxFileSize - pos_out))
        count = static_cast<uint64_t>(kMaxFileSize - pos_out);
    if (a_in.inode == a_out.inode && pos_out + static_cast<int64_t>(count) > pos_in &&
        pos_out < pos_in + static_cast<int64_t>(count))
        return -EINVAL; // overlapping ranges of one file
    if (int64_t error = verify_area(pos_in, count))
        return error;
    return verify_area(pos_out, count);
}

int64_t do_copy_file_range(int fd_in, uint64_t off_in, int fd_out, uint64_t off_out,
                           uint64_t len, uint32_t flags) {
    Ends ends(fd_in, fd_out);
    if (!ends.valid())
        return -EBADF;
    Ref &in = ends.in, &out = ends.out;
    int64_t pos_in = has_position(*in) ? position_of(*in) : 0;
    int64_t pos_out = has_position(*out) ? position_of(*out) : 0;
    if (!get_offset(off_in, pos_in) || !get_offset(off_out, pos_out))
        return -EFAULT;
    if (flags != 0)
        return -EINVAL;
    uint64_t count = len;
    if (int64_t error = check_copy_range(*in, pos_in, *out, pos_out, count))
        return error;
    if (count == 0)
        return 0;
    int64_t result = copy({*in, &pos_in}, {*out, &pos_out},
                          count < kMaxTransfer ? count : kMaxTransfer);
    if (result <= 0)
        return result;
    if (!off_in)
        set_position(*in, pos_in);
    if (!off_out)
        set_position(*out, pos_out);
    if ((off_in && !put_user(off_in, pos_in)) || (off_out && !put_user(off_out, pos_out)))
        return -EFAULT;
    return result;
}

} // namespace

int64_t sys_splice(Syscall &c) {
    auto flags = static_cast<uint32_t>(c.arg[5]);
    if (c.arg[4] == 0)
        return 0;
    if (flags & ~kSpliceAll)
        return -EINVAL;
    return do_splice(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]), c.arg[3],
                     c.arg[4], flags);
}

int64_t sys_tee(Syscall &c) {
    auto flags = static_cast<uint32_t>(c.arg[3]);
    if (flags & ~kSpliceAll)
        return -EINVAL;
    if (c.arg[2] == 0)
        return 0;
    return do_tee(static_cast<int>(c.arg[0]), static_cast<int>(c.arg[1]), c.arg[2], flags);
}

int64_t sys_vmsplice(Syscall &c) {
    auto flags = static_cast<uint32_t>(c.arg[3]);
    if (flags & ~kSpliceAll)
        return -EINVAL;
    int fd = static_cast<int>(c.arg[0]);
    Ref file(fd);
    if (!file.valid())
        return -EBADF;
    // The direction is the descriptor's: into a pipe through a write end.
    bool to_pipe = file_writable(*file);
    if (!to_pipe && !file_readable(*file))
        return -EBADF;
    IoVector v;
    if (int64_t error = v.import(c.arg[1], c.arg[2]))
        return error;
    if (v.total == 0)
        return 0;
    if (!is_pipe(*file))
        return -EBADF;
    return to_pipe ? vmsplice_to_pipe(fd, *file, v, flags)
                   : vmsplice_from_pipe(fd, *file, v, flags);
}

// sendfile (sendfile64 on x86-64): the offset, when given, is read first and written back
// even when the copy fails.
int64_t sys_sendfile(Syscall &c) {
    uint64_t address = c.arg[2];
    int out = static_cast<int>(c.arg[0]), in = static_cast<int>(c.arg[1]);
    if (!address)
        return do_sendfile(out, in, nullptr, c.arg[3]);
    int64_t offset = 0;
    if (!get_user(address, offset))
        return -EFAULT;
    int64_t result = do_sendfile(out, in, &offset, c.arg[3]);
    return put_user(address, offset) ? result : -EFAULT;
}

int64_t sys_copy_file_range(Syscall &c) {
    return do_copy_file_range(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]),
                              c.arg[3], c.arg[4], static_cast<uint32_t>(c.arg[5]));
}

} // namespace libos
