// SPDX-License-Identifier: MIT
// The new mount API: fsopen, fspick, open_tree, fsconfig, fsmount, move_mount and
// mount_setattr. As mount(2) (sys/mount.cpp), the work is the host kernel's, in the
// runtime's own mount namespace, through the ABI's mount_* calls (1.24); a file-system
// context and a detached mount are the host's descriptors behind handles, which the guest
// holds as descriptors of types BSC_TYPE_MOUNT_CONTEXT and BSC_TYPE_MOUNT. The LibOS checks
// what the kernel checks before its path lookups (the privilege, the flags, the sizes) in
// the kernel's order, resolves every path into a URI (fs-translate maps it) and turns every
// descriptor into its handle.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/mount.h>

#include "fd_table.h"
#include "format.h"
#include "paths.h"
#include "process_state.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kUriMax = kPathMax + 16;
constexpr uint64_t kCreateExclusive = 8;     // FSCONFIG_CMD_CREATE_EXCL (Linux 6.6)
constexpr uint64_t kMoveBeneath = 0x200;     // MOVE_MOUNT_BENEATH (Linux 6.5)
constexpr uint64_t kMoveFlags = MOVE_MOUNT__MASK | kMoveBeneath;
constexpr uint64_t kKeyMax = 256;            // fsconfig's strndup_user of the key
constexpr uint64_t kBinaryMax = 1024 * 1024; // fsconfig's largest binary value
// The attributes fsmount takes (FSMOUNT_VALID_FLAGS) and mount_setattr's
// (MOUNT_SETATTR_VALID_FLAGS, with MOUNT_ATTR_IDMAP), and its propagation types.
constexpr uint64_t kAttachAttributes = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                                       MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                                       MOUNT_ATTR_NOSYMFOLLOW;
constexpr uint64_t kSetAttributes = kAttachAttributes | MOUNT_ATTR_IDMAP;
constexpr uint64_t kPropagation = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED;

// An object a call names as the kernel's user_path_at names it, as the ABI takes it: a
// URI, or a handle with "" (the descriptor itself) or a path relative to it (inside a
// detached mount, which no path of the guest's reaches). Holds the open file for the call.
struct MountAt {
    MountAt() = default;
    MountAt(const MountAt &) = delete;
    MountAt &operator=(const MountAt &) = delete;
    ~MountAt() {
        if (file)
            file_release(file);
    }
    OpenFile *file = nullptr;
    bsc_handle handle = BSC_NO_HANDLE;
    char uri[kUriMax] = "";
};

// The descriptor `dirfd` itself (an empty path with AT_EMPTY_PATH or its like): its handle,
// or the path of a descriptor without one (O_PATH, the working directory).
int64_t descriptor_at(int dirfd, MountAt &out) {
    if (dirfd == AT_FDCWD) {
        char cwd[kPathMax];
        if (get_cwd(cwd, sizeof cwd) < 0)
            return -ENAMETOOLONG;
        return make_uri("file:", cwd, out.uri, sizeof out.uri);
    }
    FileRef file(dirfd);
    if (!file)
        return -EBADF;
    if (file->handle != BSC_NO_HANDLE) {
        file_acquire(file.get());
        out.file = file.get();
        out.handle = file->handle;
        return 0;
    }
    if (file->path)
        return make_uri("file:", file->path, out.uri, sizeof out.uri);
    // An object of the LibOS's own (an eventfd) lies on no mount the host could name; on
    // Linux, it is no mount's root either.
    report_unsupported("mount API", "a descriptor of an object the LibOS serves itself");
    return -EINVAL;
}

// (dirfd, path) as user_path_at finds it: `empty` allows an empty path (dirfd itself),
// `follow` follows a final link. EFAULT, EBADF, ENOENT, ENOTDIR, ENAMETOOLONG ...
int64_t mount_at(int dirfd, uint64_t path, bool empty, bool follow, MountAt &out) {
    char first = 0;
    if (!get_user(path, first))
        return -EFAULT;
    if (first == 0 && empty)
        return descriptor_at(dirfd, out);
    if (first != '/' && first != 0 && dirfd != AT_FDCWD) {
        FileRef file(dirfd);
        if (!file)
            return -EBADF;
        if (file->type == BSC_TYPE_MOUNT) { // a detached mount: the host looks inside it
            int64_t length = string_from_user(out.uri, path, sizeof out.uri);
            if (length < 0)
                return length;
            file_acquire(file.get());
            out.file = file.get();
            out.handle = file->handle;
            return 0;
        }
    }
    return user_path_uri(dirfd, path, follow, out.uri, sizeof out.uri);
}

