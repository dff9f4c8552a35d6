// SPDX-License-Identifier: MIT
// The new mount API (ABI 1.24): mount_open (fsopen, fspick, open_tree's clone),
// mount_configure (fsconfig), mount_attach (fsmount), mount_move (move_mount) and
// mount_attributes_set (mount_setattr), made by the host's kernel in the runtime's mount
// namespace as stream_mount is. A file-system context and a detached mount are the
// kernel's descriptors, held behind handles; the kernel checks the privilege, the flags and
// the objects in its order.
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "errors.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "objects.h"
#include "stream_uri.h"

using namespace bsc;
using namespace bsc::host;

namespace {

constexpr std::string_view kNameScheme = "name:";

// An object named as the ABI names it (abi/bascule.h): a directory descriptor and a path
// for the kernel's *at lookups, and whether the path is empty (the descriptor itself).
struct At {
    std::shared_ptr<Object> keep; // the handle's object, held for the call
    int dirfd = AT_FDCWD;
    std::string path;
    bool empty() const { return path.empty(); }
};

bsc_status read_at(bsc_handle handle, const char *uri, At &out) {
    if (handle == BSC_NO_HANDLE) {
        StreamUri parsed;
        if (bsc_status s = read_path_uri(uri, parsed))
            return s;
        out.path = parsed.path;
        return BSC_OK;
    }
    out.keep = find_stream(handle);
    if (!out.keep)
        return BSC_E_BAD_HANDLE;
    out.dirfd = out.keep->fd;
    return read_guest_string(uri, out.path, kMaxUri);
}

// The context or mount behind a handle of that type, else null.
std::shared_ptr<Object> find_of_type(bsc_handle handle, uint32_t type) {
    auto object = find_stream(handle);
    return object && object->type == type ? object : nullptr;
}

long result_or_status(long result, bsc_status &status) {
    status = result < 0 ? device_status_from_errno(errno) : BSC_OK;
    return result;
}

// A new descriptor of the kernel's as a handle of `type` (its URI says which call made it).
bsc_status publish_descriptor(long fd, uint32_t type, std::string uri, bsc_handle *handle) {
    auto object = std::make_shared<Object>(type, static_cast<int>(fd), std::move(uri));
    object->access = BSC_ACCESS_READ;
    return publish(object, handle);
}

long open_descriptor(const At &at, std::string_view name, uint32_t kind, uint32_t flags) {
    switch (kind) {
    case BSC_MOUNT_OPEN_FILE_SYSTEM:
        return ::syscall(SYS_fsopen, std::string(name).c_str(), FSOPEN_CLOEXEC | flags);
    case BSC_MOUNT_OPEN_PICK:
        return ::syscall(SYS_fspick, at.dirfd, at.path.c_str(),
                         FSPICK_CLOEXEC | flags | (at.empty() ? FSPICK_EMPTY_PATH : 0u));
    default:
        return ::syscall(SYS_open_tree, at.dirfd, at.path.c_str(),
                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags |
                             (at.empty() ? AT_EMPTY_PATH : 0u));
    }
}

} // namespace

extern "C" bsc_status host_mount_open(bsc_handle at_handle, const char *uri, uint32_t kind,
                                      uint32_t flags, bsc_handle *handle) {
    constexpr uint32_t kPickFlags = FSPICK_SYMLINK_NOFOLLOW | FSPICK_NO_AUTOMOUNT;
    constexpr uint32_t kTreeFlags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_RECURSIVE;
    uint32_t known = kind == BSC_MOUNT_OPEN_PICK ? kPickFlags
                     : kind == BSC_MOUNT_OPEN_TREE ? kTreeFlags
                                                   : 0;
    if (kind > BSC_MOUNT_OPEN_TREE || (flags & ~known))
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(handle))
        return s;
    At at;
    std::string text;
    if (kind == BSC_MOUNT_OPEN_FILE_SYSTEM) {
        if (bsc_status s = read_guest_string(uri, text, kMaxUri))
            return s;
        if (at_handle != BSC_NO_HANDLE || !text.starts_with(kNameScheme))
            return BSC_E_INVALID;
    } else if (bsc_status s = read_at(at_handle, uri, at)) {
        return s;
    }
    std::string_view name = text; // fsopen's type, after "name:"
    name.remove_prefix(std::min(name.size(), kNameScheme.size()));
    bsc_status status;
    long fd = result_or_status(open_descriptor(at, name, kind, flags), status);
    if (status != BSC_OK)
        return status;
    uint32_t type = kind == BSC_MOUNT_OPEN_TREE ? BSC_TYPE_MOUNT : BSC_TYPE_MOUNT_CONTEXT;
    const char *names[] = {"mount:fsopen", "mount:fspick", "mount:open_tree"};
    return publish_descriptor(fd, type, names[kind], handle);
}

