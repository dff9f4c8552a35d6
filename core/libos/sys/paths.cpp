// SPDX-License-Identifier: MIT
// System calls on path names: open, the stat family, access, readlink, the working
// directory, mkdir, rmdir, unlink, rename, link, symlink, chmod, chown, utimensat,
// truncate, umask, statfs.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/stat.h>

#include "exec.h"
#include "fd_table.h"
#include "libos_files.h"
#include "paths.h"
#include "stat.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr size_t kUriMax = kPathMax + 16;
uint32_t file_mode_mask = 022;

// A resolved path and its URI, built once per call.
struct Target {
    char path[kPathMax];
    char uri[kUriMax];
};

// Resolves (dirfd, user path) into target with the scheme the path needs: the devices
// the host provides are reached by their own URIs.
int64_t resolve(int dirfd, uint64_t user_path, Target &target, const char *scheme = "file:") {
    if (int64_t error = resolve_user_path(dirfd, user_path, target.path, sizeof target.path))
        return error;
    const char *entry = own_proc_entry(target.path);
    if (entry && freestanding::equal(entry, "exe")) // opening or stat'ing the link
        freestanding::copy_string(target.path, sizeof target.path, program_path());
    if (freestanding::equal(target.path, "/dev/null"))
        return make_uri("dev:null", "", target.uri, sizeof target.uri);
    if (freestanding::equal(target.path, "/dev/tty"))
        return make_uri("dev:tty", "", target.uri, sizeof target.uri);
    return make_uri(scheme, target.path, target.uri, sizeof target.uri);
}

int64_t query(int dirfd, uint64_t user_path, bool follow, bsc_stream_attributes &attributes) {
    if (!follow) {
        char path[kPathMax];
        if (int64_t error = resolve_user_path(dirfd, user_path, path, sizeof path))
            return error;
        if (libos_link_attributes(path, attributes))
            return 0;
    }
    Target target;
    if (int64_t error = resolve(dirfd, user_path, target))
        return error;
    return result_of(abi().stream_attributes_query(target.uri, follow ? 0 : BSC_QUERY_NOFOLLOW,
                                                   &attributes));
}

// Attributes for the *at calls: an empty path with AT_EMPTY_PATH means dirfd itself.
int64_t query_at(int dirfd, uint64_t user_path, uint64_t flags,
                 bsc_stream_attributes &attributes) {
    char first = 0;
    if (flags & AT_EMPTY_PATH && get_user(user_path, first) && first == 0) {
        FileRef file(dirfd);
        return file ? file_attributes(*file.get(), attributes) : -EBADF;
    }
    return query(dirfd, user_path, !(flags & AT_SYMLINK_NOFOLLOW), attributes);
}

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
           (flags & (O_SYNC | O_DSYNC) ? BSC_OPTION_SYNC : 0);
}

int64_t open_at(int dirfd, uint64_t user_path, uint64_t flags, uint64_t mode) {
    Target target;
    if (int64_t error = resolve(dirfd, user_path, target))
        return error;
    if (is_libos_file(target.path))
        return open_libos_file(target.path, flags);
    uint32_t create = !(flags & O_CREAT) ? BSC_CREATE_NEVER
                      : flags & O_EXCL   ? BSC_CREATE_ALWAYS
                                         : BSC_CREATE_TRY;
    bsc_handle handle;
    bsc_status status =
        abi().stream_open(target.uri, access_of(flags), static_cast<uint32_t>(mode) & ~file_mode_mask & 07777,
                          create, options_of(flags), &handle);
    if (status == BSC_E_LOOP && (flags & O_NOFOLLOW))
        return -ELOOP;
    if (status != BSC_OK)
        return result_of(status);
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(handle, &attributes);
    uint32_t kept = static_cast<uint32_t>(flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY |
                                                    O_NOFOLLOW | O_SYNC | O_DSYNC));
    OpenFile *file = open_file(handle, kept, attributes.type, target.path);
    return fd_install(file, 0, flags & O_CLOEXEC);
}

