// SPDX-License-Identifier: MIT
// Stream attributes: querying and changing them by URI or by handle, through one helper
// per direction that both forms share.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "clock.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {

void fill_attributes(const struct stat &st, bsc_stream_attributes &out) {
    out.type = type_from_mode(st.st_mode);
    out.mode = st.st_mode & 07777;
    out.size = static_cast<uint64_t>(st.st_size);
    out.device = st.st_dev;
    out.inode = st.st_ino;
    out.links = st.st_nlink;
    out.owner = st.st_uid;
    out.group = st.st_gid;
    out.rdev = st.st_rdev;
    out.blocks = static_cast<uint64_t>(st.st_blocks);
    out.block_size = static_cast<uint32_t>(st.st_blksize);
    out.access_time = nanoseconds_of(st.st_atim);
    out.modify_time = nanoseconds_of(st.st_mtim);
    out.change_time = nanoseconds_of(st.st_ctim);
}

uint32_t descriptor_options(const Object &object, int flags) {
    uint32_t kept = object.options.load();
    uint32_t options =
        (kept & ~uint32_t{BSC_OPTION_NONBLOCK | BSC_OPTION_APPEND | BSC_OPTION_NO_ACCESS_TIME}) |
        (flags >= 0 && (flags & O_NONBLOCK) ? BSC_OPTION_NONBLOCK : 0) |
        (flags >= 0 && (flags & O_APPEND) ? BSC_OPTION_APPEND : 0) |
        (flags >= 0 && (flags & O_NOATIME) ? BSC_OPTION_NO_ACCESS_TIME : 0);
    if (object.type == BSC_TYPE_PIPE)
        options = (options & ~uint32_t{BSC_OPTION_PACKET}) |
                  (flags >= 0 && (flags & O_DIRECT) ? BSC_OPTION_PACKET : 0);
    return options;
}

namespace {

constexpr uint32_t kSetMask = BSC_SET_MODE | BSC_SET_OWNER | BSC_SET_GROUP | BSC_SET_ACCESS_TIME |
                              BSC_SET_MODIFY_TIME | BSC_SET_ACCESS_TIME_NOW |
                              BSC_SET_MODIFY_TIME_NOW | BSC_SET_OPTIONS | BSC_SET_APPEND |
                              BSC_SET_PACKET | BSC_SET_NO_ACCESS_TIME;
// The by-handle changes of one descriptor flag each, beside BSC_SET_OPTIONS.
constexpr uint32_t kSetFlags =
    BSC_SET_OPTIONS | BSC_SET_APPEND | BSC_SET_PACKET | BSC_SET_NO_ACCESS_TIME;
// The statx fields stream_details_query carries (the ABI's BSC_DETAIL_* are their values).
constexpr uint32_t kDetailMask = BSC_DETAIL_BASIC | BSC_DETAIL_BIRTH_TIME | BSC_DETAIL_MOUNT_ID |
                                  BSC_DETAIL_DIRECT_IO | BSC_DETAIL_MOUNT_ID_UNIQUE;
static_assert(BSC_DETAIL_BASIC == STATX_BASIC_STATS && BSC_DETAIL_BIRTH_TIME == STATX_BTIME &&
              BSC_DETAIL_MOUNT_ID == STATX_MNT_ID && BSC_DETAIL_DIRECT_IO == STATX_DIOALIGN);

// A statx as the ABI's details: the fields it carries, as the host's kernel filled them.
bsc_stream_details details_of(const struct statx &sx) {
    bsc_stream_details out{};
    out.mask = sx.stx_mask & kDetailMask;
    out.attributes = sx.stx_attributes;
    out.attributes_mask = sx.stx_attributes_mask;
    if (sx.stx_mask & STATX_BTIME)
        out.birth_time = static_cast<int64_t>(sx.stx_btime.tv_sec) * 1000000000 +
                         sx.stx_btime.tv_nsec;
    // The old id or, asked for (Linux 6.8), the unique one: the kernel fills one of them.
    if (sx.stx_mask & (STATX_MNT_ID | BSC_DETAIL_MOUNT_ID_UNIQUE))
        out.mount_id = sx.stx_mnt_id;
    if (sx.stx_mask & STATX_DIOALIGN) {
        out.dio_memory_align = sx.stx_dio_mem_align;
        out.dio_offset_align = sx.stx_dio_offset_align;
    }
    return out;
}

// What only an open descriptor can tell: terminal size, bytes waiting, options.
void fill_from_descriptor(Object &object, bsc_stream_attributes &out) {
    if (object.type == BSC_TYPE_TTY) {
        out.type = BSC_TYPE_TTY;
        winsize size{};
        if (::ioctl(object.fd, TIOCGWINSZ, &size) == 0) {
            out.tty_rows = size.ws_row;
            out.tty_columns = size.ws_col;
        }
    }
    if (object.type == BSC_TYPE_PIPE || object.type == BSC_TYPE_SOCKET) {
        int waiting = 0; // a listening socket has no byte count: it stays 0
        if (::ioctl(object.fd, FIONREAD, &waiting) == 0 && waiting > 0)
            out.size = static_cast<uint64_t>(waiting);
        else
            out.size = 0;
    }
    out.options = descriptor_options(object, ::fcntl(object.fd, F_GETFL));
}

// A file-system object named by a path (by-URI calls) or by a descriptor (by-handle
// calls); the changes below pick the system call variant that fits.
struct Target {
    int fd = -1;
    const char *path = nullptr;
    bool nofollow = false;

