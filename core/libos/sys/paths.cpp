// SPDX-License-Identifier: MIT
// System calls on path names: open, the stat family, access, readlink, the working
// directory, mkdir, mknod, rmdir, unlink, rename, link, symlink, chmod (fchmodat2 too),
// chown, utimensat, futimesat, truncate, umask, statfs, and the extended-attribute calls.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <linux/xattr.h>

#include "fd_table.h"
#include "file_io.h"
#include "heap.h"
#include "libos_files.h"
#include "paths.h"
#include "process_state.h"
#include "procfs.h"
#include "signals.h"
#include "stat.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr size_t kUriMax = kPathMax + 16;
constexpr uint64_t kAccessModes = 7; // R_OK | W_OK | X_OK
constexpr uint64_t kMayRead = 4, kMayWrite = 2, kMayExecute = 1;
constexpr uint64_t kMountReadOnly = 1, kMountNoExec = 8; // statfs's ST_RDONLY, ST_NOEXEC
// statx's request bits: those the ABI's details carry (STATX_MNT_ID_UNIQUE since 1.24), and
// those of later kernels (STATX_SUBVOL, STATX_WRITE_ATOMIC, STATX_DIO_READ_ALIGN) it does not.
constexpr uint32_t kStatxCarried = BSC_DETAIL_BASIC | BSC_DETAIL_BIRTH_TIME | BSC_DETAIL_MOUNT_ID |
                                   BSC_DETAIL_DIRECT_IO | BSC_DETAIL_MOUNT_ID_UNIQUE;
constexpr uint32_t kStatxUncarried = 0x8000 | 0x10000 | 0x20000;

// The one place every path-taking call resolves its path: made absolute and normalised
// (each "." and ".." checked as the kernel walks it, paths.cpp), the LibOS's /proc links
// followed on the way (and at the end with `follow`), a /proc entry the program must not
// see refused with ENOENT, and the URI the host knows the object by.
struct Target {
    char path[kPathMax];
    char uri[kUriMax];
    ProcNode node;
    size_t real_prefix; // leading bytes of `path` known to be real (resolve_path)
    // With `follow`, the descriptor a final /proc/PID/fd/N link names, or -1: a magic link
    // leads to the open file's object itself, not where a symbolic link it is leads.
    int descriptor;
};

// `exclusive`: an O_CREAT|O_EXCL open, which follows no last link (it fails on one);
// `rules`: openat2's RESOLVE_* flags.
int64_t resolve(int dirfd, uint64_t user_path, Target &target, bool follow,
                const char *scheme = "file:", bool exclusive = false, uint64_t rules = 0) {
    if (int64_t error = resolve_user_path(dirfd, user_path, target.path, sizeof target.path,
                                          &target.real_prefix, follow && !exclusive, rules))
        return error;
    if (freestanding::starts_with(target.path, "/proc"))
        target.real_prefix = 1; // the LibOS's links there may lead anywhere
    target.descriptor = follow ? proc_descriptor(target.path) : -1;
    if (int64_t error = proc_follow_links(target.path, sizeof target.path, follow))
        return error;
    target.node = proc_node(target.path);
    if (target.node == ProcNode::absent)
        return -ENOENT;
    char host[kPathMax];
    proc_host_path(target.path, host, sizeof host);
    return make_uri(scheme, host, target.uri, sizeof target.uri);
}

// The name the kernel knows a found object by: its real path, every link resolved (the
// LibOS's own /proc nodes keep theirs). Lives in `real`.
const char *kernel_name(const Target &target, char (&real)[kPathMax]) {
    if (target.node == ProcNode::host &&
        real_path(target.path, real, sizeof real, target.real_prefix) == 0)
        return real;
    return target.path;
}

// Whether an *at call names `dirfd` itself: AT_EMPTY_PATH with an empty path (or, for
// the stat calls since Linux 6.11, a null one). 1, 0, or -EFAULT for a path the program
// cannot pass.
int64_t names_descriptor(uint64_t user_path, uint64_t flags, bool null_allowed = false) {
    char first = 0;
    if (!(flags & AT_EMPTY_PATH))
        return 0;
    if (user_path == 0 && null_allowed)
        return 1;
    if (!get_user(user_path, first))
        return -EFAULT;
    return first == 0;
}

// The open file an *at call with AT_EMPTY_PATH names; AT_FDCWD is the working directory,
// opened for the length of the call.
int64_t descriptor_attributes(int dirfd, bsc_stream_attributes &attributes,
                              Details *details) {
    if (dirfd == AT_FDCWD) {
        char cwd[kPathMax];
        if (get_cwd(cwd, sizeof cwd) < 0)
            return -ENAMETOOLONG;
        return path_attributes(cwd, true, attributes, details);
    }
    FileRef file(dirfd);
    return file ? file_attributes(*file.get(), attributes, details) : -EBADF;
}

int64_t query(int dirfd, uint64_t user_path, bool follow, bsc_stream_attributes &attributes,
              Details *details = nullptr) {
    char path[kPathMax];
    if (int64_t error = resolve_user_path(dirfd, user_path, path, sizeof path, nullptr, follow))
        return error;
    return path_attributes(path, follow, attributes, details);
}

// Attributes for the *at calls: an empty path with AT_EMPTY_PATH means dirfd itself (a
// null one too for the stat calls: `null_allowed`); statx's `details` beside them.
int64_t query_at(int dirfd, uint64_t user_path, uint64_t flags,
                 bsc_stream_attributes &attributes, bool null_allowed = false,
                 Details *details = nullptr) {
    int64_t itself = names_descriptor(user_path, flags, null_allowed);
    if (itself < 0)
        return itself;
    if (itself)
        return descriptor_attributes(dirfd, attributes, details);
    return query(dirfd, user_path, !(flags & AT_SYMLINK_NOFOLLOW), attributes, details);
}

// The mode a new object gets: the program's umask applied here, and only here (the host
// creates with exactly this mode). mkdir keeps only the permission and sticky bits.
uint32_t creation_mode(uint64_t mode, uint32_t kept) {
    return static_cast<uint32_t>(mode) & kept & ~file_mode_mask();
}

// The kernel's mode_strip_sgid, which vfs_prepare_mode applies before the umask: a new
// file (no directory) asking for S_ISGID with S_IXGRP in a set-group-ID directory, whose
// group it gets, loses S_ISGID unless that group is one of the caller's or the caller
// holds CAP_FSETID. The host, handed the mode after the umask, cannot apply it in order.
bool strips_setgid(const Target &target, uint64_t mode) {
    if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP))
        return false;
    char parent[kPathMax];
    freestanding::copy_string(parent, sizeof parent, target.path);
    size_t slash = strlen(parent);
    while (slash > 0 && parent[slash - 1] != '/')
        slash--;
    if (slash == 0)
        return false;
    parent[slash > 1 ? slash - 1 : 1] = 0; // the directory it is in ("/" keeps its slash)
    bsc_stream_attributes dir{};
    if (path_attributes(parent, true, dir) != 0 || !(dir.mode & S_ISGID))
        return false;
    FileCredentials who = file_credentials(false);
    bool member = who.group == dir.group || in_supplementary_groups(dir.group);
    return !member && !((who.capabilities >> CAP_FSETID) & 1);
}

// The mode a new file or special file at `target` is created with.
uint32_t file_creation_mode(const Target &target, uint64_t mode) {
    return creation_mode(strips_setgid(target, mode) ? mode & ~uint64_t{S_ISGID} : mode, 07777);
}