// Permission check for access(): root may read and write anything and execute what has
// an execute bit; others by owner, group and other bits.
int64_t check_access(const bsc_stream_attributes &a, uint64_t mode) {
    if (mode & ~uint64_t{7})
        return -EINVAL;
    if (mode == 0)
        return 0;
    bsc_system_info info{};
    abi().system_info_query(&info);
    uint32_t bits;
    if (info.user_id == 0)
        bits = 6 | ((a.mode & 0111) || a.type == BSC_TYPE_DIRECTORY ? 1 : 0);
    else if (info.user_id == a.owner)
        bits = (a.mode >> 6) & 7;
    else if (info.group_id == a.group)
        bits = (a.mode >> 3) & 7;
    else
        bits = a.mode & 7;
    return (mode & ~bits) ? -EACCES : 0;
}

int64_t access_at(int dirfd, uint64_t path, uint64_t mode, uint64_t flags) {
    bsc_stream_attributes attributes{};
    if (int64_t error = query_at(dirfd, path, flags, attributes))
        return error;
    return check_access(attributes, mode);
}

int64_t readlink_at(int dirfd, uint64_t user_path, uint64_t buffer, uint64_t size) {
    if (static_cast<int64_t>(size) <= 0)
        return -EINVAL;
    // The LibOS answers for the program's /proc links (resolve() would follow them).
    char path[kPathMax], text[kPathMax];
    if (int64_t error = resolve_user_path(dirfd, user_path, path, sizeof path))
        return error;
    uint64_t length = 0;
    if (read_libos_link(path, text, sizeof text)) {
        length = strlen(text);
    } else {
        Target target;
        if (int64_t error = resolve(dirfd, user_path, target))
            return error;
        if (bsc_status status = abi().stream_read_link(target.uri, text, sizeof text, &length))
            return result_of(status);
    }
    if (length > size)
        length = size;
    return copy_to_user(buffer, text, length) ? static_cast<int64_t>(length) : -EFAULT;
}

int64_t make_directory(int dirfd, uint64_t path, uint64_t mode) {
    Target target;
    if (int64_t error = resolve(dirfd, path, target, "dir:"))
        return error;
    bsc_handle handle;
    bsc_status status = abi().stream_open(target.uri, BSC_ACCESS_READ,
                                          static_cast<uint32_t>(mode) & ~file_mode_mask & 07777,
                                          BSC_CREATE_ALWAYS, 0, &handle);
    if (status != BSC_OK)
        return result_of(status);
    abi().object_close(handle);
    return 0;
}

int64_t remove(int dirfd, uint64_t path, bool directory) {
    Target target;
    if (int64_t error = resolve(dirfd, path, target))
        return error;
    return result_of(abi().stream_delete(target.uri, directory ? BSC_DELETE_DIRECTORY : 0));
}

int64_t rename_at(int from_dir, uint64_t from, int to_dir, uint64_t to, uint64_t flags) {
    // RENAME_WHITEOUT (overlay file systems) is not supported; exchanging excludes the rest.
    if ((flags & ~uint64_t{RENAME_NOREPLACE | RENAME_EXCHANGE}) ||
        ((flags & RENAME_EXCHANGE) && (flags & RENAME_NOREPLACE)))
        return -EINVAL;
    Target source, destination;
    if (int64_t error = resolve(from_dir, from, source))
        return error;
    if (int64_t error = resolve(to_dir, to, destination))
        return error;
    uint32_t bsc_flags = (flags & RENAME_NOREPLACE ? BSC_RENAME_NOREPLACE : 0) |
                         (flags & RENAME_EXCHANGE ? BSC_RENAME_EXCHANGE : 0);
    return result_of(abi().stream_rename(source.uri, destination.uri, bsc_flags));
}

int64_t link_at(int from_dir, uint64_t from, int to_dir, uint64_t to) {
    Target source, destination;
    if (int64_t error = resolve(from_dir, from, source))
        return error;
    if (int64_t error = resolve(to_dir, to, destination))
        return error;
    return result_of(abi().stream_link(destination.uri, source.uri, BSC_LINK_HARD));
}

int64_t symlink_at(uint64_t target_text, int dirfd, uint64_t path) {
    char text[kPathMax];
    int64_t n = string_from_user(text, target_text, sizeof text);
    if (n < 0)
        return n;
    Target target;
    if (int64_t error = resolve(dirfd, path, target))
        return error;
    return result_of(abi().stream_link(target.uri, text, BSC_LINK_SYMBOLIC));
}