// A new descriptor for a context or a detached mount the host made: the kernel's
// anonymous file (a context, O_RDWR) or O_PATH file of the mount's root. The LibOS's
// O_PATH files are named by their path, which a detached mount has none of: its file is
// the host's O_PATH descriptor, whose kernel answers for it (EBADF for a read), and
// F_GETFL shows O_RDONLY. -EMFILE or the descriptor.
int64_t install_mount_file(bsc_handle handle, uint32_t type, bool cloexec) {
    bool context = type == BSC_TYPE_MOUNT_CONTEXT;
    OpenFile *file = open_file(handle, context ? O_RDWR : O_RDONLY, type, nullptr);
    set_link(*file, context ? "anon_inode:[fscontext]" : "/");
    return fd_install(file, 0, cloexec);
}

int64_t open_mount(const MountAt &at, uint32_t kind, uint32_t flags, bool cloexec) {
    bsc_handle handle;
    if (bsc_status status = abi().mount_open(at.handle, at.uri, kind, flags, &handle))
        return result_of(status);
    uint32_t type = kind == BSC_MOUNT_OPEN_TREE ? BSC_TYPE_MOUNT : BSC_TYPE_MOUNT_CONTEXT;
    return install_mount_file(handle, type, cloexec);
}

// The open file of a context for fsconfig and fsmount: EBADF, or EINVAL for another file.
int64_t context_of(FileRef &file) {
    if (!file)
        return -EBADF;
    return file->type == BSC_TYPE_MOUNT_CONTEXT ? 0 : -EINVAL;
}

// fsconfig's argument checks (its switch before the descriptor is looked at): each
// command's key, value and aux present or absent as it wants them.
int64_t check_configure(uint64_t command, uint64_t key, uint64_t value, int64_t aux) {
    int32_t fd = static_cast<int32_t>(aux);
    switch (command) {
    case FSCONFIG_SET_FLAG:
        return !key || value || aux ? -EINVAL : 0;
    case FSCONFIG_SET_STRING:
        return !key || !value || aux ? -EINVAL : 0;
    case FSCONFIG_SET_BINARY:
        return !key || !value || fd <= 0 || static_cast<uint64_t>(fd) > kBinaryMax ? -EINVAL : 0;
    case FSCONFIG_SET_PATH:
    case FSCONFIG_SET_PATH_EMPTY:
        return !key || !value || (fd != AT_FDCWD && fd < 0) ? -EINVAL : 0;
    case FSCONFIG_SET_FD:
        return !key || value || fd < 0 ? -EINVAL : 0;
    case FSCONFIG_CMD_CREATE:
    case FSCONFIG_CMD_RECONFIGURE:
    case kCreateExclusive:
        return key || value || aux ? -EINVAL : 0;
    default:
        return -EOPNOTSUPP;
    }
}

// What a path or descriptor value names: the path resolved (followed, as the file systems
// look their path parameters up), an empty one with SET_PATH_EMPTY the descriptor itself;
// SET_FD's descriptor by its handle.
int64_t configure_object(uint64_t command, uint64_t value, int32_t aux, MountAt &at) {
    if (command == FSCONFIG_SET_FD) {
        FileRef file(aux);
        if (!file)
            return -EBADF;
        if (file->handle == BSC_NO_HANDLE) {
            report_unsupported("fsconfig", "FSCONFIG_SET_FD of a descriptor without a host object");
            return -EINVAL;
        }
        file_acquire(file.get());
        at.file = file.get();
        at.handle = file->handle;
        return 0;
    }
    return mount_at(aux, value, command == FSCONFIG_SET_PATH_EMPTY, true, at);
}

// fsmount's attributes: the known ones, and one access-time rule of the three.
bool valid_attach_attributes(uint64_t attributes) {
    if (attributes & ~kAttachAttributes)
        return false;
    uint64_t atime = attributes & MOUNT_ATTR__ATIME;
    return atime == MOUNT_ATTR_RELATIME || atime == MOUNT_ATTR_NOATIME ||
           atime == MOUNT_ATTR_STRICTATIME;
}

