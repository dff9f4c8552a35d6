// SPDX-License-Identifier: MIT
// File-system streams: stream_open (dispatching network schemes to sockets.cpp) and the
// calls on open streams: read, write, seek, flush, set_length, lock, control, directory
// listing.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>
#include <vector>

#include "fast_calls.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

constexpr uint32_t kAccessMask = BSC_ACCESS_RDWR | BSC_ACCESS_APPEND;
constexpr uint32_t kOptionMask = BSC_OPTION_NONBLOCK | BSC_OPTION_TRUNCATE | BSC_OPTION_NOFOLLOW |
                                 BSC_OPTION_DIRECTORY | BSC_OPTION_SYNC | BSC_OPTION_NO_LINKS |
                                 BSC_OPTION_EXCLUSIVE | BSC_OPTION_NO_ACCESS_TIME;
bool is_path_scheme(Scheme scheme) {
    return scheme == Scheme::file || scheme == Scheme::dir || scheme == Scheme::device;
}

int open_flags(uint32_t access, uint32_t create, uint32_t options) {
    bool read = access & BSC_ACCESS_READ;
    bool write = access & (BSC_ACCESS_WRITE | BSC_ACCESS_APPEND);
    // Never let a guest's open leak into a spawned process or become our controlling tty.
    int flags = O_CLOEXEC | O_NOCTTY | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
    if (access & BSC_ACCESS_APPEND)
        flags |= O_APPEND;
    if (create == BSC_CREATE_TRY)
        flags |= O_CREAT;
    if (create == BSC_CREATE_ALWAYS)
        flags |= O_CREAT | O_EXCL;
    if (options & BSC_OPTION_NONBLOCK)
        flags |= O_NONBLOCK;
    if (options & BSC_OPTION_TRUNCATE)
        flags |= O_TRUNC;
    if (options & BSC_OPTION_NOFOLLOW)
        flags |= O_NOFOLLOW;
    if (options & BSC_OPTION_DIRECTORY)
        flags |= O_DIRECTORY;
    if (options & BSC_OPTION_SYNC)
        flags |= O_SYNC;
    if (options & BSC_OPTION_NO_ACCESS_TIME) // the host's kernel checks who may (EPERM)
        flags |= O_NOATIME;
    // O_EXCL without O_CREAT claims a block device (EBUSY while it is mounted) and means
    // nothing for anything else: Linux's rule, which the kernel applies.
    if ((options & BSC_OPTION_EXCLUSIVE) && create == BSC_CREATE_NEVER)
        flags |= O_EXCL;
    return flags;
}