    int at_flags() const { return nofollow ? AT_SYMLINK_NOFOLLOW : 0; }
    int change_mode(mode_t mode) const {
        return path ? ::fchmodat(AT_FDCWD, path, mode, at_flags()) : ::fchmod(fd, mode);
    }
    int change_owner(uid_t owner, gid_t group) const {
        return path ? ::fchownat(AT_FDCWD, path, owner, group, at_flags())
                    : ::fchown(fd, owner, group);
    }
    int change_times(const timespec times[2]) const {
        return path ? ::utimensat(AT_FDCWD, path, times, at_flags()) : ::futimens(fd, times);
    }
};

timespec time_to_set(uint32_t which, uint32_t set, uint32_t now, int64_t ns) {
    if (which & now)
        return {0, UTIME_NOW};
    if (which & set)
        return timespec_of(ns);
    return {0, UTIME_OMIT};
}

// Mode, owner and times, as `which` says; validates everything before changing anything.
bsc_status apply(const Target &target, uint32_t which, const bsc_stream_attributes &in) {
    constexpr uint32_t kTimes = BSC_SET_ACCESS_TIME | BSC_SET_MODIFY_TIME |
                                BSC_SET_ACCESS_TIME_NOW | BSC_SET_MODIFY_TIME_NOW;
    bool both_access = (which & BSC_SET_ACCESS_TIME) && (which & BSC_SET_ACCESS_TIME_NOW);
    bool both_modify = (which & BSC_SET_MODIFY_TIME) && (which & BSC_SET_MODIFY_TIME_NOW);
    if (both_access || both_modify || ((which & BSC_SET_MODE) && (in.mode & ~07777u)))
        return BSC_E_INVALID;
    if (which == 0) // nothing to change, but the object is still looked up and checked
        return check(target.change_owner(static_cast<uid_t>(-1), static_cast<gid_t>(-1)));
    if ((which & BSC_SET_MODE) && target.change_mode(in.mode) != 0)
        return errno_status();
    if (which & (BSC_SET_OWNER | BSC_SET_GROUP)) {
        uid_t owner = which & BSC_SET_OWNER ? in.owner : static_cast<uid_t>(-1);
        gid_t group = which & BSC_SET_GROUP ? in.group : static_cast<gid_t>(-1);
        if (target.change_owner(owner, group) != 0)
            return errno_status();
    }
    if (which & kTimes) {
        timespec times[2] = {
            time_to_set(which, BSC_SET_ACCESS_TIME, BSC_SET_ACCESS_TIME_NOW, in.access_time),
            time_to_set(which, BSC_SET_MODIFY_TIME, BSC_SET_MODIFY_TIME_NOW, in.modify_time)};
        if (target.change_times(times) != 0)
            return errno_status();
    }
    return BSC_OK;
}

// Only BSC_OPTION_NONBLOCK may change after open.
bsc_status set_options(Object &stream, uint32_t options) {
    if (options & ~uint32_t{BSC_OPTION_NONBLOCK})
        return BSC_E_INVALID;
    int flags = ::fcntl(stream.fd, F_GETFL);
    if (flags < 0)
        return errno_status();
    flags = options & BSC_OPTION_NONBLOCK ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    if (::fcntl(stream.fd, F_SETFL, flags) != 0)
        return errno_status();
    uint32_t old = stream.options.load();
    while (!stream.options.compare_exchange_weak(old, (old & ~uint32_t{BSC_OPTION_NONBLOCK}) | options))
        ;
    return BSC_OK;
}

// BSC_SET_APPEND and BSC_SET_PACKET: the descriptor's O_APPEND, or a pipe's O_DIRECT
// (packet mode), as F_SETFL changes them.
bsc_status set_descriptor_flag(Object &stream, int flag, bool on) {
    int flags = ::fcntl(stream.fd, F_GETFL);
    if (flags < 0)
        return errno_status();
    return ::fcntl(stream.fd, F_SETFL, on ? flags | flag : flags & ~flag) != 0 ? errno_status()
                                                                               : BSC_OK;
}

} // namespace