// build_mount_kattr's checks of mount_setattr's change: one propagation type at most,
// known attributes, and the access time changed only as a whole. An id-mapped mount needs
// a user namespace of the guest's own, which the LibOS does not make (unshare): its
// descriptor is checked as the kernel checks it, then refused.
int64_t check_mount_attributes(const mount_attr &attr) {
    uint64_t propagation = attr.propagation;
    if ((propagation & ~kPropagation) || (propagation & (propagation - 1)))
        return -EINVAL;
    if ((attr.attr_set | attr.attr_clr) & ~kSetAttributes)
        return -EINVAL;
    if (attr.attr_clr & MOUNT_ATTR__ATIME) {
        if ((attr.attr_clr & MOUNT_ATTR__ATIME) != MOUNT_ATTR__ATIME)
            return -EINVAL;
        uint64_t atime = attr.attr_set & MOUNT_ATTR__ATIME;
        if (atime != MOUNT_ATTR_RELATIME && atime != MOUNT_ATTR_NOATIME &&
            atime != MOUNT_ATTR_STRICTATIME)
            return -EINVAL;
    } else if (attr.attr_set & MOUNT_ATTR__ATIME) {
        return -EINVAL;
    }
    if (!((attr.attr_set | attr.attr_clr) & MOUNT_ATTR_IDMAP))
        return 0;
    if ((attr.attr_clr & MOUNT_ATTR_IDMAP) || attr.userns_fd > 0x7fffffff)
        return -EINVAL;
    FileRef userns(static_cast<int>(attr.userns_fd));
    if (!userns)
        return -EBADF;
    report_unsupported("mount_setattr", "MOUNT_ATTR_IDMAP (no user namespace of the guest's)");
    return -EINVAL;
}

} // namespace

int64_t sys_fsopen(Syscall &c) {
    uint64_t flags = static_cast<uint32_t>(c.arg[1]);
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (flags & ~uint64_t{FSOPEN_CLOEXEC})
        return -EINVAL;
    char name[kPage];
    int64_t length = string_from_user(name, c.arg[0], sizeof name);
    if (length < 0)
        return length == -ENAMETOOLONG ? -EINVAL : length;
    MountAt at;
    if (int64_t error = make_uri("name:", name, at.uri, sizeof at.uri))
        return error;
    return open_mount(at, BSC_MOUNT_OPEN_FILE_SYSTEM, 0, flags & FSOPEN_CLOEXEC);
}

int64_t sys_fspick(Syscall &c) {
    int dirfd = static_cast<int>(c.arg[0]);
    uint64_t flags = static_cast<uint32_t>(c.arg[2]);
    constexpr uint64_t kPassed = FSPICK_SYMLINK_NOFOLLOW | FSPICK_NO_AUTOMOUNT;
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (flags & ~(kPassed | FSPICK_CLOEXEC | FSPICK_EMPTY_PATH))
        return -EINVAL;
    MountAt at;
    if (int64_t error = mount_at(dirfd, c.arg[1], flags & FSPICK_EMPTY_PATH,
                                 !(flags & FSPICK_SYMLINK_NOFOLLOW), at))
        return error;
    return open_mount(at, BSC_MOUNT_OPEN_PICK, static_cast<uint32_t>(flags & kPassed),
                      flags & FSPICK_CLOEXEC);
}

// open_tree without OPEN_TREE_CLONE is an O_PATH open of what the path names (the kernel's
// dentry_open(O_PATH)), which openat serves; the descriptor itself by its /proc link.
int64_t open_tree_path(Syscall &c, uint64_t flags) {
    char self[32] = ".";
    Syscall open{{}, c.context};
    open.arg[0] = c.arg[0];
    open.arg[1] = c.arg[1];
    open.arg[2] = O_PATH | (flags & AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0) |
                  (flags & OPEN_TREE_CLOEXEC ? O_CLOEXEC : 0);
    char first = 0;
    if (!get_user(c.arg[1], first))
        return -EFAULT;
    if (first == 0 && (flags & AT_EMPTY_PATH)) {
        int dirfd = static_cast<int>(c.arg[0]);
        if (dirfd != AT_FDCWD) {
            if (dirfd < 0 || !FileRef(dirfd))
                return -EBADF;
            freestanding::format(self, sizeof self, "/proc/self/fd/%d", dirfd);
        }
        open.arg[0] = static_cast<uint64_t>(AT_FDCWD);
        open.arg[1] = reinterpret_cast<uint64_t>(self);
    }
    return sys_openat(open);
}