// Whether opening `path` waits for another party: a FIFO opened for reading or writing
// alone, blocking, waits for its other end. Nothing else does, and nothing else is opened
// through blocking_syscall, which a pending interrupt cancels: callers would have to
// retry every open (and mkdir's would have made its directory already).
bool open_may_wait(const char *path, int flags) {
    if ((flags & (O_DIRECTORY | O_NONBLOCK)) || (flags & O_ACCMODE) == O_RDWR ||
        (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        return false;
    struct stat st{};
    return ::stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

// open(2), or with BSC_OPTION_NO_LINKS openat2 refusing a symbolic link in any component
// (RESOLVE_NO_SYMLINKS: ELOOP) as the kernel walks the path. A FIFO's wait for its other
// end is one an interrupt always ends (EINTR: INTERRUPTED).
int open_file(const char *path, int flags, uint32_t mode, uint32_t options) {
    auto name = reinterpret_cast<long>(path);
    open_how how{};
    how.flags = static_cast<uint64_t>(flags);
    how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0; // else EINVAL
    how.resolve = RESOLVE_NO_SYMLINKS;
    bool links = !(options & BSC_OPTION_NO_LINKS);
    long number = links ? SYS_openat : SYS_openat2;
    long a3 = links ? flags : reinterpret_cast<long>(&how);
    long a4 = links ? static_cast<long>(mode) : static_cast<long>(sizeof how);
    if (open_may_wait(path, flags))
        return static_cast<int>(blocking_syscall(number, AT_FDCWD, name, a3, a4));
    return static_cast<int>(::syscall(number, AT_FDCWD, name, a3, a4));
}

// file:, dir: and dev:. A dir: URI opens only directories (read-only); with a create
// disposition it makes the directory first.
bsc_status open_path(const StreamUri &uri, uint32_t access, uint32_t mode, uint32_t create,
                     uint32_t options, std::shared_ptr<Object> &out) {
    if (uri.scheme == Scheme::dir) {
        if (access & (BSC_ACCESS_WRITE | BSC_ACCESS_APPEND))
            return BSC_E_IS_DIRECTORY;
        if (create != BSC_CREATE_NEVER && ::mkdir(uri.path.c_str(), mode) != 0 &&
            !(errno == EEXIST && create == BSC_CREATE_TRY))
            return errno_status();
        create = BSC_CREATE_NEVER;
        options |= BSC_OPTION_DIRECTORY;
    }
    UniqueFd fd(open_file(uri.path.c_str(), open_flags(access, create, options), mode, options));
    if (!fd)
        return errno_status();
    out = make_stream(std::move(fd), uri.text, access, options & ~uint32_t{BSC_OPTION_NO_LINKS});
    return BSC_OK;
}

// Whether a read or write of the stream may wait for another party (a file's never does;
// a notify: stream's read waits for an event).
bool may_wait(const Object &stream) {
    return (stream.type == BSC_TYPE_PIPE || stream.type == BSC_TYPE_SOCKET ||
            stream.type == BSC_TYPE_TTY || stream.type == BSC_TYPE_CHAR_DEVICE ||
            stream.type == BSC_TYPE_NOTIFIER) &&
           !(stream.options & BSC_OPTION_NONBLOCK);
}

// One read or write at the stream's position (advancing it) or at an explicit offset.
ssize_t transfer(const Object &stream, uint64_t offset, void *buffer, size_t size, bool write) {
    int fd = stream.fd;
    if (offset != BSC_AT_POSITION) {
        auto at = static_cast<off_t>(offset);
        return write ? ::pwrite(fd, buffer, size, at) : ::pread(fd, buffer, size, at);
    }
    // A socket whose peer is gone must give BROKEN_PIPE, not a SIGPIPE to the runtime.
    long number = !write ? SYS_read : stream.type == BSC_TYPE_SOCKET ? SYS_sendto : SYS_write;
    long flags = number == SYS_sendto ? MSG_NOSIGNAL : 0;
    auto address = reinterpret_cast<long>(buffer);
    auto length = static_cast<long>(size);
    if (!may_wait(stream))
        return ::syscall(number, fd, address, length, flags, 0, 0);
    return blocking_fd_syscall(write ? POLLOUT : POLLIN, number, fd, address, length, flags);
}

// The common part of stream_read and stream_write: the guest buffer goes straight to the
// kernel, which reports a bad one as EFAULT.
bsc_status read_or_write(bsc_handle handle, uint64_t offset, void *buffer, uint64_t size,
                         uint64_t *done, bool write) {
    if (done == nullptr)
        return BSC_E_FAULT;
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (offset != BSC_AT_POSITION && offset > INT64_MAX)
        return BSC_E_INVALID;
    uint64_t count = 0;
    if (auto *dir = dynamic_cast<DirectoryStream *>(stream.get())) {
        if (write)
            return BSC_E_IS_DIRECTORY;
        if (offset != BSC_AT_POSITION)
            return BSC_E_INVALID; // a directory has positions, not byte offsets
        if (bsc_status s = read_directory(*dir, buffer, size, count))
            return s;
    } else if (stream->type == BSC_TYPE_FANOTIFY) {
        if (offset != BSC_AT_POSITION)
            return BSC_E_INVALID;
        bsc_status s = write ? write_fanotify(*stream, buffer, size, count)
                             : read_fanotify(*stream, buffer, size, count);
        if (s != BSC_OK)
            return s;
    } else if (stream->type == BSC_TYPE_USERFAULT && !write) {
        if (offset != BSC_AT_POSITION)
            return BSC_E_INVALID;
        if (bsc_status s = read_userfault(*stream, buffer, size, count))
            return s;
    } else {
        ssize_t n = transfer(*stream, offset, buffer, std::min(size, kMaxTransfer), write);
        if (n < 0)
            return errno_status();
        count = static_cast<uint64_t>(n);
    }
    return write_guest(done, count);
}

int lock_type(uint32_t type) {
    return type == BSC_LOCK_READ ? F_RDLCK : type == BSC_LOCK_WRITE ? F_WRLCK : F_UNLCK;
}

uint32_t bsc_lock_type(short type) {
    return type == F_RDLCK ? BSC_LOCK_READ : type == F_WRLCK ? BSC_LOCK_WRITE : BSC_LOCK_UNLOCK;
}

// fcntl's lock `command` (F_OFD_SETLKW's wait ends with an interrupt; one that comes
// before it waits still gets a free lock, as on Linux).
int set_lock(int fd, int command, struct flock &fl) {
    if (command != F_SETLKW && command != F_OFD_SETLKW)
        return ::fcntl(fd, command, &fl);
    if (blocking_syscall(SYS_fcntl, fd, command, reinterpret_cast<long>(&fl)) == 0)
        return 0;
    if (errno != EINTR)
        return -1;
    if (::fcntl(fd, command == F_SETLKW ? F_SETLK : F_OFD_SETLK, &fl) == 0)
        return 0;
    if (errno == EAGAIN || errno == EACCES) // it would have waited
        errno = EINTR;
    return -1;
}

} // namespace

std::string uri_of_descriptor(int fd, uint32_t type) {
    char link[64], path[PATH_MAX];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, path, sizeof path - 1);
    if (n <= 0 || path[0] != '/')
        return "fd:";
    return (type == BSC_TYPE_DIRECTORY ? "dir:" : "file:") + std::string(path, n);
}

std::shared_ptr<Object> make_stream(UniqueFd fd, std::string uri, uint32_t access,
                                    uint32_t options) {
    uint32_t type = type_of_descriptor(fd.get());
    std::shared_ptr<Object> stream;
    if (type == BSC_TYPE_DIRECTORY)
        stream = std::make_shared<DirectoryStream>(type, fd.release(), std::move(uri));
    else
        stream = std::make_shared<Object>(type, fd.release(), std::move(uri));
    stream->access = access;
    stream->options = options & ~uint32_t{BSC_OPTION_TRUNCATE};
    return stream;
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_stream_open(const char *uri, uint32_t access, uint32_t mode,
                                       uint32_t create, uint32_t options, bsc_handle *handle) {
    StreamUri parsed;
    if (bsc_status s = read_uri(uri, parsed))
        return s;
    if (access == 0 || (access & ~kAccessMask) || create > BSC_CREATE_ALWAYS ||
        (options & ~kOptionMask) || (mode & ~07777u))
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(handle))
        return s;
    std::shared_ptr<Object> stream;
    bsc_status status = is_path_scheme(parsed.scheme)
                            ? open_path(parsed, access, mode, create, options, stream)
                        : parsed.scheme == Scheme::notify
                            ? open_notifier(access, create, options, stream)
                        : parsed.scheme == Scheme::fanotify
                            ? open_fanotify(parsed.path, access, create, options, stream)
                            : open_socket(parsed, access, options, stream);
    return status != BSC_OK ? status : publish(stream, handle);
}

// A struct file_handle with room for the largest handle (MAX_HANDLE_SZ bytes).
struct HostFileHandle {
    alignas(file_handle) unsigned char storage[sizeof(file_handle) + BSC_FILE_HANDLE_MAX];
    file_handle *get() { return reinterpret_cast<file_handle *>(storage); }
};

// name_to_handle_at on the object the URI names (its final link followed unless
// BSC_QUERY_NOFOLLOW; the host kernel checks FID with CONNECTABLE): the handle and the old, 31-bit mount id, which statx's
// STATX_MNT_ID and mountinfo give too.
extern "C" bsc_status host_stream_file_handle_query(const char *uri, uint32_t flags,
                                                    bsc_file_handle *handle) {
    // AT_HANDLE_FID and AT_HANDLE_CONNECTABLE (linux/fcntl.h, not in glibc's).
    constexpr int kHandleFid = 0x200, kConnectable = 0x002;
    if (flags & ~(uint32_t{BSC_QUERY_NOFOLLOW} | uint32_t{BSC_FILE_HANDLE_FID} |
                  uint32_t{BSC_FILE_HANDLE_CONNECTABLE}))
        return BSC_E_INVALID;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed, true))
        return s;
    if (bsc_status s = probe_out(handle))
        return s;
    HostFileHandle host;
    host.get()->handle_bytes = BSC_FILE_HANDLE_MAX;
    int mount_id = 0;
    int at_flags = (flags & BSC_QUERY_NOFOLLOW ? 0 : AT_SYMLINK_FOLLOW) |
                   (flags & BSC_FILE_HANDLE_FID ? kHandleFid : 0) |
                   (flags & BSC_FILE_HANDLE_CONNECTABLE ? kConnectable : 0);
    if (::name_to_handle_at(AT_FDCWD, parsed.path.c_str(), host.get(), &mount_id, at_flags) != 0)
        return errno_status();
    bsc_file_handle out{};
    out.length = host.get()->handle_bytes;
    out.kind = host.get()->handle_type;
    out.mount_id = static_cast<uint64_t>(mount_id);
    std::memcpy(out.bytes, host.get()->f_handle, out.length);
    return write_guest(handle, out);
}