int64_t set_attributes(int dirfd, uint64_t path, uint32_t which, const bsc_stream_attributes &a,
                       bool follow) {
    Target target;
    if (int64_t error = resolve(dirfd, path, target))
        return error;
    return result_of(
        abi().stream_attributes_set(target.uri, follow ? 0 : BSC_QUERY_NOFOLLOW, which, &a));
}

int64_t change_owner(int dirfd, uint64_t path, uint64_t owner, uint64_t group, bool follow) {
    bsc_stream_attributes a{};
    a.owner = static_cast<uint32_t>(owner);
    a.group = static_cast<uint32_t>(group);
    uint32_t which = (a.owner != UINT32_MAX ? BSC_SET_OWNER : 0) |
                     (a.group != UINT32_MAX ? BSC_SET_GROUP : 0);
    return which ? set_attributes(dirfd, path, which, a, follow) : 0;
}

struct Statfs {
    int64_t type, block_size, blocks, free, available, files, files_free;
    int32_t fsid[2];
    int64_t name_length, fragment_size, flags, spare[4];
};

// The ABI has no file-system statistics: report a large, half-free ext4-like volume.
Statfs volume_statistics() {
    return {0xEF53, 4096, 1 << 26, 1 << 25, 1 << 25, 1 << 24, 1 << 23, {0, 0}, 255, 4096, 0, {}};
}

} // namespace

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
    bsc_stream_attributes a{};
    if (int64_t error = query_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[3], a))
        return error;
    return put_user(c.arg[2], to_stat(a)) ? 0 : -EFAULT;
}

int64_t sys_statx(Syscall &c) {
    bsc_stream_attributes a{};
    if (int64_t error = query_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], a))
        return error;
    return put_user(c.arg[4], to_statx(a)) ? 0 : -EFAULT;
}

int64_t sys_access(Syscall &c) { return access_at(AT_FDCWD, c.arg[0], c.arg[1], 0); }
int64_t sys_faccessat(Syscall &c) {
    return access_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], 0);
}
int64_t sys_faccessat2(Syscall &c) {
    // AT_EACCESS (effective ids) changes nothing: the real and effective ids are the same.
    if (c.arg[3] & ~uint64_t{AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH})
        return -EINVAL;
    return access_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}

int64_t sys_readlink(Syscall &c) { return readlink_at(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2]); }
int64_t sys_readlinkat(Syscall &c) {
    return readlink_at(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3]);
}

int64_t sys_getcwd(Syscall &c) {
    char cwd[kPathMax];
    int64_t n = get_cwd(cwd, sizeof cwd);
    if (n < 0 || static_cast<uint64_t>(n) + 1 > c.arg[1])
        return -ERANGE;
    return copy_to_user(c.arg[0], cwd, n + 1) ? n + 1 : -EFAULT;
}

int64_t sys_chdir(Syscall &c) {
    Target target;
    if (int64_t error = resolve(AT_FDCWD, c.arg[0], target))
        return error;
    bsc_stream_attributes a{};
    if (bsc_status status = abi().stream_attributes_query(target.uri, 0, &a))
        return result_of(status);
    if (a.type != BSC_TYPE_DIRECTORY)
        return -ENOTDIR;
    set_cwd(target.path);
    return 0;
}

int64_t sys_mkdir(Syscall &c) { return make_directory(AT_FDCWD, c.arg[0], c.arg[1]); }
int64_t sys_mkdirat(Syscall &c) {
    return make_directory(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2]);
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

int64_t sys_link(Syscall &c) { return link_at(AT_FDCWD, c.arg[0], AT_FDCWD, c.arg[1]); }
int64_t sys_linkat(Syscall &c) {
    return link_at(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int>(c.arg[2]), c.arg[3]);
}
int64_t sys_symlink(Syscall &c) { return symlink_at(c.arg[0], AT_FDCWD, c.arg[1]); }
int64_t sys_symlinkat(Syscall &c) {
    return symlink_at(c.arg[0], static_cast<int>(c.arg[1]), c.arg[2]);
}