// fsconfig: the key, a string or binary value are the guest's, which the kernel copies
// itself in its order; a path comes as a URI (or "" for `file` itself), a descriptor as
// the handle `file`.
extern "C" bsc_status host_mount_configure(bsc_handle context, uint32_t command,
                                           const char *key, const void *value, uint64_t size,
                                           bsc_handle file) {
    auto object = find_of_type(context, BSC_TYPE_MOUNT_CONTEXT);
    if (!object)
        return find_stream(context) ? BSC_E_INVALID : BSC_E_BAD_HANDLE;
    At at;
    long aux = 0;
    const void *argument = value;
    if (command == FSCONFIG_SET_PATH || command == FSCONFIG_SET_PATH_EMPTY) {
        if (bsc_status s = read_at(file, static_cast<const char *>(value), at))
            return s;
        argument = at.path.c_str();
        aux = at.dirfd;
    } else if (command == FSCONFIG_SET_FD) {
        at.keep = find_stream(file);
        if (!at.keep)
            return BSC_E_BAD_HANDLE;
        aux = at.keep->fd;
    } else if (command == FSCONFIG_SET_BINARY) {
        if (size == 0 || size > 1024 * 1024)
            return BSC_E_INVALID;
        aux = static_cast<long>(size);
    }
    bsc_status status;
    result_or_status(::syscall(SYS_fsconfig, object->fd, command, key, argument, aux), status);
    return status;
}

extern "C" bsc_status host_mount_attach(bsc_handle context, uint32_t flags, uint32_t attributes,
                                        bsc_handle *mount) {
    if (flags != 0)
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(mount))
        return s;
    auto object = find_of_type(context, BSC_TYPE_MOUNT_CONTEXT);
    if (!object)
        return find_stream(context) ? BSC_E_INVALID : BSC_E_BAD_HANDLE;
    bsc_status status;
    long fd = result_or_status(
        ::syscall(SYS_fsmount, object->fd, FSMOUNT_CLOEXEC, attributes), status);
    if (status != BSC_OK)
        return status;
    return publish_descriptor(fd, BSC_TYPE_MOUNT, "mount:fsmount", mount);
}

extern "C" bsc_status host_mount_move(bsc_handle from, const char *from_uri, bsc_handle to,
                                      const char *to_uri, uint32_t flags) {
    constexpr uint32_t kEmpty = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    if (flags & kEmpty)
        return BSC_E_INVALID;
    At source, target;
    if (bsc_status s = read_at(from, from_uri, source))
        return s;
    if (bsc_status s = read_at(to, to_uri, target))
        return s;
    flags |= (source.empty() ? MOVE_MOUNT_F_EMPTY_PATH : 0u) |
             (target.empty() ? MOVE_MOUNT_T_EMPTY_PATH : 0u);
    bsc_status status;
    result_or_status(::syscall(SYS_move_mount, source.dirfd, source.path.c_str(), target.dirfd,
                               target.path.c_str(), flags),
                     status);
    return status;
}

extern "C" bsc_status host_mount_attributes_set(bsc_handle at_handle, const char *uri,
                                                uint32_t flags,
                                                const bsc_mount_attributes *attributes) {
    if (flags & AT_EMPTY_PATH)
        return BSC_E_INVALID;
    bsc_mount_attributes change;
    if (bsc_status s = read_guest(attributes, change))
        return s;
    if ((change.set | change.clear) & MOUNT_ATTR_IDMAP)
        return BSC_E_NOT_SUPPORTED; // the ABI carries no user namespace
    At at;
    if (bsc_status s = read_at(at_handle, uri, at))
        return s;
    struct mount_attr attr{};
    attr.attr_set = change.set;
    attr.attr_clr = change.clear;
    attr.propagation = change.propagation;
    bsc_status status;
    result_or_status(::syscall(SYS_mount_setattr, at.dirfd, at.path.c_str(),
                               flags | (at.empty() ? AT_EMPTY_PATH : 0u), &attr, sizeof attr),
                     status);
    return status;
}

namespace {

// statmount and listmount (Linux 6.8), which the build's headers may not name yet.
constexpr long kStatmount = 457, kListmount = 458;
struct MountIdRequest { // struct mnt_id_req, MNT_ID_REQ_SIZE_VER1
    uint32_t size, spare;
    uint64_t mnt_id, param, mnt_ns_id;
};

bsc_status read_request(const bsc_mount_request *guest, MountIdRequest &out) {
    bsc_mount_request request;
    if (bsc_status s = read_guest(guest, request))
        return s;
    out = {sizeof out, 0, request.mount_id, request.param, request.namespace_id};
    return BSC_OK;
}

} // namespace

// statmount into the guest's buffer: the host's kernel writes struct statmount and its
// strings there itself, and its `size` field says how much it wrote.
extern "C" bsc_status host_mount_status_query(const bsc_mount_request *request, void *buffer,
                                              uint64_t size, uint64_t *length) {
    MountIdRequest kernel_request;
    if (bsc_status s = read_request(request, kernel_request))
        return s;
    if (bsc_status s = probe_out(length))
        return s;
    bsc_status status;
    result_or_status(::syscall(kStatmount, &kernel_request, buffer, size, 0), status);
    if (status != BSC_OK)
        return status;
    uint32_t written = 0; // struct statmount's first field
    if (bsc_status s = read_guest(static_cast<const uint32_t *>(buffer), written))
        return s;
    return write_guest(length, uint64_t{written});
}

extern "C" bsc_status host_mount_list(const bsc_mount_request *request, uint64_t *ids,
                                      uint64_t count, uint32_t flags, uint64_t *found) {
    MountIdRequest kernel_request;
    if (bsc_status s = read_request(request, kernel_request))
        return s;
    if (bsc_status s = probe_out(found))
        return s;
    bsc_status status;
    long n = result_or_status(::syscall(kListmount, &kernel_request, ids, count, flags), status);
    if (status != BSC_OK)
        return status;
    return write_guest(found, static_cast<uint64_t>(n));
}