// open_by_handle_at with a descriptor on the mount: the stream `mount`, or else the
// object the URI names (any object on the mount the host may read, as Linux's mount_fd).
// ESTALE (a handle of another file system, or of a removed object) has a code of its
// own. The stream goes by the path the host then knows it by.
extern "C" bsc_status host_stream_open_by_file_handle(bsc_handle mount, const char *mount_uri,
                                                      const bsc_file_handle *handle,
                                                      uint32_t access, uint32_t options,
                                                      bsc_handle *stream) {
    if (access == 0 || (access & ~kAccessMask) || (options & ~kOptionMask))
        return BSC_E_INVALID;
    std::shared_ptr<Object> by_handle;
    StreamUri parsed;
    if (mount != BSC_NO_HANDLE && !(by_handle = find_stream(mount)))
        return BSC_E_BAD_HANDLE;
    if (mount == BSC_NO_HANDLE)
        if (bsc_status s = read_path_uri(mount_uri, parsed, true))
            return s;
    bsc_file_handle in;
    if (bsc_status s = read_guest(handle, in))
        return s;
    if (in.length == 0 || in.length > BSC_FILE_HANDLE_MAX)
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(stream))
        return s;
    // Not O_PATH, which open_by_handle_at refuses (EBADF) as a mount_fd; O_NONBLOCK and
    // O_NOCTTY so that no FIFO waits and no terminal is taken.
    UniqueFd opened_mount(by_handle ? -1
                                    : ::open(parsed.path.c_str(),
                                             O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    int mount_fd = by_handle ? by_handle->fd : opened_mount.get();
    if (mount_fd < 0)
        return errno_status();
    HostFileHandle host;
    host.get()->handle_bytes = in.length;
    host.get()->handle_type = in.kind;
    std::memcpy(host.get()->f_handle, in.bytes, in.length);
    UniqueFd fd(::open_by_handle_at(mount_fd, host.get(),
                                    open_flags(access, BSC_CREATE_NEVER, options)));
    if (!fd)
        return errno == ESTALE ? BSC_E_STALE : errno_status();
    std::string uri = uri_of_descriptor(fd.get(), type_of_descriptor(fd.get()));
    return publish(make_stream(std::move(fd), std::move(uri), access,
                               options & ~uint32_t{BSC_OPTION_NO_LINKS}),
                   stream);
}

extern "C" bsc_status host_stream_read(bsc_handle handle, uint64_t offset, void *buffer,
                                       uint64_t size, uint64_t *done) {
    return read_or_write(handle, offset, buffer, size, done, false);
}

// The bytes waiting in a pipe, left there: tee(2) copies them into a scratch pipe of the
// same capacity without taking them, and they are read from that one.
extern "C" bsc_status host_stream_peek(bsc_handle handle, void *buffer, uint64_t size,
                                       uint64_t *done) {
    if (bsc_status s = probe_out(done))
        return s;
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    struct stat st;
    if (::fstat(stream->fd, &st) != 0)
        return errno_status();
    if (!S_ISFIFO(st.st_mode))
        return BSC_E_NOT_SUPPORTED;
    int capacity = ::fcntl(stream->fd, F_GETPIPE_SZ);
    int scratch[2];
    if (capacity < 0 || ::pipe2(scratch, O_CLOEXEC | O_NONBLOCK) != 0)
        return errno_status();
    UniqueFd scratch_read(scratch[0]), scratch_write(scratch[1]);
    if (::fcntl(scratch_write.get(), F_SETPIPE_SZ, capacity) < 0)
        return errno_status();
    ssize_t copied = ::tee(stream->fd, scratch_write.get(), std::min<uint64_t>(size, capacity),
                           SPLICE_F_NONBLOCK);
    if (copied < 0 && errno != EAGAIN) // EBADF: a write end
        return errno == EINVAL || errno == EBADF ? BSC_E_INVALID : errno_status();
    std::vector<char> bytes(std::max<ssize_t>(copied, 0));
    for (size_t got = 0; got < bytes.size();) {
        ssize_t n = ::read(scratch_read.get(), bytes.data() + got, bytes.size() - got);
        if (n <= 0)
            return BSC_E_IO;
        got += static_cast<size_t>(n);
    }
    if (bsc_status s = copy_to_guest(buffer, bytes.data(), bytes.size()))
        return s;
    return write_guest(done, static_cast<uint64_t>(bytes.size()));
}

extern "C" bsc_status host_stream_write(bsc_handle handle, uint64_t offset, const void *buffer,
                                        uint64_t size, uint64_t *done) {
    return read_or_write(handle, offset, const_cast<void *>(buffer), size, done, true);
}

extern "C" bsc_status host_stream_seek(bsc_handle handle, int64_t offset, uint32_t whence,
                                       uint64_t *position) {
    static constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE};
    if (whence > BSC_SEEK_HOLE)
        return BSC_E_INVALID;
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    off_t result;
    if (auto *dir = dynamic_cast<DirectoryStream *>(stream.get())) {
        std::lock_guard lock(dir->lock);
        result = ::lseek(dir->fd, offset, kWhence[whence]);
    } else {
        result = ::lseek(stream->fd, offset, kWhence[whence]);
    }
    if (result < 0)
        return errno_status();
    return position == nullptr ? BSC_OK : write_guest(position, static_cast<uint64_t>(result));
}