int64_t sys_open_tree(Syscall &c) {
    int dirfd = static_cast<int>(c.arg[0]);
    uint64_t flags = static_cast<uint32_t>(c.arg[2]);
    constexpr uint64_t kPassed = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_RECURSIVE;
    if (flags & ~(kPassed | AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC))
        return -EINVAL;
    if ((flags & (AT_RECURSIVE | OPEN_TREE_CLONE)) == AT_RECURSIVE)
        return -EINVAL;
    if (!(flags & OPEN_TREE_CLONE))
        return open_tree_path(c, flags);
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    MountAt at;
    if (int64_t error =
            mount_at(dirfd, c.arg[1], flags & AT_EMPTY_PATH, !(flags & AT_SYMLINK_NOFOLLOW), at))
        return error;
    return open_mount(at, BSC_MOUNT_OPEN_TREE, static_cast<uint32_t>(flags & kPassed),
                      flags & OPEN_TREE_CLOEXEC);
}

// fsconfig: the kernel's argument checks, the descriptor, the key (copied here first, as
// the kernel copies it before a path or descriptor value), then the value: a string or
// binary one goes to the host as the program's (whose kernel copies it), a path as its
// URI, a descriptor as its handle.
int64_t sys_fsconfig(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    uint64_t command = static_cast<uint32_t>(c.arg[1]), key = c.arg[2], value = c.arg[3];
    int32_t aux = static_cast<int32_t>(c.arg[4]);
    if (fd < 0)
        return -EINVAL;
    if (int64_t error = check_configure(command, key, value, aux))
        return error;
    FileRef file(fd);
    if (int64_t error = context_of(file))
        return error;
    MountAt at;
    const void *argument = reinterpret_cast<const void *>(value);
    if (command == FSCONFIG_SET_PATH || command == FSCONFIG_SET_PATH_EMPTY ||
        command == FSCONFIG_SET_FD) {
        char copied[kKeyMax];
        int64_t length = string_from_user(copied, key, sizeof copied);
        if (length < 0)
            return length == -ENAMETOOLONG ? -EINVAL : length;
        if (int64_t error = configure_object(command, value, aux, at))
            return error;
        argument = command == FSCONFIG_SET_FD ? nullptr : at.uri;
    }
    uint64_t size = command == FSCONFIG_SET_BINARY ? static_cast<uint64_t>(aux) : 0;
    return result_of(abi().mount_configure(file->handle, static_cast<uint32_t>(command),
                                           reinterpret_cast<const char *>(key), argument, size,
                                           at.handle));
}

int64_t sys_fsmount(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    uint64_t flags = static_cast<uint32_t>(c.arg[1]), attributes = static_cast<uint32_t>(c.arg[2]);
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (flags & ~uint64_t{FSMOUNT_CLOEXEC})
        return -EINVAL;
    if (!valid_attach_attributes(attributes))
        return -EINVAL;
    FileRef file(fd);
    if (int64_t error = context_of(file))
        return error;
    bsc_handle mount;
    if (bsc_status status = abi().mount_attach(file->handle, 0,
                                               static_cast<uint32_t>(attributes), &mount))
        return result_of(status);
    return install_mount_file(mount, BSC_TYPE_MOUNT, flags & FSMOUNT_CLOEXEC);
}

int64_t sys_move_mount(Syscall &c) {
    uint64_t flags = static_cast<uint32_t>(c.arg[4]);
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (flags & ~kMoveFlags)
        return -EINVAL;
    if ((flags & (kMoveBeneath | MOVE_MOUNT_SET_GROUP)) == (kMoveBeneath | MOVE_MOUNT_SET_GROUP))
        return -EINVAL;
    MountAt from, to;
    if (int64_t error = mount_at(static_cast<int>(c.arg[0]), c.arg[1],
                                 flags & MOVE_MOUNT_F_EMPTY_PATH, flags & MOVE_MOUNT_F_SYMLINKS,
                                 from))
        return error;
    if (int64_t error = mount_at(static_cast<int>(c.arg[2]), c.arg[3],
                                 flags & MOVE_MOUNT_T_EMPTY_PATH, flags & MOVE_MOUNT_T_SYMLINKS,
                                 to))
        return error;
    uint64_t passed = flags & ~uint64_t{MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH};
    return result_of(abi().mount_move(from.handle, from.uri, to.handle, to.uri,
                                      static_cast<uint32_t>(passed)));
}