// O_PATH: a descriptor that names the object (the link itself with O_NOFOLLOW) without
// opening it. It keeps the object's path: the real one, so that it goes on naming the
// object the open found through links.
int64_t open_path_only(int dirfd, uint64_t user_path, uint64_t flags, uint64_t rules) {
    bool follow = !(flags & O_NOFOLLOW);
    Target target;
    if (int64_t error = resolve(dirfd, user_path, target, follow, "file:", false, rules))
        return error;
    bsc_stream_attributes attributes{};
    if (int64_t error = path_attributes(target.path, follow, attributes))
        return error;
    if ((flags & O_DIRECTORY) && attributes.type != BSC_TYPE_DIRECTORY)
        return -ENOTDIR;
    // Not following, a directory found is no link either: its real path names it too.
    char real[kPathMax];
    bool real_named = follow || attributes.type == BSC_TYPE_DIRECTORY;
    return open_path_descriptor(real_named ? kernel_name(target, real) : target.path,
                                attributes.type, flags);
}

// Opening /proc/PID/fd/N of a descriptor without a path (a pipe, a terminal the runtime
// was given): the kernel opens the same object again; the LibOS shares the open file,
// so the new descriptor shares its position and status flags too. Sockets refuse, as on
// Linux.
int64_t reopen_descriptor(int fd, uint64_t flags) {
    FileRef file(fd);
    if (!file)
        return -ENOENT;
    if (file->type == BSC_TYPE_SOCKET)
        return -ENXIO;
    file_acquire(file.get());
    return fd_install(file.get(), 0, flags & O_CLOEXEC);
}

// Whether the object an open names exists: the host says NOT_FOUND for ENXIO too (a
// FIFO opened O_WRONLY|O_NONBLOCK without a reader, a device node without its driver, a
// socket), where Linux's answer is ENXIO.
bool exists(const Target &target, uint64_t flags) {
    bsc_stream_attributes attributes{};
    return path_attributes(target.path, !(flags & O_NOFOLLOW), attributes) == 0;
}

// O_NOATIME on a file that exists: only its owner, or a caller with CAP_FOWNER (the
// kernel's may_open, after the open's permission checks and before any truncation, so the
// host is asked to open it without truncating first): -EPERM, another error, or 0.
int64_t check_no_atime(const Target &target, uint64_t flags) {
    bsc_stream_attributes a{};
    if (!(flags & O_NOATIME) || ((flags & O_CREAT) && (flags & O_EXCL)) ||
        path_attributes(target.path, !(flags & O_NOFOLLOW), a) != 0 || owner_or_capable(a.owner))
        return 0; // one it creates is its own
    bsc_handle handle;
    bsc_status status = abi().stream_open(target.uri, access_of(flags), 0, BSC_CREATE_NEVER,
                                          options_of(flags) &
                                              ~uint32_t{BSC_OPTION_TRUNCATE | BSC_OPTION_NO_ACCESS_TIME},
                                          &handle);
    if (status != BSC_OK)
        return result_of(status);
    abi().object_close(handle);
    return -EPERM;
}

// open, openat, creat and openat2 (`rules`: its RESOLVE_* flags, checked by open_how).
int64_t open_at(int dirfd, uint64_t user_path, uint64_t flags, uint64_t mode, uint64_t rules = 0) {
    if (flags & __O_TMPFILE) {
        // As the kernel checks it; the ABI cannot create an unnamed file.
        if ((flags & O_TMPFILE) != O_TMPFILE || (flags & O_ACCMODE) == O_RDONLY ||
            (flags & O_CREAT))
            return -EINVAL;
        report_unsupported("open", "O_TMPFILE");
        return -EOPNOTSUPP;
    }
    if (flags & O_PATH)
        return open_path_only(dirfd, user_path, flags, rules);
    Target target;
    if (int64_t error = resolve(dirfd, user_path, target, !(flags & O_NOFOLLOW), "file:",
                                (flags & O_CREAT) && (flags & O_EXCL), rules))
        return error;
    if (is_libos_file(target.path))
        return open_libos_file(target.path, flags);
    if (int fd = proc_descriptor(target.path); fd >= 0 && !(flags & O_NOFOLLOW))
        return reopen_descriptor(fd, flags);
    // The devices the host provides are opened by their own URIs.
    bool terminal = freestanding::equal(target.path, "/dev/tty");
    if (terminal || freestanding::equal(target.path, "/dev/null"))
        make_uri(terminal ? "dev:tty" : "dev:null", "", target.uri, sizeof target.uri);
    if (int64_t error = check_no_atime(target, flags))
        return error;
    uint32_t create = !(flags & O_CREAT) ? BSC_CREATE_NEVER
                      : flags & O_EXCL   ? BSC_CREATE_ALWAYS
                                         : BSC_CREATE_TRY;
    bsc_handle handle;
    bsc_status status;
    do // a FIFO's open waits for the other end; a checkpoint's interrupt is no reason to stop
        status = abi().stream_open(target.uri, access_of(flags), file_creation_mode(target, mode),
                                   create, options_of(flags), &handle);
    while (status == BSC_E_INTERRUPTED && !signal_pending());
    if (status == BSC_E_INTERRUPTED)
        return -kRestartSyscall;
    if (status == BSC_E_NOT_FOUND && (terminal || exists(target, flags)))
        return -ENXIO; // no controlling terminal; a FIFO without reader, a device without driver
    if (status != BSC_OK)
        return result_of(status);
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(handle, &attributes);
    // A directory keeps its real path, as the kernel names it: fchdir, getcwd and the
    // paths resolved against it then see where the links led.
    char real[kPathMax];
    const char *path =
        attributes.type == BSC_TYPE_DIRECTORY ? kernel_name(target, real) : target.path;
    return install_opened(handle, flags, attributes.type, path);
}

} // namespace

uint32_t access_of(uint64_t flags) {
    uint32_t access = (flags & O_ACCMODE) == O_WRONLY ? BSC_ACCESS_WRITE
                      : (flags & O_ACCMODE) == O_RDWR ? BSC_ACCESS_RDWR
                                                      : BSC_ACCESS_READ;
    return flags & O_APPEND ? access | BSC_ACCESS_APPEND : access;
}

uint32_t options_of(uint64_t flags) {
    return (flags & O_TRUNC ? BSC_OPTION_TRUNCATE : 0) |
           (flags & O_NOFOLLOW ? BSC_OPTION_NOFOLLOW : 0) |
           (flags & O_DIRECTORY ? BSC_OPTION_DIRECTORY : 0) |
           (flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0) |
           (flags & (O_SYNC | O_DSYNC) ? BSC_OPTION_SYNC : 0) |
           (flags & O_NOATIME ? BSC_OPTION_NO_ACCESS_TIME : 0) |
           // O_EXCL without O_CREAT: a block device claimed for this opener alone
           ((flags & (O_EXCL | O_CREAT)) == O_EXCL ? BSC_OPTION_EXCLUSIVE : 0);
}

int install_opened(bsc_handle handle, uint64_t flags, uint32_t type, const char *path) {
    uint32_t kept = static_cast<uint32_t>(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY |
                                                    O_NOFOLLOW | O_SYNC | O_DSYNC | O_NOATIME));
    OpenFile *file = open_file(handle, kept, type, path);
    return fd_install(file, 0, flags & O_CLOEXEC);
}