extern "C" bsc_status host_stream_flush(bsc_handle handle, uint32_t flags) {
    if (flags != 0 && flags != BSC_FLUSH_DATA_ONLY && flags != BSC_FLUSH_FILE_SYSTEM &&
        flags != BSC_FLUSH_EVERYTHING)
        return BSC_E_INVALID;
    if (flags == BSC_FLUSH_EVERYTHING) {
        if (handle != BSC_NO_HANDLE)
            return BSC_E_INVALID;
        ::sync();
        return BSC_OK;
    }
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (flags == BSC_FLUSH_FILE_SYSTEM)
        return check(::syncfs(stream->fd));
    return check(flags & BSC_FLUSH_DATA_ONLY ? ::fdatasync(stream->fd) : ::fsync(stream->fd));
}

extern "C" bsc_status host_stream_set_length(bsc_handle handle, uint64_t length) {
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (stream->type == BSC_TYPE_DIRECTORY)
        return BSC_E_IS_DIRECTORY;
    if (length > INT64_MAX)
        return BSC_E_TOO_BIG;
    return check(::ftruncate(stream->fd, static_cast<off_t>(length)));
}

namespace {

// A whole-file lock (BSC_LOCK_WHOLE_FILE) is the host's flock on the handle's open file
// description, which fork shares as Linux does; a wait ends with an interrupt as
// set_lock's.
bsc_status whole_file_lock(int fd, uint32_t command, uint32_t type) {
    int operation = type == BSC_LOCK_READ ? LOCK_SH : type == BSC_LOCK_WRITE ? LOCK_EX : LOCK_UN;
    if (command == BSC_LOCK_SET || type == BSC_LOCK_UNLOCK)
        return ::flock(fd, operation | LOCK_NB) == 0 ? BSC_OK
               : errno == EWOULDBLOCK                ? BSC_E_AGAIN
                                                     : errno_status();
    if (blocking_syscall(SYS_flock, fd, operation) == 0)
        return BSC_OK;
    if (errno != EINTR)
        return errno_status();
    if (::flock(fd, operation | LOCK_NB) == 0)
        return BSC_OK;
    return errno == EWOULDBLOCK ? BSC_E_INTERRUPTED : errno_status();
}

bool valid_lock_request(uint32_t command, const bsc_lock &wanted) {
    if (wanted.flags & BSC_LOCK_WHOLE_FILE) // never tested: flock has no F_GETLK
        return wanted.flags == BSC_LOCK_WHOLE_FILE && command <= BSC_LOCK_SET_WAIT &&
               wanted.type <= BSC_LOCK_UNLOCK && wanted.start == 0 && wanted.length == 0;
    return command <= BSC_LOCK_TEST && wanted.type <= BSC_LOCK_UNLOCK &&
           !(wanted.flags & ~uint32_t{BSC_LOCK_PROCESS}) &&
           !(command == BSC_LOCK_TEST && wanted.type == BSC_LOCK_UNLOCK) &&
           wanted.start <= INT64_MAX && wanted.length <= INT64_MAX;
}

// The lock the caller asks for, checked, and its stream: BSC_OK or why not.
bsc_status lock_request(bsc_handle handle, uint32_t command, const bsc_lock *lock,
                        bsc_lock &wanted, std::shared_ptr<Object> &stream) {
    if (read_guest(lock, wanted) != BSC_OK)
        return BSC_E_FAULT;
    if (!valid_lock_request(command, wanted))
        return BSC_E_INVALID;
    stream = find_stream(handle);
    return stream ? BSC_OK : BSC_E_BAD_HANDLE;
}

// A range lock: set, or tested into `fl` (the conflicting lock, or type F_UNLCK).
bsc_status range_lock(int fd, uint32_t command, const bsc_lock &wanted, struct flock &fl) {
    static constexpr int kCommand[] = {F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK};
    static constexpr int kProcessCommand[] = {F_SETLK, F_SETLKW, F_GETLK};
    // Open-file-description locks belong to the handle, not to the process, so two
    // handles of one file conflict like two processes would; BSC_LOCK_PROCESS locks are
    // the host process's own, which is the guest process.
    const int *commands = wanted.flags & BSC_LOCK_PROCESS ? kProcessCommand : kCommand;
    fl = {};
    fl.l_type = static_cast<short>(lock_type(wanted.type));
    fl.l_whence = SEEK_SET;
    fl.l_start = static_cast<off_t>(wanted.start);
    fl.l_len = static_cast<off_t>(wanted.length);
    if (set_lock(fd, commands[command], fl) != 0)
        return errno == EACCES ? BSC_E_AGAIN : errno_status();
    return BSC_OK;
}

// What TEST reports of the conflicting lock the host found (or of none).
bsc_lock tested_lock(const bsc_lock &wanted, const struct flock &found) {
    if (found.l_type == F_UNLCK)
        return {BSC_LOCK_UNLOCK, 0, wanted.start, wanted.length};
    // A conflicting lock held through a handle is no process's (l_pid -1 on Linux).
    uint32_t owner = found.l_pid == -1          ? 0
                     : found.l_pid == ::getpid() ? uint32_t{BSC_LOCK_PROCESS | BSC_LOCK_OWN}
                                                 : uint32_t{BSC_LOCK_PROCESS};
    return {bsc_lock_type(found.l_type), owner, static_cast<uint64_t>(found.l_start),
            static_cast<uint64_t>(found.l_len)};
}

} // namespace