uint32_t type_from_mode(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFREG:
        return BSC_TYPE_FILE;
    case S_IFDIR:
        return BSC_TYPE_DIRECTORY;
    case S_IFLNK:
        return BSC_TYPE_SYMLINK;
    case S_IFIFO:
        return BSC_TYPE_PIPE;
    case S_IFSOCK:
        return BSC_TYPE_SOCKET;
    case S_IFCHR:
        return BSC_TYPE_CHAR_DEVICE;
    case S_IFBLK:
        return BSC_TYPE_BLOCK_DEVICE;
    default:
        return BSC_TYPE_UNKNOWN;
    }
}

uint32_t type_of_descriptor(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return BSC_TYPE_UNKNOWN;
    uint32_t type = type_from_mode(st.st_mode);
    return type == BSC_TYPE_CHAR_DEVICE && ::isatty(fd) ? uint32_t{BSC_TYPE_TTY} : type;
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_stream_attributes_query(const char *uri, uint32_t flags,
                                                   bsc_stream_attributes *attributes) {
    if (flags & ~uint32_t{BSC_QUERY_NOFOLLOW})
        return BSC_E_INVALID;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed, true))
        return s;
    struct stat st;
    int at_flags = flags & BSC_QUERY_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
    if (::fstatat(AT_FDCWD, parsed.path.c_str(), &st, at_flags) != 0)
        return errno_status();
    if (parsed.scheme == Scheme::dir && !S_ISDIR(st.st_mode))
        return BSC_E_NOT_DIRECTORY;
    bsc_stream_attributes out{};
    fill_attributes(st, out);
    return write_guest(attributes, out);
}

extern "C" bsc_status host_stream_attributes_query_by_handle(bsc_handle handle,
                                                             bsc_stream_attributes *attributes) {
    auto object = handles().find(handle);
    if (!object)
        return BSC_E_BAD_HANDLE;
    bsc_stream_attributes out{};
    if (auto stream = find_stream(handle)) {
        struct stat st;
        if (::fstat(stream->fd, &st) != 0)
            return errno_status();
        fill_attributes(st, out);
        fill_from_descriptor(*stream, out);
    } else {
        out.type = object->type; // events, threads, processes: the kind is all there is
    }
    return write_guest(attributes, out);
}