// Permission check for access(): root may read and write anything and execute what has
// an execute bit; others by owner, group and other bits.
int64_t check_access(const bsc_stream_attributes &a, uint64_t mode, bool real_ids) {
    mode &= 7;
    if (mode == 0)
        return 0;
    FileCredentials who = file_credentials(real_ids);
    // The owner's bits; else the group's, where they differ from the others' for this
    // mode and the file's group is one of the caller's; else the others' (ACLs unread).
    uint32_t bits = a.mode & 7;
    if (who.user == a.owner)
        bits = (a.mode >> 6) & 7;
    else if ((mode & (a.mode ^ (a.mode >> 3))) &&
             (who.group == a.group || in_supplementary_groups(a.group)))
        bits = (a.mode >> 3) & 7;
    if ((mode & ~bits) == 0)
        return 0;
    // The capabilities that override them (the kernel's generic_permission).
    auto has = [&](int capability) { return (who.capabilities >> capability) & 1; };
    if (a.type == BSC_TYPE_DIRECTORY)
        return (!(mode & 2) && has(CAP_DAC_READ_SEARCH)) || has(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
    if (mode == 4 && has(CAP_DAC_READ_SEARCH))
        return 0;
    bool executable = a.mode & 0111; // execution needs one execute bit, even for root
    return (!(mode & 1) || executable) && has(CAP_DAC_OVERRIDE) ? 0 : -EACCES;
}

namespace {

// What an *at call names, as query_at found it: for a path, `target` is what it resolved
// to (no host call: the resolution is the LibOS's own); for the descriptor itself (or a
// path that no longer resolves), `target.node` is ProcNode::absent.
void target_at(int dirfd, uint64_t user_path, uint64_t flags, Target &target) {
    target.node = ProcNode::absent;
    if (names_descriptor(user_path, flags) == 0 &&
        resolve(dirfd, user_path, target, !(flags & AT_SYMLINK_NOFOLLOW)) != 0)
        target.node = ProcNode::absent;
}

// The file system holding what target_at found. A LibOS object with no host file behind
// it, or one gone since, leaves `volume` empty.
bsc_volume_info volume_at(int dirfd, uint64_t user_path, uint64_t flags, const Target &target) {
    bsc_volume_info volume{};
    bsc_status status = BSC_OK;
    if (target.node != ProcNode::absent) {
        status = abi().stream_volume_query(target.uri, &volume);
    } else if (names_descriptor(user_path, flags) != 1) {
        return {};
    } else if (dirfd == AT_FDCWD) {
        char cwd[kPathMax], uri[kUriMax];
        if (get_cwd(cwd, sizeof cwd) < 0 || make_uri("file:", cwd, uri, sizeof uri))
            return {};
        status = abi().stream_volume_query(uri, &volume);
    } else {
        FileRef file(dirfd);
        if (!file || file->handle == BSC_NO_HANDLE)
            return {};
        status = abi().stream_volume_query_by_handle(file->handle, &volume);
    }
    return status == BSC_OK ? volume : bsc_volume_info{};
}

// Whether the host's own check speaks for the caller: the ids access() checks with are
// the ones the host opens with (the effective ones: AT_EACCESS, or the same as the real).
bool host_checks_as_caller(uint64_t flags) {
    FileCredentials real = file_credentials(true), effective = file_credentials(false);
    return (flags & AT_EACCESS) || (real.user == effective.user &&
                                    real.group == effective.group &&
                                    real.capabilities == effective.capabilities);
}

// A host /proc or /sys file decides who may read or write it by its own rules (a sysctl
// may want CAP_SYS_RESOURCE whatever its mode says): the host is asked by opening it so.
int64_t host_file_access(const Target &target, uint64_t mode) {
    const struct {
        uint64_t mode;
        uint32_t access;
    } asks[] = {{kMayRead, BSC_ACCESS_READ}, {kMayWrite, BSC_ACCESS_WRITE}};
    for (const auto &ask : asks) {
        if (!(mode & ask.mode))
            continue;
        bsc_handle handle;
        if (bsc_status status =
                abi().stream_open(target.uri, ask.access, 0, BSC_CREATE_NEVER, 0, &handle))
            return result_of(status);
        abi().object_close(handle);
    }
    return 0;
}

// access(): the kernel's do_faccessat. A noexec mount refuses X_OK on a regular file, a
// read-only one W_OK on all but devices, FIFOs and sockets (EROFS, before the mode bits as
// for a read-only file system; a bind mount made read-only alone checks them first on
// Linux), then the mode bits and capabilities; a host /proc or /sys file is the host's.
int64_t access_at(int dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
    if (mode & ~kAccessModes)
        return -EINVAL;
    bsc_stream_attributes attributes{};
    if (int64_t error = query_at(dirfd, path, flags, attributes))
        return error;
    if (!(mode & kAccessModes))
        return 0;
    Target target;
    target_at(dirfd, path, flags, target);
    bool special = attributes.type == BSC_TYPE_CHAR_DEVICE || attributes.type == BSC_TYPE_TTY ||
                   attributes.type == BSC_TYPE_BLOCK_DEVICE ||
                   attributes.type == BSC_TYPE_PIPE || attributes.type == BSC_TYPE_SOCKET;
    bool mount_may_refuse = ((mode & kMayExecute) && attributes.type == BSC_TYPE_FILE) ||
                            ((mode & kMayWrite) && !special);
    // The kernel's own files live in the guest's /proc and /sys (a host file there: the
    // LibOS's /proc nodes answer by their modes); only for those is the volume's type asked.
    bool maybe_kernel_file = target.node == ProcNode::host && attributes.type == BSC_TYPE_FILE &&
                             !(mode & kMayExecute) &&
                             (freestanding::starts_with(target.path, "/proc/") ||
                              freestanding::starts_with(target.path, "/sys/"));
    if (!mount_may_refuse && !maybe_kernel_file) // the common case: no host call more
        return check_access(attributes, mode, !(flags & AT_EACCESS));
    bsc_volume_info volume = volume_at(dirfd, path, flags, target);
    if ((mode & kMayExecute) && attributes.type == BSC_TYPE_FILE && (volume.flags & kMountNoExec))
        return -EACCES;
    if ((mode & kMayWrite) && !special && (volume.flags & kMountReadOnly))
        return -EROFS;
    constexpr uint64_t kProcMagic = 0x9fa0, kSysfsMagic = 0x62656572;
    if (maybe_kernel_file && (volume.type == kProcMagic || volume.type == kSysfsMagic) &&
        host_checks_as_caller(flags))
        return host_file_access(target, mode);
    return check_access(attributes, mode, !(flags & AT_EACCESS));
}

// The text of the link at `path` (absolute): the LibOS's /proc links (a path shown from
// the process's root, as the kernel's d_path shows it), or the host's.
int64_t read_link_text(const char *path, char *text, size_t capacity, uint64_t &length) {
    char full[kPathMax];
    if (proc_link_text(path, full, sizeof full)) {
        bool copied = full[0] == '/' ? path_from_root(full, text, capacity, "") >= 0
                                     : freestanding::copy_string(text, capacity, full);
        if (!copied)
            return -ENAMETOOLONG;
        length = strlen(text);
        return 0;
    }
    char host[kPathMax], uri[kUriMax];
    proc_host_path(path, host, sizeof host);
    if (int64_t error = make_uri("file:", host, uri, sizeof uri))
        return error;
    return result_of(abi().stream_read_link(uri, text, capacity, &length));
}

int64_t readlink_at(int dirfd, uint64_t user_path, uint64_t buffer, uint64_t size) {
    if (static_cast<int64_t>(size) <= 0)
        return -EINVAL;
    char text[kPathMax];
    uint64_t length = 0;
    // readlinkat(fd, "") reads the link an O_PATH descriptor names; any other object is
    // no link (ENOENT, as the kernel says for an empty path).
    int64_t itself = names_descriptor(user_path, AT_EMPTY_PATH);
    if (itself < 0)
        return itself;
    if (itself) {
        FileRef file(dirfd);
        if (dirfd != AT_FDCWD && !file)
            return -EBADF;
        if (!file || file->type != BSC_TYPE_SYMLINK || !file->path)
            return -ENOENT;
        if (int64_t error = read_link_text(file->path, text, sizeof text, length))
            return error;
    } else {
        Target target;
        if (int64_t error = resolve(dirfd, user_path, target, false))
            return error;
        if (int64_t error = read_link_text(target.path, text, sizeof text, length))
            return error;
    }
    if (length > size)
        length = size;
    return copy_to_user(buffer, text, length) ? static_cast<int64_t>(length) : -EFAULT;
}

int64_t make_directory(int dirfd, uint64_t path, uint64_t mode) {
    Target target;
    if (int64_t error = resolve(dirfd, path, target, false, "dir:"))
        return error;
    bsc_handle handle;
    bsc_status status = abi().stream_open(target.uri, BSC_ACCESS_READ, creation_mode(mode, 01777),
                                          BSC_CREATE_ALWAYS, 0, &handle);
    if (status != BSC_OK)
        return result_of(status);
    abi().object_close(handle);
    return 0;
}

// mknod's file types, as may_mknod sorts them before the path is read: a directory is
// EPERM (mkdir makes those), an unknown type EINVAL; 0 is a regular file.
int64_t node_type(uint32_t mode, uint32_t &type) {
    switch (mode & S_IFMT) {
    case 0:
    case S_IFREG: type = BSC_TYPE_FILE; return 0;
    case S_IFIFO: type = BSC_TYPE_PIPE; return 0;
    case S_IFSOCK: type = BSC_TYPE_SOCKET; return 0;
    case S_IFCHR: type = BSC_TYPE_CHAR_DEVICE; return 0;
    case S_IFBLK: type = BSC_TYPE_BLOCK_DEVICE; return 0;
    case S_IFDIR: return -EPERM;
    default: return -EINVAL;
    }
}

// mknod: `mode` is the kernel's umode_t (16 bits) and `device` its 32-bit encoding, which
// is the low half of the ABI's (stat's) for every number it can hold. The host decides
// whether the caller may make a device node (EPERM) and whether its file system makes
// special files at all (NOT_SUPPORTED: EPERM, as vfs_mknod says without ->mknod).
int64_t make_node(int dirfd, uint64_t path, uint64_t mode, uint64_t device) {
    auto bits = static_cast<uint16_t>(mode);
    uint32_t type = 0;
    if (int64_t error = node_type(bits, type))
        return error;
    Target target;
    if (int64_t error = resolve(dirfd, path, target, false))
        return error;
    bool is_device = type == BSC_TYPE_CHAR_DEVICE || type == BSC_TYPE_BLOCK_DEVICE;
    bsc_status status = abi().stream_make_node(target.uri, type, file_creation_mode(target, bits),
                                               is_device ? static_cast<uint32_t>(device) : 0);
    return status == BSC_E_NOT_SUPPORTED ? -EPERM : result_of(status);
}

// The last component of the path the program passed (for rmdir's "." and "..").
int64_t last_component(uint64_t user_path, char (&last)[4]) {
    char given[kPathMax];
    int64_t n = string_from_user(given, user_path, sizeof given);
    if (n < 0)
        return n;
    while (n > 1 && given[n - 1] == '/')
        given[--n] = 0;
    const char *start = given;
    for (const char *p = given; *p; p++)
        if (*p == '/' && p[1])
            start = p + 1;
    freestanding::copy_string(last, sizeof last, strlen(start) < 3 ? start : "");
    return 0;
}

// Whether a last component is a name, not ".", ".." or the root (the kernel's LAST_DOT,
// LAST_DOTDOT and LAST_ROOT, which rename refuses).
bool names_entry(const char (&last)[4]) {
    return !freestanding::equal(last, ".") && !freestanding::equal(last, "..") &&
           !freestanding::equal(last, "/");
}

int64_t remove(int dirfd, uint64_t path, bool directory) {
    if (directory) { // the kernel refuses these names before it looks at anything
        char last[4];
        if (int64_t error = last_component(path, last))
            return error;
        if (freestanding::equal(last, "."))
            return -EINVAL;
        if (freestanding::equal(last, ".."))
            return -ENOTEMPTY;
    }
    Target target;
    if (int64_t error = resolve(dirfd, path, target, false))
        return error;
    return result_of(abi().stream_delete(target.uri, directory ? BSC_DELETE_DIRECTORY : 0));
}

// The errno of a call that adds a link to an object (link, and rename, which gives a
// moved directory's ".." to its new parent): the host's TOO_MANY there is the file
// system's most links (EMLINK), as these calls open nothing that could be EMFILE.
int64_t link_result(bsc_status status) {
    return status == BSC_E_TOO_MANY ? -EMLINK : result_of(status);
}

int64_t rename_at(int from_dir, uint64_t from, int to_dir, uint64_t to, uint64_t flags) {
    // RENAME_WHITEOUT (overlay file systems) is not supported; exchanging excludes the rest.
    if (flags & RENAME_WHITEOUT)
        report_unsupported("renameat2", "RENAME_WHITEOUT");
    if ((flags & ~uint64_t{RENAME_NOREPLACE | RENAME_EXCHANGE}) ||
        ((flags & RENAME_EXCHANGE) && (flags & RENAME_NOREPLACE)))
        return -EINVAL;
    Target source, destination;
    if (int64_t error = resolve(from_dir, from, source, false))
        return error;
    if (int64_t error = resolve(to_dir, to, destination, false))
        return error;
    char old_last[4], new_last[4];
    if (int64_t error = last_component(from, old_last) ?: last_component(to, new_last))
        return error;
    if (!names_entry(old_last)) // do_renameat2's order
        return -EBUSY;
    if (!names_entry(new_last))
        return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
    uint32_t bsc_flags = (flags & RENAME_NOREPLACE ? BSC_RENAME_NOREPLACE : 0) |
                         (flags & RENAME_EXCHANGE ? BSC_RENAME_EXCHANGE : 0);
    bool exchanged = flags & RENAME_EXCHANGE;
    bool moves_own = holds_directory(source.path) || (exchanged && holds_directory(destination.path));
    if (int64_t error = link_result(abi().stream_rename(source.uri, destination.uri, bsc_flags)))
        return error;
    // The names as the working directory is held: every link on the way resolved.
    char old_name[kPathMax], new_name[kPathMax];
    if (moves_own &&
        real_path(source.path, old_name, sizeof old_name, source.real_prefix, kRealKeepLast) == 0 &&
        real_path(destination.path, new_name, sizeof new_name, destination.real_prefix,
                  kRealKeepLast) == 0)
        directory_renamed(old_name, new_name, exchanged);
    return 0;
}

// The URI of the object an open file names by the path it was opened with.
int64_t open_file_uri(const OpenFile &file, char (&uri)[kUriMax]) {
    if (!file.path)
        return -ENOENT;
    char host[kPathMax];
    proc_host_path(file.path, host, sizeof host);
    return make_uri("file:", host, uri, sizeof uri);
}

int64_t link_at(int from_dir, uint64_t from, int to_dir, uint64_t to, uint64_t flags) {
    if (flags & ~uint64_t{AT_SYMLINK_FOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    Target source, destination;
    int64_t itself = names_descriptor(from, flags);
    if (itself < 0)
        return itself;
    // The open file, by the path it was opened with. Since Linux 6.10 its opener may link
    // it without CAP_DAC_READ_SEARCH; the program opened every file it holds itself.
    if (itself) {
        FileRef file(from_dir);
        if (!file)
            return -EBADF;
        if (int64_t error = open_file_uri(*file.get(), source.uri))
            return error;
    } else if (int64_t error = resolve(from_dir, from, source, false)) {
        return error;
    }
    // The host links the name itself; AT_SYMLINK_FOLLOW links what a final link leads to.
    if (!itself && (flags & AT_SYMLINK_FOLLOW) && source.node == ProcNode::host) {
        char real[kPathMax];
        if (int64_t error = real_path(source.path, real, sizeof real))
            return error;
        if (int64_t error = make_uri("file:", real, source.uri, sizeof source.uri))
            return error;
    }
    if (int64_t error = resolve(to_dir, to, destination, false))
        return error;
    return link_result(abi().stream_link(destination.uri, source.uri, BSC_LINK_HARD));
}

int64_t symlink_at(uint64_t target_text, int dirfd, uint64_t path) {
    char text[kPathMax];
    int64_t n = string_from_user(text, target_text, sizeof text);
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    Target target;
    if (int64_t error = resolve(dirfd, path, target, false))
        return error;
    return result_of(abi().stream_link(target.uri, text, BSC_LINK_SYMBOLIC));
}

// Mode, owner or times of an open file's object: by its handle, or (an O_PATH descriptor,
// a file of the LibOS's) by its path, a final link not followed. AT_FDCWD names the
// working directory, as user_path_at's empty path does.
int64_t set_file_attributes(int fd, uint32_t which, const bsc_stream_attributes &a) {
    if (fd == AT_FDCWD) {
        char cwd[kPathMax], uri[kUriMax];
        if (get_cwd(cwd, sizeof cwd) < 0)
            return -ENAMETOOLONG;
        if (int64_t error = make_uri("file:", cwd, uri, sizeof uri))
            return error;
        return result_of(abi().stream_attributes_set(uri, 0, which, &a));
    }
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if (file->handle != BSC_NO_HANDLE)
        return result_of(abi().stream_attributes_set_by_handle(file->handle, which, &a));
    char uri[kUriMax];
    if (int64_t error = open_file_uri(*file.get(), uri))
        return error;
    return result_of(abi().stream_attributes_set(uri, BSC_QUERY_NOFOLLOW, which, &a));
}

// Mode, owner or times of the object an *at call names (dirfd itself with AT_EMPTY_PATH
// and an empty path). `which` may be 0: the object is still looked up and checked, and
// its change time touched, as chown(path, -1, -1) does.
int64_t set_attributes(int dirfd, uint64_t path, uint64_t at_flags, uint32_t which,
                       const bsc_stream_attributes &a) {
    int64_t itself = names_descriptor(path, at_flags);
    if (itself < 0)
        return itself;
    if (itself)
        return set_file_attributes(dirfd, which, a);
    bool follow = !(at_flags & AT_SYMLINK_NOFOLLOW);
    Target target;
    if (int64_t error = resolve(dirfd, path, target, follow))
        return error;
    if (target.descriptor >= 0) // chmod of an O_PATH link's /proc/self/fd/N: the link's mode
        return set_file_attributes(target.descriptor, which, a);
    return result_of(
        abi().stream_attributes_set(target.uri, follow ? 0 : BSC_QUERY_NOFOLLOW, which, &a));
}

// chmod, fchmodat and fchmodat2 (do_fchmodat): the flags checked first; a symbolic link's
// mode cannot change (EOPNOTSUPP from notify_change), which the host's kernel says.
int64_t change_mode(int dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
    if (flags & ~uint64_t{AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    bsc_stream_attributes a{};
    a.mode = static_cast<uint32_t>(mode & 07777);
    return set_attributes(dirfd, path, flags, BSC_SET_MODE, a);
}

int64_t change_owner(int dirfd, uint64_t path, uint64_t owner, uint64_t group, uint64_t flags) {
    if (flags & ~uint64_t{AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    bsc_stream_attributes a{};
    a.owner = static_cast<uint32_t>(owner);
    a.group = static_cast<uint32_t>(group);
    uint32_t which = (a.owner != UINT32_MAX ? BSC_SET_OWNER : 0) |
                     (a.group != UINT32_MAX ? BSC_SET_GROUP : 0);
    return set_attributes(dirfd, path, flags, which, a);
}

struct Statfs {
    int64_t type, block_size, blocks, free, available, files, files_free;
    int32_t fsid[2];
    int64_t name_length, fragment_size, flags, spare[4];
};

Statfs statfs_of(const bsc_volume_info &v) {
    Statfs s{};
    s.type = static_cast<int64_t>(v.type);
    s.block_size = static_cast<int64_t>(v.block_size);
    s.blocks = static_cast<int64_t>(v.blocks);
    s.free = static_cast<int64_t>(v.blocks_free);
    s.available = static_cast<int64_t>(v.blocks_available);
    s.files = static_cast<int64_t>(v.files);
    s.files_free = static_cast<int64_t>(v.files_free);
    s.fsid[0] = static_cast<int32_t>(v.id[0]);
    s.fsid[1] = static_cast<int32_t>(v.id[1]);
    s.name_length = static_cast<int64_t>(v.name_max);
    s.fragment_size = static_cast<int64_t>(v.fragment_size);
    s.flags = static_cast<int64_t>(v.flags);
    return s;
}

// The host's report for the object at `uri`, written to the program's `address`.
int64_t put_volume(bsc_status status, const bsc_volume_info &info, uint64_t address) {
    if (status != BSC_OK)
        return result_of(status);
    return put_user(address, statfs_of(info)) ? 0 : -EFAULT;
}

// An object the LibOS serves with no file behind it (an eventfd, a timerfd, a signalfd,
// an epoll) lies, on Linux, in the anonymous-inode file system: simple_statfs's answer.
Statfs anonymous_inode_statistics() {
    constexpr int64_t kAnonInodeMagic = 0x09041934, kValid = 0x20; // ST_VALID
    return {kAnonInodeMagic, 4096, 0, 0, 0, 0, 0, {0, 0}, 255, 4096, kValid, {}};
}

// ---- Extended attributes -------------------------------------------------------------

// What an xattr call acts on: a path (followed or not) or an open descriptor.
struct XattrObject {
    Target target;
    bsc_handle handle = BSC_NO_HANDLE;
    bool by_handle = false, follow = true;
};

int64_t xattr_path(uint64_t user_path, bool follow, XattrObject &object) {
    object.follow = follow;
    return resolve(AT_FDCWD, user_path, object.target, follow);
}

// The f*xattr calls: descriptors opened with O_PATH, and the LibOS's own files, have no
// extended attributes to give (EBADF and EOPNOTSUPP, as the kernel answers for them).
int64_t xattr_descriptor(uint64_t fd, XattrObject &object) {
    FileRef file(static_cast<int>(fd));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (file->handle == BSC_NO_HANDLE)
        return -EOPNOTSUPP;
    object.by_handle = true;
    object.handle = file->handle;
    return 0;
}

// The attribute name: ERANGE if empty or longer than XATTR_NAME_MAX, as the kernel.
int64_t xattr_name(uint64_t user_name, char (&name)[XATTR_NAME_MAX + 1]) {
    int64_t n = string_from_user(name, user_name, sizeof name);
    if (n == -ENAMETOOLONG || n == 0)
        return -ERANGE;
    return n < 0 ? n : 0;
}

// A result of get or list: a value that does not fit is ERANGE.
int64_t xattr_result(bsc_status status, uint64_t length) {
    if (status == BSC_E_TOO_BIG)
        return -ERANGE;
    return status == BSC_OK ? static_cast<int64_t>(length) : result_of(status);
}

uint32_t xattr_flags(const XattrObject &object) { return object.follow ? 0 : BSC_XATTR_NOFOLLOW; }

int64_t get_xattr(const XattrObject &object, const char *name, uint64_t value, uint64_t size) {
    if (size > XATTR_SIZE_MAX)
        size = XATTR_SIZE_MAX;
    auto *buffer = reinterpret_cast<void *>(value);
    uint64_t length = 0;
    bsc_status status = object.by_handle
                            ? abi().stream_xattr_get_by_handle(object.handle, name, buffer, size,
                                                               &length)
                            : abi().stream_xattr_get(object.target.uri, xattr_flags(object), name,
                                                     buffer, size, &length);
    return xattr_result(status, length);
}

int64_t list_xattr(const XattrObject &object, uint64_t names, uint64_t size) {
    if (size > XATTR_LIST_MAX)
        size = XATTR_LIST_MAX;
    auto *buffer = reinterpret_cast<char *>(names);
    uint64_t length = 0;
    bsc_status status =
        object.by_handle
            ? abi().stream_xattr_list_by_handle(object.handle, buffer, size, &length)
            : abi().stream_xattr_list(object.target.uri, xattr_flags(object), buffer, size,
                                      &length);
    return xattr_result(status, length);
}

// The value setxattr stores, copied in before the object is looked up, as the kernel does.
struct XattrValue {
    ~XattrValue() {
        if (data)
            release(data, size);
    }
    void *data = nullptr;
    uint64_t size = 0;
};

int64_t set_xattr_arguments(uint64_t user_name, uint64_t value, uint64_t size, uint64_t flags,
                            char (&name)[XATTR_NAME_MAX + 1], XattrValue &copy) {
    if (flags & ~uint64_t{XATTR_CREATE | XATTR_REPLACE})
        return -EINVAL;
    if (int64_t error = xattr_name(user_name, name))
        return error;
    if (size > XATTR_SIZE_MAX)
        return -E2BIG;
    copy.size = size;
    copy.data = allocate(size);
    return size && !copy_from_user(copy.data, value, size) ? -EFAULT : 0;
}

int64_t set_xattr(const XattrObject &object, const char *name, const XattrValue &value,
                  uint64_t flags) {
    uint32_t bsc_flags = (flags & XATTR_CREATE ? BSC_XATTR_CREATE : 0) |
                         (flags & XATTR_REPLACE ? BSC_XATTR_REPLACE : 0);
    if (object.by_handle)
        return result_of(abi().stream_xattr_set_by_handle(object.handle, bsc_flags, name,
                                                          value.data, value.size));
    return result_of(abi().stream_xattr_set(object.target.uri, bsc_flags | xattr_flags(object),
                                            name, value.data, value.size));
}

int64_t remove_xattr(const XattrObject &object, const char *name) {
    if (object.by_handle)
        return result_of(abi().stream_xattr_remove_by_handle(object.handle, name));
    return result_of(abi().stream_xattr_remove(object.target.uri, xattr_flags(object), name));
}

// The three forms of each call differ only in how they name the object: a path that is
// followed, a path that is not (l*), or a descriptor (f*).
enum class XattrForm { path, link, descriptor };

int64_t xattr_object(XattrForm form, uint64_t argument, XattrObject &object) {
    if (form == XattrForm::descriptor)
        return xattr_descriptor(argument, object);
    return xattr_path(argument, form == XattrForm::path, object);
}

// get and remove: the name first, then the object, as the kernel takes them.
template <class Act> int64_t with_name_and_object(Syscall &c, XattrForm form, Act act) {
    char name[XATTR_NAME_MAX + 1];
    if (int64_t error = xattr_name(c.arg[1], name))
        return error;
    XattrObject object;
    if (int64_t error = xattr_object(form, c.arg[0], object))
        return error;
    return act(object, name);
}

int64_t getxattr_call(Syscall &c, XattrForm form) {
    return with_name_and_object(c, form, [&](const XattrObject &object, const char *name) {
        return get_xattr(object, name, c.arg[2], c.arg[3]);
    });
}

int64_t setxattr_call(Syscall &c, XattrForm form) {
    char name[XATTR_NAME_MAX + 1];
    XattrValue value;
    if (int64_t error = set_xattr_arguments(c.arg[1], c.arg[2], c.arg[3], c.arg[4], name, value))
        return error;
    XattrObject object;
    if (int64_t error = xattr_object(form, c.arg[0], object))
        return error;
    return set_xattr(object, name, value, c.arg[4]);
}

int64_t listxattr_call(Syscall &c, XattrForm form) {
    XattrObject object;
    if (int64_t error = xattr_object(form, c.arg[0], object))
        return error;
    return list_xattr(object, c.arg[1], c.arg[2]);
}

int64_t removexattr_call(Syscall &c, XattrForm form) {
    return with_name_and_object(c, form, remove_xattr);
}

// openat2's struct open_how, as the kernel's copy_struct_from_user reads it: at least
// its first version (24 bytes), at most a page; bytes past the fields this kernel knows
// must be zero (E2BIG), and every byte given must be readable (EFAULT).
int64_t read_open_how(uint64_t address, uint64_t size, open_how &how) {
    constexpr uint64_t kPage = 4096;
    constexpr uint64_t kFirstVersion = 24; // the kernel's OPEN_HOW_SIZE_VER0
    if (size < kFirstVersion)
        return -EINVAL;
    if (size > kPage)
        return -E2BIG;
    return struct_from_user(&how, sizeof how, address, size);
}

// The kernel's build_open_flags for openat2, which checks every argument where openat
// ignores what it does not know: unknown flags or RESOLVE_* bits, both scoping rules, a
// mode without O_CREAT or O_TMPFILE (or beyond 07777 with one), O_DIRECTORY with
// O_CREAT, O_PATH with other flags than its own; RESOLVE_CACHED of an open that creates
// or truncates cannot be done from the cache alone (EAGAIN). The malformed O_TMPFILE
// forms are open_at's, checked in the same order.
int64_t check_open_how(const open_how &how) {
    constexpr uint64_t kValidFlags =
        O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | __O_SYNC |
        O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME |
        O_CLOEXEC | O_PATH | __O_TMPFILE;
    constexpr uint64_t kValidResolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
                                       RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
                                       RESOLVE_IN_ROOT | RESOLVE_CACHED;
    constexpr uint64_t kPathFlags = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
    uint64_t flags = how.flags & ~uint64_t{O_CLOEXEC};
    if ((flags & ~kValidFlags) || (how.resolve & ~kValidResolve))
        return -EINVAL;
    if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
        return -EINVAL;
    bool creates = flags & (O_CREAT | __O_TMPFILE);
    if (creates ? (how.mode & ~uint64_t{07777}) : how.mode != 0)
        return -EINVAL;
    if ((flags & O_DIRECTORY) && (flags & O_CREAT))
        return -EINVAL;
    if ((flags & __O_TMPFILE) &&
        ((flags & O_TMPFILE) != O_TMPFILE || (flags & O_ACCMODE) == O_RDONLY))
        return -EINVAL;
    if ((flags & O_PATH) && (flags & ~kPathFlags))
        return -EINVAL;
    if ((how.resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | __O_TMPFILE)))
        return -EAGAIN;
    return 0;
}

} // namespace

int64_t sys_openat2(Syscall &c) {
    open_how how;
    if (int64_t error = read_open_how(c.arg[2], c.arg[3], how))
        return error;
    if (int64_t error = check_open_how(how))
        return error;
    return open_at(static_cast<int>(c.arg[0]), c.arg[1], how.flags, how.mode, how.resolve);
}

int64_t user_path_uri(int dirfd, uint64_t user_path, bool follow, char *uri, size_t capacity) {
    Target target;
    if (int64_t error = resolve(dirfd, user_path, target, follow))
        return error;
    return freestanding::copy_string(uri, capacity, target.uri) ? 0 : -ENAMETOOLONG;
}

int64_t sys_open(Syscall &c) { return open_at(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2]); }
int64_t sys_openat(Syscall &c) {
    return open_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}

int64_t sys_creat(Syscall &c) {
    return open_at(AT_FDCWD, c.arg[0], O_CREAT | O_WRONLY | O_TRUNC, c.arg[1]);
}

int64_t sys_stat(Syscall &c) {
    bsc_stream_attributes a{};
    if (int64_t error = query(AT_FDCWD, c.arg[0], true, a))
        return error;
    return put_user(c.arg[1], to_stat(a)) ? 0 : -EFAULT;
}

int64_t sys_lstat(Syscall &c) {
    bsc_stream_attributes a{};
    if (int64_t error = query(AT_FDCWD, c.arg[0], false, a))
        return error;
    return put_user(c.arg[1], to_stat(a)) ? 0 : -EFAULT;
}

int64_t sys_newfstatat(Syscall &c) {
    if (c.arg[3] & ~uint64_t{AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH})
        return -EINVAL;
    bsc_stream_attributes a{};
    if (int64_t error = query_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[3], a, true))
        return error;
    return put_user(c.arg[2], to_stat(a)) ? 0 : -EFAULT;
}

int64_t sys_statx(Syscall &c) {
    uint64_t flags = c.arg[2];
    if ((flags & ~uint64_t{AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
                           AT_STATX_SYNC_TYPE}) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (c.arg[3] & STATX__RESERVED))
        return -EINVAL;
    // The fields the ABI carries are asked for as the program asks; the ones added since
    // Linux 6.8 it does not carry are left out of the answer, as a file system without
    // them leaves them.
    uint32_t want = static_cast<uint32_t>(c.arg[3]);
    if (want & kStatxUncarried)
        report_unsupported("statx", "STATX_SUBVOL, STATX_WRITE_ATOMIC, STATX_DIO_READ_ALIGN");
    Details details{.want = want & kStatxCarried, .found = {}};
    bsc_stream_attributes a{};
    if (int64_t error =
            query_at(static_cast<int>(c.arg[0]), c.arg[1], flags, a, true, &details))
        return error;
    return put_user(c.arg[4], to_statx(a, details.found)) ? 0 : -EFAULT;
}

int64_t sys_access(Syscall &c) { return access_at(AT_FDCWD, c.arg[0], c.arg[1], 0); }
int64_t sys_faccessat(Syscall &c) {
    return access_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], 0);
}
int64_t sys_faccessat2(Syscall &c) {
    // AT_EACCESS: the effective (file-system) ids instead of the real ones.
    if (c.arg[3] & ~uint64_t{AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    return access_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}

int64_t sys_readlink(Syscall &c) { return readlink_at(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2]); }
int64_t sys_readlinkat(Syscall &c) {
    return readlink_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}

// The working directory as seen from the process's root; one outside it (after a chroot
// that left it there) is "(unreachable)" and its full path, as Linux shows it.
int64_t sys_getcwd(Syscall &c) {
    char full[kPathMax], cwd[kPathMax + 16];
    if (get_cwd(full, sizeof full) < 0)
        return -ERANGE;
    int64_t n = path_from_root(full, cwd, sizeof cwd, "(unreachable)");
    if (n < 0 || static_cast<uint64_t>(n) + 1 > c.arg[1])
        return -ERANGE;
    return copy_to_user(c.arg[0], cwd, n + 1) ? n + 1 : -EFAULT;
}

// The directory chdir and chroot name, as the kernel's lookup with LOOKUP_DIRECTORY and
// path_permission(MAY_EXEC | MAY_CHDIR) find it: its real path in `real`, or -errno.
int64_t find_directory(uint64_t user_path, char (&real)[kPathMax]) {
    Target target;
    if (int64_t error = resolve(AT_FDCWD, user_path, target, true))
        return error;
    bsc_stream_attributes a{};
    if (int64_t error = path_attributes(target.path, true, a))
        return error;
    if (a.type != BSC_TYPE_DIRECTORY)
        return -ENOTDIR;
    if (int64_t error = check_access(a, 1 /* X_OK: search */, false))
        return error;
    const char *name = kernel_name(target, real);
    if (name != real && !freestanding::copy_string(real, sizeof real, name))
        return -ENAMETOOLONG;
    return 0;
}

// The working directory is kept as the kernel keeps it: the directory itself, so getcwd
// shows its real path whatever links led to it.
int64_t sys_chdir(Syscall &c) {
    char real[kPathMax];
    if (int64_t error = find_directory(c.arg[0], real))
        return error;
    set_cwd(real);
    return 0;
}

// The process's root: every later absolute path, absolute link text and ".." at it stays
// below it (paths.cpp); the working directory stays where it is, as Linux leaves it. The
// capability is checked after the lookup and the search permission, as the kernel does.
int64_t sys_chroot(Syscall &c) {
    char real[kPathMax];
    if (int64_t error = find_directory(c.arg[0], real))
        return error;
    if (!capable(CAP_SYS_CHROOT))
        return -EPERM;
    set_root(real);
    return 0;
}

int64_t sys_mkdir(Syscall &c) { return make_directory(AT_FDCWD, c.arg[0], c.arg[1]); }
int64_t sys_mkdirat(Syscall &c) {
    return make_directory(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2]);
}
int64_t sys_mknod(Syscall &c) { return make_node(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2]); }
int64_t sys_mknodat(Syscall &c) {
    return make_node(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}
int64_t sys_rmdir(Syscall &c) { return remove(AT_FDCWD, c.arg[0], true); }
int64_t sys_unlink(Syscall &c) { return remove(AT_FDCWD, c.arg[0], false); }
int64_t sys_unlinkat(Syscall &c) {
    if (c.arg[2] & ~uint64_t{AT_REMOVEDIR})
        return -EINVAL;
    return remove(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2] & AT_REMOVEDIR);
}

int64_t sys_rename(Syscall &c) { return rename_at(AT_FDCWD, c.arg[0], AT_FDCWD, c.arg[1], 0); }
int64_t sys_renameat(Syscall &c) {
    return rename_at(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]), c.arg[3], 0);
}
int64_t sys_renameat2(Syscall &c) {
    return rename_at(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]), c.arg[3],
                     c.arg[4]);
}