extern "C" bsc_status host_stream_lock(bsc_handle handle, uint32_t command, bsc_lock *lock) {
    bsc_lock wanted;
    std::shared_ptr<Object> stream;
    if (bsc_status s = lock_request(handle, command, lock, wanted, stream))
        return s;
    if (wanted.flags & BSC_LOCK_WHOLE_FILE)
        return whole_file_lock(stream->fd, command, wanted.type);
    struct flock fl;
    if (bsc_status s = range_lock(stream->fd, command, wanted, fl))
        return s;
    return command == BSC_LOCK_TEST ? write_guest(lock, tested_lock(wanted, fl)) : BSC_OK;
}

extern "C" bsc_status host_stream_lock_query(bsc_handle handle, bsc_lock *lock,
                                             uint64_t *holder) {
    bsc_lock wanted;
    std::shared_ptr<Object> stream;
    if (bsc_status s = lock_request(handle, BSC_LOCK_TEST, lock, wanted, stream))
        return s;
    if (bsc_status s = probe_out(holder))
        return s;
    struct flock fl;
    if (bsc_status s = range_lock(stream->fd, BSC_LOCK_TEST, wanted, fl))
        return s;
    bool process = fl.l_type != F_UNLCK && fl.l_pid != -1;
    if (bsc_status s = write_guest(lock, tested_lock(wanted, fl)))
        return s;
    return write_guest(holder, process ? static_cast<uint64_t>(fl.l_pid) : uint64_t{0});
}