// statx by URI: the host's kernel answers for the file system, `want` asking as the
// guest's request mask asks (a file system may give a birth time only when asked).
extern "C" bsc_status host_stream_details_query(const char *uri, uint32_t flags, uint32_t want,
                                                bsc_stream_details *details) {
    if ((flags & ~uint32_t{BSC_QUERY_NOFOLLOW}) || (want & ~kDetailMask))
        return BSC_E_INVALID;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed, true))
        return s;
    struct statx sx {};
    int at_flags = flags & BSC_QUERY_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
    if (::statx(AT_FDCWD, parsed.path.c_str(), at_flags, want, &sx) != 0)
        return errno_status();
    if (parsed.scheme == Scheme::dir && !S_ISDIR(sx.stx_mode))
        return BSC_E_NOT_DIRECTORY;
    return write_guest(details, details_of(sx));
}

extern "C" bsc_status host_stream_details_query_by_handle(bsc_handle handle, uint32_t want,
                                                          bsc_stream_details *details) {
    if (want & ~kDetailMask)
        return BSC_E_INVALID;
    auto stream = find_stream(handle);
    if (!stream)
        return handles().find(handle) ? BSC_E_NOT_SUPPORTED : BSC_E_BAD_HANDLE;
    struct statx sx {};
    if (::statx(stream->fd, "", AT_EMPTY_PATH, want, &sx) != 0)
        return errno_status();
    return write_guest(details, details_of(sx));
}

extern "C" bsc_status host_stream_attributes_set(const char *uri, uint32_t flags, uint32_t which,
                                                 const bsc_stream_attributes *attributes) {
    if ((flags & ~uint32_t{BSC_QUERY_NOFOLLOW}) || (which & ~kSetMask) ||
        (which & kSetFlags))
        return BSC_E_INVALID; // options belong to an open stream
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed))
        return s;
    bsc_stream_attributes in;
    if (read_guest(attributes, in) != BSC_OK)
        return BSC_E_FAULT;
    return apply({.path = parsed.path.c_str(), .nofollow = (flags & BSC_QUERY_NOFOLLOW) != 0},
                 which, in);
}

extern "C" bsc_status
host_stream_attributes_set_by_handle(bsc_handle handle, uint32_t which,
                                     const bsc_stream_attributes *attributes) {
    if (which & ~kSetMask)
        return BSC_E_INVALID;
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    bsc_stream_attributes in;
    if (read_guest(attributes, in) != BSC_OK)
        return BSC_E_FAULT;
    if ((which & BSC_SET_OPTIONS) && (in.options & ~uint32_t{BSC_OPTION_NONBLOCK}))
        return BSC_E_INVALID;
    if ((which & BSC_SET_PACKET) && stream->type != BSC_TYPE_PIPE)
        return BSC_E_INVALID;
    // Only the descriptor flags: no attribute is touched (apply with nothing to change
    // would chown(-1, -1), which changes the change time and fails on an anonymous inode).
    if ((which & ~kSetFlags) != 0 || which == 0)
        if (bsc_status s = apply({.fd = stream->fd}, which & ~kSetFlags, in))
            return s;
    if (which & BSC_SET_APPEND)
        if (bsc_status s = set_descriptor_flag(*stream, O_APPEND, in.options & BSC_OPTION_APPEND))
            return s;
    if (which & BSC_SET_PACKET)
        if (bsc_status s = set_descriptor_flag(*stream, O_DIRECT, in.options & BSC_OPTION_PACKET))
            return s;
    // The host's kernel checks who may (the owner or CAP_FOWNER: NOT_PERMITTED).
    if (which & BSC_SET_NO_ACCESS_TIME)
        if (bsc_status s = set_descriptor_flag(*stream, O_NOATIME,
                                               in.options & BSC_OPTION_NO_ACCESS_TIME))
            return s;
    return which & BSC_SET_OPTIONS ? set_options(*stream, in.options) : BSC_OK;
}