int64_t sys_link(Syscall &c) { return link_at(AT_FDCWD, c.arg[0], AT_FDCWD, c.arg[1], 0); }
int64_t sys_linkat(Syscall &c) {
    return link_at(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]), c.arg[3],
                   c.arg[4]);
}
int64_t sys_symlink(Syscall &c) { return symlink_at(c.arg[0], AT_FDCWD, c.arg[1]); }
int64_t sys_symlinkat(Syscall &c) {
    return symlink_at(c.arg[0], static_cast<int>(c.arg[1]), c.arg[2]);
}

int64_t sys_chmod(Syscall &c) { return change_mode(AT_FDCWD, c.arg[0], c.arg[1], 0); }
int64_t sys_fchmodat(Syscall &c) {
    return change_mode(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], 0);
}
int64_t sys_fchmodat2(Syscall &c) { // flags: an unsigned int
    return change_mode(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2],
                       static_cast<uint32_t>(c.arg[3]));
}

int64_t sys_chown(Syscall &c) { return change_owner(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2], 0); }
int64_t sys_lchown(Syscall &c) {
    return change_owner(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2], AT_SYMLINK_NOFOLLOW);
}
int64_t sys_fchownat(Syscall &c) {
    return change_owner(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3], c.arg[4]);
}

namespace {

struct Timespec {
    int64_t sec, nsec;
};

// do_utimes for utimensat and futimesat: the two times (null: both now), checked, then the
// object set: an open file's by its handle (a null path with a descriptor), else the one
// the path names.
int64_t change_times(int dirfd, uint64_t path, const Timespec *times, uint64_t flags) {
    constexpr int64_t kNow = (1l << 30) - 1, kOmit = (1l << 30) - 2;
    bsc_stream_attributes a{};
    uint32_t which = times ? 0 : BSC_SET_ACCESS_TIME_NOW | BSC_SET_MODIFY_TIME_NOW;
    const uint32_t now_bits[2] = {BSC_SET_ACCESS_TIME_NOW, BSC_SET_MODIFY_TIME_NOW};
    const uint32_t set_bits[2] = {BSC_SET_ACCESS_TIME, BSC_SET_MODIFY_TIME};
    int64_t *fields[2] = {&a.access_time, &a.modify_time};
    for (int i = 0; times && i < 2; i++) {
        if (times[i].nsec == kOmit)
            continue;
        if (times[i].nsec == kNow) {
            which |= now_bits[i];
        } else {
            if (times[i].nsec < 0 || times[i].nsec >= 1000000000)
                return -EINVAL;
            which |= set_bits[i];
            *fields[i] = times[i].sec * 1000000000 + times[i].nsec;
        }
    }
    if (flags & ~uint64_t{AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    if (!path && dirfd != AT_FDCWD) { // futimens: an open file, not an O_PATH one
        if (flags)
            return -EINVAL; // the kernel's do_utimes_fd takes no flag
        FileRef file(dirfd);
        if (!file || (file->flags & O_PATH))
            return -EBADF;
        if (file->handle == BSC_NO_HANDLE)
            return -EPERM; // the LibOS's own files have no times to set
        return result_of(abi().stream_attributes_set_by_handle(file->handle, which, &a));
    }
    if (!path)
        return -EFAULT;
    return set_attributes(dirfd, path, flags, which, a);
}

} // namespace

int64_t sys_utimensat(Syscall &c) {
    constexpr int64_t kOmit = (1l << 30) - 2;
    Timespec times[2];
    if (c.arg[2] && !copy_from_user(times, c.arg[2], sizeof times))
        return -EFAULT;
    // Nothing to change: the kernel does not even look the path up.
    if (c.arg[2] && times[0].nsec == kOmit && times[1].nsec == kOmit)
        return 0;
    return change_times(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2] ? times : nullptr,
                        c.arg[3]);
}

// futimesat: the old call with microseconds, checked before they become nanoseconds (so
// that no value turns into UTIME_NOW or UTIME_OMIT), then utimensat's work without flags.
int64_t sys_futimesat(Syscall &c) {
    struct Timeval {
        int64_t sec, usec;
    } values[2];
    Timespec times[2];
    if (c.arg[2]) {
        if (!copy_from_user(values, c.arg[2], sizeof values))
            return -EFAULT;
        for (int i = 0; i < 2; i++) {
            if (values[i].usec < 0 || values[i].usec >= 1000000)
                return -EINVAL;
            times[i] = {values[i].sec, values[i].usec * 1000};
        }
    }
    return change_times(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2] ? times : nullptr, 0);
}