namespace {

// Pipe capacity as the kernel keeps it (F_GETPIPE_SZ / F_SETPIPE_SZ): the kernel rounds
// and refuses (EBUSY below the buffered bytes, EPERM over pipe-max-size) for us.
bsc_status pipe_capacity(Object &stream, uint32_t command, void *data) {
    auto *value = static_cast<uint64_t *>(data);
    uint64_t wanted = 0;
    if (command == BSC_CONTROL_PIPE_SET_CAPACITY && read_guest(value, wanted) != BSC_OK)
        return BSC_E_FAULT;
    if (stream.type != BSC_TYPE_PIPE)
        return BSC_E_NOT_SUPPORTED;
    if (wanted > (uint64_t{1} << 31))
        return BSC_E_INVALID;
    int capacity = command == BSC_CONTROL_PIPE_CAPACITY
                       ? ::fcntl(stream.fd, F_GETPIPE_SZ)
                       : ::fcntl(stream.fd, F_SETPIPE_SZ, static_cast<unsigned>(wanted));
    if (capacity < 0)
        return errno_status();
    return write_guest(value, static_cast<uint64_t>(capacity));
}

bsc_status readable_bytes(Object &stream, void *data) {
    int bytes = 0;
    if (::ioctl(stream.fd, FIONREAD, &bytes) != 0)
        return errno_status();
    return write_guest(static_cast<uint64_t *>(data), static_cast<uint64_t>(bytes < 0 ? 0 : bytes));
}

// BSC_CONTROL_CREATED: whether the open that made the stream created its file (Linux
// 6.12's F_CREATED_QUERY: FMODE_CREATED of the host's open file, which every open of the
// host sets as the kernel sets it for the guest). NOT_IMPLEMENTED on an older host kernel.
bsc_status created_query(const Object &stream, void *data) {
    constexpr int kCreatedQuery = 1024 + 4; // F_CREATED_QUERY
    int created = ::fcntl(stream.fd, kCreatedQuery, 0);
    if (created < 0)
        return errno == EINVAL ? BSC_E_NOT_IMPLEMENTED : errno_status();
    return write_guest(static_cast<uint32_t *>(data), static_cast<uint32_t>(created));
}

// BSC_CONTROL_CACHE_STATUS: the host's cachestat(2) of the stream's pages, with its own
// checks in its order (EOPNOTSUPP on hugetlbfs, EPERM without write access or ownership,
// EINVAL for flags). NOT_IMPLEMENTED on a host kernel before 6.5.
bsc_status cache_status(const Object &stream, void *data) {
    constexpr long kCachestat = 451; // __NR_cachestat on x86-64
    auto *guest = static_cast<bsc_cache_status *>(data);
    bsc_cache_status request{};
    if (read_guest(guest, request) != BSC_OK)
        return BSC_E_FAULT;
    if (request.reserved != 0)
        return BSC_E_INVALID;
    struct {
        uint64_t offset, length;
    } range{request.offset, request.length};
    struct {
        uint64_t cached, dirty, writeback, evicted, recently_evicted;
    } counts{};
    if (::syscall(kCachestat, stream.fd, &range, &counts, request.flags) != 0)
        return errno == ENOSYS ? BSC_E_NOT_IMPLEMENTED : errno_status();
    request.cached = counts.cached;
    request.dirty = counts.dirty;
    request.writeback = counts.writeback;
    request.evicted = counts.evicted;
    request.recently_evicted = counts.recently_evicted;
    return write_guest(guest, request);
}

// BSC_CONTROL_ALLOCATE: fallocate(2) with the host's own checks, in its order. The
// errors that say "not for this kind of file" (ESPIPE for a pipe, ENODEV, EOPNOTSUPP)
// all come back NOT_SUPPORTED: the caller knows the stream's type.
bsc_status allocate(const Object &stream, const void *data) {
    bsc_allocation request{};
    if (read_guest(static_cast<const bsc_allocation *>(data), request) != BSC_OK)
        return BSC_E_FAULT;
    constexpr uint32_t known = BSC_ALLOCATE_KEEP_SIZE | BSC_ALLOCATE_PUNCH_HOLE |
                               BSC_ALLOCATE_COLLAPSE_RANGE | BSC_ALLOCATE_ZERO_RANGE |
                               BSC_ALLOCATE_INSERT_RANGE | BSC_ALLOCATE_UNSHARE_RANGE |
                               BSC_ALLOCATE_WRITE_ZEROES;
    if ((request.mode & ~known) || request.reserved != 0 || request.offset > INT64_MAX ||
        request.length > INT64_MAX)
        return BSC_E_INVALID;
    // The ABI's mode bits are Linux's FALLOC_FL_* values.
    if (::fallocate(stream.fd, static_cast<int>(request.mode), static_cast<off_t>(request.offset),
                    static_cast<off_t>(request.length)) == 0)
        return BSC_OK;
    return errno == ESPIPE || errno == ENODEV ? BSC_E_NOT_SUPPORTED : errno_status();
}

} // namespace