// mount_setattr: the flags, the struct's size (E2BIG above a page, EINVAL below the first
// version's), the privilege, the struct (a longer one ending in zeros), nothing to do,
// the change's checks, then the path.
int64_t sys_mount_setattr(Syscall &c) {
    int dirfd = static_cast<int>(c.arg[0]);
    uint64_t flags = static_cast<uint32_t>(c.arg[2]), size = c.arg[4];
    constexpr uint64_t kPassed = AT_RECURSIVE | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT;
    if (flags & ~(kPassed | AT_EMPTY_PATH))
        return -EINVAL;
    if (size > kPage)
        return -E2BIG;
    if (size < MOUNT_ATTR_SIZE_VER0)
        return -EINVAL;
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    mount_attr attr;
    if (int64_t error = struct_from_user(&attr, sizeof attr, c.arg[3], size))
        return error;
    if (attr.attr_set == 0 && attr.attr_clr == 0 && attr.propagation == 0)
        return 0;
    if (int64_t error = check_mount_attributes(attr))
        return error;
    MountAt at;
    if (int64_t error =
            mount_at(dirfd, c.arg[1], flags & AT_EMPTY_PATH, !(flags & AT_SYMLINK_NOFOLLOW), at))
        return error;
    bsc_mount_attributes change{attr.attr_set, attr.attr_clr, attr.propagation};
    return result_of(abi().mount_attributes_set(at.handle, at.uri,
                                                static_cast<uint32_t>(flags & kPassed), &change));
}

} // namespace libos

namespace libos {
namespace {

// struct mnt_id_req as copy_mnt_id_req reads it: its size first (EFAULT; E2BIG above a
// page, EINVAL below the first version's 24 bytes), the struct (a longer one ending in
// zeros), no spare bits, and a mount id of the unique kind (above 2^31; listmount's
// LSMT_ROOT is). A namespace by descriptor (Linux 6.18's mnt_ns_fd, in the spare field)
// is refused: the guest's descriptors are not the host's.
struct MountIdRequest {
    uint32_t size, spare;
    uint64_t mnt_id, param, mnt_ns_id;
};
constexpr uint32_t kRequestFirstSize = 24;      // MNT_ID_REQ_SIZE_VER0
constexpr uint64_t kUniqueIdOffset = 1ull << 31; // MNT_UNIQUE_ID_OFFSET

int64_t copy_mount_request(uint64_t address, bsc_mount_request &out) {
    uint32_t size;
    if (!get_user(address, size))
        return -EFAULT;
    if (size > kPage)
        return -E2BIG;
    if (size < kRequestFirstSize)
        return -EINVAL;
    MountIdRequest request;
    if (int64_t error = struct_from_user(&request, sizeof request, address, size))
        return error;
    if (request.spare) {
        report_unsupported("statmount/listmount", "a mount namespace by descriptor");
        return -EINVAL;
    }
    if (request.mnt_id <= kUniqueIdOffset)
        return -EINVAL;
    out = {request.mnt_id, request.param, request.mnt_ns_id};
    return 0;
}

// access_ok: the whole range in the user half of the address space.
bool user_range(uint64_t address, uint64_t size) {
    constexpr uint64_t kUserTop = 0x00007ffffffff000; // TASK_SIZE_MAX
    return size <= kUserTop && address <= kUserTop - size;
}

} // namespace

// statmount: the mount's report as the host's kernel writes it into the program's buffer
// (struct statmount and its strings: the mount points are the runtime's, as
// /proc/self/mountinfo shows them, and the ids are the host's, as statx's).
int64_t sys_statmount(Syscall &c) {
    if (static_cast<uint32_t>(c.arg[3]))
        return -EINVAL;
    bsc_mount_request request;
    if (int64_t error = copy_mount_request(c.arg[0], request))
        return error;
    uint64_t length; // a buffer too small for what was asked: the host's OVERFLOW, EOVERFLOW
    return result_of(abi().mount_status_query(&request, reinterpret_cast<void *>(c.arg[1]),
                                              c.arg[2], &length));
}

// listmount: the ids of the mounts below one, as the host's kernel lists them.
int64_t sys_listmount(Syscall &c) {
    constexpr uint32_t kReverse = 1; // LISTMOUNT_REVERSE
    uint64_t count = c.arg[2];
    if (static_cast<uint32_t>(c.arg[3]) & ~kReverse)
        return -EINVAL;
    if (count == 0)
        return 0;
    if (count > 0x7fffffff / sizeof(uint64_t))
        return -EOVERFLOW;
    if (!user_range(c.arg[1], count * sizeof(uint64_t)))
        return -EFAULT;
    bsc_mount_request request;
    if (int64_t error = copy_mount_request(c.arg[0], request))
        return error;
    uint64_t found;
    if (bsc_status status =
            abi().mount_list(&request, reinterpret_cast<uint64_t *>(c.arg[1]), count,
                             static_cast<uint32_t>(c.arg[3]), &found))
        return result_of(status);
    return static_cast<int64_t>(found);
}

} // namespace libos