int64_t sys_truncate(Syscall &c) {
    if (static_cast<int64_t>(c.arg[1]) < 0)
        return -EINVAL;
    Target target;
    if (int64_t error = resolve(AT_FDCWD, c.arg[0], target, true))
        return error;
    bsc_handle handle;
    if (bsc_status status =
            abi().stream_open(target.uri, BSC_ACCESS_WRITE, 0, BSC_CREATE_NEVER, 0, &handle))
        return result_of(status);
    int64_t result = set_file_length(handle, c.arg[1]);
    abi().object_close(handle);
    return result;
}

int64_t sys_umask(Syscall &c) {
    return exchange_file_mode_mask(static_cast<uint32_t>(c.arg[0] & 0777));
}

// Each xattr call in its three forms: by path, by path not following a final link (l),
// by descriptor (f).
#define LIBOS_XATTR_CALLS(op)                                                               \
    int64_t sys_##op(Syscall &c) { return op##_call(c, XattrForm::path); }                  \
    int64_t sys_l##op(Syscall &c) { return op##_call(c, XattrForm::link); }                 \
    int64_t sys_f##op(Syscall &c) { return op##_call(c, XattrForm::descriptor); }
LIBOS_XATTR_CALLS(getxattr)
LIBOS_XATTR_CALLS(setxattr)
LIBOS_XATTR_CALLS(listxattr)
LIBOS_XATTR_CALLS(removexattr)
#undef LIBOS_XATTR_CALLS

// statfs and fstatfs: what the host's file system reports (stream_volume_query), so a
// mounted tmpfs or ext2 shows as itself. A LibOS /proc node is asked of as the host's
// /proc entry that behaves alike.
int64_t sys_statfs(Syscall &c) {
    Target target;
    if (int64_t error = resolve(AT_FDCWD, c.arg[0], target, true))
        return error;
    bsc_volume_info info;
    return put_volume(abi().stream_volume_query(target.uri, &info), info, c.arg[1]);
}

// fstatfs takes O_PATH descriptors too (fdget_raw): by path, as the LibOS's own files.
int64_t sys_fstatfs(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    bsc_volume_info info;
    if (file->handle != BSC_NO_HANDLE)
        return put_volume(abi().stream_volume_query_by_handle(file->handle, &info), info,
                          c.arg[1]);
    if (!file->path)
        return put_user(c.arg[1], anonymous_inode_statistics()) ? 0 : -EFAULT;
    char host[kPathMax], uri[kUriMax];
    proc_host_path(file->path, host, sizeof host);
    if (int64_t error = make_uri("file:", host, uri, sizeof uri))
        return error;
    return put_volume(abi().stream_volume_query(uri, &info), info, c.arg[1]);
}

} // namespace libos