extern "C" bsc_status host_stream_control(bsc_handle handle, uint32_t command, void *data,
                                          uint64_t size) {
    bool terminal = is_terminal_command(command);
    bool allocation = command == BSC_CONTROL_ALLOCATE;
    bool watch = command == BSC_CONTROL_WATCH_REMOVE;
    bool notice = is_notice_command(command);
    bool created = command == BSC_CONTROL_CREATED;
    bool cache = command == BSC_CONTROL_CACHE_STATUS;
    bool device = command == BSC_CONTROL_DEVICE_REQUEST; // its size is checked with it
    bool queue = is_queue_command(command);              // and so is a queue's
    if (!device && !queue && (allocation ? size != sizeof(bsc_allocation)
                    : watch    ? size != sizeof(int32_t)
                    : notice || created ? size != sizeof(uint32_t)
                    : cache    ? size != sizeof(bsc_cache_status)
                               : !terminal && (command < BSC_CONTROL_PIPE_CAPACITY ||
                                               command > BSC_CONTROL_READABLE ||
                                               size != sizeof(uint64_t))))
        return BSC_E_INVALID;
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (device)
        return device_request(*stream, data, size);
    if (queue)
        return queue_control(*stream, command, data, size);
    if (terminal)
        return terminal_control(stream->fd, command, data, size);
    if (allocation)
        return allocate(*stream, data);
    if (watch)
        return remove_watch(*stream, data);
    if (created)
        return created_query(*stream, data);
    if (cache)
        return cache_status(*stream, data);
    if (notice)
        return notice_control(*stream, command, data);
    if (command == BSC_CONTROL_READABLE)
        return readable_bytes(*stream, data);
    return pipe_capacity(*stream, command, data);
}