int64_t sys_chmod(Syscall &c) {
    bsc_stream_attributes a{};
    a.mode = static_cast<uint32_t>(c.arg[1] & 07777);
    return set_attributes(AT_FDCWD, c.arg[0], BSC_SET_MODE, a, true);
}
int64_t sys_fchmodat(Syscall &c) {
    bsc_stream_attributes a{};
    a.mode = static_cast<uint32_t>(c.arg[2] & 07777);
    return set_attributes(static_cast<int>(c.arg[0]), c.arg[1], BSC_SET_MODE, a, true);
}

int64_t sys_chown(Syscall &c) { return change_owner(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2], true); }
int64_t sys_lchown(Syscall &c) { return change_owner(AT_FDCWD, c.arg[0], c.arg[1], c.arg[2], false); }
int64_t sys_fchownat(Syscall &c) {
    return change_owner(static_cast<int>(c.arg[0]), c.arg[1], c.arg[2], c.arg[3],
                        !(c.arg[4] & AT_SYMLINK_NOFOLLOW));
}

int64_t sys_utimensat(Syscall &c) {
    constexpr int64_t kNow = (1l << 30) - 1, kOmit = (1l << 30) - 2;
    struct Timespec {
        int64_t sec, nsec;
    } times[2] = {{0, kNow}, {0, kNow}};
    if (c.arg[2] && !copy_from_user(times, c.arg[2], sizeof times))
        return -EFAULT;
    bsc_stream_attributes a{};
    uint32_t which = 0;
    const uint32_t now_bits[2] = {BSC_SET_ACCESS_TIME_NOW, BSC_SET_MODIFY_TIME_NOW};
    const uint32_t set_bits[2] = {BSC_SET_ACCESS_TIME, BSC_SET_MODIFY_TIME};
    int64_t *fields[2] = {&a.access_time, &a.modify_time};
    for (int i = 0; i < 2; i++) {
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
    if (!which)
        return 0;
    if (!c.arg[1]) { // futimens
        FileRef file(static_cast<int>(c.arg[0]));
        if (!file)
            return -EBADF;
        return result_of(abi().stream_attributes_set_by_handle(file->handle, which, &a));
    }
    return set_attributes(static_cast<int>(c.arg[0]), c.arg[1], which, a,
                          !(c.arg[3] & AT_SYMLINK_NOFOLLOW));
}

int64_t sys_truncate(Syscall &c) {
    if (static_cast<int64_t>(c.arg[1]) < 0)
        return -EINVAL;
    Target target;
    if (int64_t error = resolve(AT_FDCWD, c.arg[0], target))
        return error;
    bsc_handle handle;
    if (bsc_status status =
            abi().stream_open(target.uri, BSC_ACCESS_WRITE, 0, BSC_CREATE_NEVER, 0, &handle))
        return result_of(status);
    bsc_status status = abi().stream_set_length(handle, c.arg[1]);
    abi().object_close(handle);
    return result_of(status);
}

int64_t sys_umask(Syscall &c) {
    uint32_t old = file_mode_mask;
    file_mode_mask = static_cast<uint32_t>(c.arg[0] & 0777);
    return old;
}

// Extended attributes do not cross the ABI: every object has none and takes none.
int64_t sys_getxattr(Syscall &) { return -EOPNOTSUPP; }
int64_t sys_lgetxattr(Syscall &) { return -EOPNOTSUPP; }
int64_t sys_fgetxattr(Syscall &) { return -EOPNOTSUPP; }
int64_t sys_listxattr(Syscall &) { return 0; }
int64_t sys_llistxattr(Syscall &) { return 0; }
int64_t sys_flistxattr(Syscall &) { return 0; }

int64_t sys_statfs(Syscall &c) {
    bsc_stream_attributes a{};
    if (int64_t error = query(AT_FDCWD, c.arg[0], true, a))
        return error;
    return put_user(c.arg[1], volume_statistics()) ? 0 : -EFAULT;
}

int64_t sys_fstatfs(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file)
        return -EBADF;
    return put_user(c.arg[1], volume_statistics()) ? 0 : -EFAULT;
}

} // namespace libos
