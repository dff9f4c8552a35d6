// SPDX-License-Identifier: MIT
// File handles: name_to_handle_at, the host's handle of the object a guest path names
// (ABI 1.24 stream_file_handle_query), and open_by_handle_at, that object opened again
// (stream_open_by_file_handle); each with Linux's checks in Linux's order.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/capability.h>
#include <linux/fcntl.h>

#include "fd_table.h"
#include "libos_files.h"
#include "paths.h"
#include "process_state.h"
#include "procfs.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

// name_to_handle_at's AT_HANDLE_* flags (linux/fcntl.h).
constexpr uint64_t kHandleFid = 0x200, kMountIdUnique = 0x001, kConnectable = 0x002;
constexpr int32_t kInvalidType = 255; // FILEID_INVALID: the type an overflow reports
constexpr size_t kUriMax = kPathMax + 16;

// struct file_handle's fixed part; its bytes follow it.
struct HandleHeader {
    uint32_t handle_bytes;
    int32_t handle_type;
};

// The object an open file `fd` names (AT_FDCWD: the working directory): its URI, and
// for a host stream its handle (`stream`, else BSC_NO_HANDLE), which names it even when its
// path no longer does. `pathless` for one the LibOS knows by no path (a pipe, a socket):
// on Linux its file system exports no handles.
int64_t descriptor_object(int fd, char *uri, size_t capacity, bsc_handle &stream,
                          bool &pathless) {
    char path[kPathMax], host[kPathMax];
    pathless = false;
    stream = BSC_NO_HANDLE;
    if (fd == AT_FDCWD) {
        if (get_cwd(path, sizeof path) < 0)
            return -ENAMETOOLONG;
    } else {
        FileRef file(fd);
        if (!file)
            return -EBADF;
        pathless = !file->path;
        if (pathless)
            return 0;
        if (!freestanding::copy_string(path, sizeof path, file->path))
            return -ENAMETOOLONG;
        if (file->handle != BSC_NO_HANDLE && !(file->flags & O_PATH))
            stream = file->handle;
    }
    proc_host_path(path, host, sizeof host);
    return make_uri("file:", host, uri, capacity);
}

// The URI of what name_to_handle_at names: `dirfd` itself for an empty path with
// AT_EMPTY_PATH (`itself`), else the path resolved as every call resolves it.
int64_t handle_target(int dirfd, uint64_t path, uint64_t flags, char *uri, bool &itself) {
    char first = 0;
    itself = false;
    if (flags & AT_EMPTY_PATH) {
        if (!get_user(path, first))
            return -EFAULT;
        itself = first == 0;
    }
    if (!itself)
        return user_path_uri(dirfd, path, flags & AT_SYMLINK_FOLLOW, uri, kUriMax);
    bool pathless = false;
    bsc_handle stream = BSC_NO_HANDLE;
    if (int64_t error = descriptor_object(dirfd, uri, kUriMax, stream, pathless))
        return error;
    if (pathless && (flags & kHandleFid))
        report_unsupported("name_to_handle_at", "AT_HANDLE_FID of a pipe or socket");
    return pathless ? -EOPNOTSUPP : 0;
}

// Writes name_to_handle_at's answer: the mount id, then the handle, or with too little
// room (`room` bytes) EOVERFLOW and the size needed, as do_sys_name_to_handle does.
int64_t put_handle(const bsc_file_handle &found, uint32_t room, uint64_t user_handle,
                   uint64_t mount_id) {
    bool fits = found.length <= room;
    HandleHeader header{found.length, fits ? found.kind : kInvalidType};
    if (!put_user(mount_id, static_cast<int32_t>(found.mount_id)))
        return -EFAULT;
    if (!copy_to_user(user_handle, &header, sizeof header) ||
        (fits && !copy_to_user(user_handle + sizeof header, found.bytes, found.length)))
        return -EFAULT;
    return fits ? 0 : -EOVERFLOW;
}

// The path a stream opened by handle goes by, as the host names it.
void opened_path(bsc_handle handle, char *path, size_t capacity) {
    bsc_object_info info{};
    char uri[kUriMax] = "";
    abi().object_query(handle, &info, uri, sizeof uri);
    const char *colon = uri;
    while (*colon && *colon != ':')
        colon++;
    freestanding::copy_string(path, capacity, *colon ? colon + 1 : "");
}

} // namespace

// AT_HANDLE_MNT_ID_UNIQUE (the 64-bit mount id, which statx does not carry either) is not
// served: EINVAL, as a kernel before it says.
int64_t sys_name_to_handle_at(Syscall &c) {
    int dirfd = static_cast<int>(c.arg[0]);
    uint64_t flags = c.arg[4];
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | kHandleFid | kMountIdUnique | kConnectable))
        return -EINVAL;
    if ((flags & kConnectable) && (flags & (kHandleFid | AT_EMPTY_PATH)))
        return -EINVAL;
    if (flags & kMountIdUnique) {
        report_unsupported("name_to_handle_at", "AT_HANDLE_MNT_ID_UNIQUE");
        return -EINVAL;
    }
    char uri[kUriMax];
    bool itself = false;
    if (int64_t error = handle_target(dirfd, c.arg[1], flags, uri, itself))
        return error;
    // A descriptor's path names its object itself, a link too (O_PATH | O_NOFOLLOW).
    uint32_t query = (itself || !(flags & AT_SYMLINK_FOLLOW) ? BSC_QUERY_NOFOLLOW : 0) |
                     (flags & kHandleFid ? BSC_FILE_HANDLE_FID : 0) |
                     (flags & kConnectable ? BSC_FILE_HANDLE_CONNECTABLE : 0);
    bsc_file_handle found{};
    if (int64_t error = result_of(abi().stream_file_handle_query(uri, query, &found)))
        return error;
    HandleHeader given;
    if (!copy_from_user(&given, c.arg[2], sizeof given))
        return -EFAULT;
    if (given.handle_bytes > BSC_FILE_HANDLE_MAX)
        return -EINVAL;
    return put_handle(found, given.handle_bytes, c.arg[2], c.arg[3]);
}

// Needs CAP_DAC_READ_SEARCH (the kernel's may_decode_fh in the one user namespace the
// guest has); `mount_fd` names the mount by any object on it. O_PATH is not served (the
// ABI opens streams, not paths): EOPNOTSUPP, as a file system that cannot decode.
int64_t sys_open_by_handle_at(Syscall &c) {
    constexpr uint32_t kUserFlags = 0xffff0000u, kValidUserFlags = 0x30000u; // FILEID_IS_*
    uint64_t flags = c.arg[2];
    HandleHeader header;
    if (!copy_from_user(&header, c.arg[1], sizeof header))
        return -EFAULT;
    if (header.handle_bytes == 0 || header.handle_bytes > BSC_FILE_HANDLE_MAX ||
        header.handle_type < 0 ||
        (static_cast<uint32_t>(header.handle_type) & kUserFlags & ~kValidUserFlags))
        return -EINVAL;
    char uri[kUriMax];
    bool pathless = false;
    bsc_handle mount = BSC_NO_HANDLE;
    if (int64_t error =
            descriptor_object(static_cast<int>(c.arg[0]), uri, sizeof uri, mount, pathless))
        return error;
    if (!capable(CAP_DAC_READ_SEARCH))
        return -EPERM;
    bsc_file_handle handle{};
    handle.length = header.handle_bytes;
    handle.kind = header.handle_type;
    if (!copy_from_user(handle.bytes, c.arg[1] + sizeof header, handle.length))
        return -EFAULT;
    if (pathless)
        return -ESTALE; // a pipe's or socket's file system decodes no handle
    if (flags & O_PATH) {
        report_unsupported("open_by_handle_at", "O_PATH");
        return -EOPNOTSUPP;
    }
    bsc_handle stream;
    if (bsc_status status = abi().stream_open_by_file_handle(
            mount, mount != BSC_NO_HANDLE ? "" : uri, &handle, access_of(flags), options_of(flags),
            &stream))
        return result_of(status);
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(stream, &attributes);
    char path[kPathMax];
    opened_path(stream, path, sizeof path);
    return install_opened(stream, flags, attributes.type, path[0] == '/' ? path : nullptr);
}

} // namespace libos
