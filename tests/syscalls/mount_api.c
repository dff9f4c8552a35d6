// SPDX-License-Identifier: MIT
// The new mount API: fsopen, fsconfig, fsmount and move_mount to mount a tmpfs, open_tree's
// clone and mount_setattr to make a read-only bind mount, fspick to reconfigure one, and
// each call's errors in the kernel's order (EBADF, EFAULT, EINVAL flags, ENOENT, E2BIG).
// Mounting needs CAP_SYS_ADMIN: without it a test checks the EPERM. The mount points lie in
// directories made under /tmp (not in the test's scratch directory, which one stack puts
// in an fs-translate overlay).
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FSCONFIG_CMD_CREATE_EXCL
#define FSCONFIG_CMD_CREATE_EXCL 8
#endif

static int privileged(void) { return check_capable(CAP_SYS_ADMIN) == 1; }

static int fs_open(const char *name, unsigned flags) {
    return (int)syscall(SYS_fsopen, name, flags);
}
static int fs_config(int fd, unsigned cmd, const void *key, const void *value, int aux) {
    return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static int fs_mount(int fd, unsigned flags, unsigned attributes) {
    return (int)syscall(SYS_fsmount, fd, flags, attributes);
}
static int move(int from_fd, const void *from, int to_fd, const void *to, unsigned flags) {
    return (int)syscall(SYS_move_mount, from_fd, from, to_fd, to, flags);
}
static int tree_open(int fd, const void *path, unsigned flags) {
    return (int)syscall(SYS_open_tree, fd, path, flags);
}
static int fs_pick(int fd, const void *path, unsigned flags) {
    return (int)syscall(SYS_fspick, fd, path, flags);
}
static int set_attributes(int fd, const void *path, unsigned flags, const void *attr,
                          size_t size) {
    return (int)syscall(SYS_mount_setattr, fd, path, flags, attr, size);
}

static void make_dir(char *dir) { CHECK(mkdtemp(dir) != NULL); }


// A created tmpfs context of 1 MiB: its descriptor.
static int created_tmpfs(void) {
    int fd = CHECK_OK(fs_open("tmpfs", FSOPEN_CLOEXEC));
    CHECK_OK(fs_config(fd, FSCONFIG_SET_STRING, "size", "1m", 0));
    CHECK_OK(fs_config(fd, FSCONFIG_SET_STRING, "mode", "0750", 0));
    CHECK_OK(fs_config(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0));
    return fd;
}

TEST(fsopen_fsmount_move_mount_tmpfs) {
    char dir[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(dir);
    if (!privileged()) {
        CHECK_ERR(fs_open("tmpfs", 0), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    int fd = created_tmpfs();
    CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    int mfd = CHECK_OK(fs_mount(fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID));
    CHECK_OK(close(fd));
    struct stat st; // the detached mount's root, by its descriptor
    CHECK_OK(fstat(mfd, &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0750);
    CHECK_EQ(check_mounted(dir, "tmpfs"), 0);
    CHECK_OK(move(mfd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH));
    CHECK_OK(close(mfd));
    CHECK_EQ(check_mounted(dir, "tmpfs"), 1);
    struct statvfs vfs;
    CHECK_OK(statvfs(dir, &vfs));
    CHECK_EQ(vfs.f_flag & (ST_NOEXEC | ST_NOSUID | ST_RDONLY), ST_NOEXEC | ST_NOSUID);
    CHECK_EQ(vfs.f_blocks * vfs.f_frsize, 1 << 20);
    CHECK_OK(umount2(dir, 0));
    CHECK_OK(rmdir(dir));
}

TEST(fsopen_errors) {
    if (!privileged()) {
        CHECK_ERR(fs_open("tmpfs", 0x10), EPERM); // the privilege comes first
        return;
    }
    CHECK_ERR(fs_open("tmpfs", 0x10), EINVAL);
    CHECK_ERR(fs_open(BAD_PTR, 0), EFAULT);
    CHECK_ERR(fs_open("no-such-file-system", 0), ENODEV);
    CHECK_ERR(fs_open("", 0), ENODEV);
}

TEST(fsconfig_errors_and_messages) {
    if (!privileged())
        return;
    int fd = CHECK_OK(fs_open("tmpfs", 0));
    CHECK_ERR(fs_config(-1, FSCONFIG_SET_FLAG, "ro", NULL, 0), EINVAL); // before the fd
    CHECK_ERR(fs_config(fd, 100, "ro", NULL, 0), EOPNOTSUPP);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FLAG, NULL, NULL, 0), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FLAG, "ro", "x", 0), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_STRING, "size", NULL, 0), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_BINARY, "size", "x", 0), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_PATH, "source", "/", -5), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FD, "source", NULL, -1), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_CMD_CREATE, "x", NULL, 0), EINVAL);
    CHECK_ERR(fs_config(900, FSCONFIG_SET_FLAG, "ro", NULL, 0), EBADF);
    int other = CHECK_OK(eventfd(0, 0)); // not a context
    CHECK_ERR(fs_config(other, FSCONFIG_SET_FLAG, "ro", NULL, 0), EINVAL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FLAG, BAD_PTR, NULL, 0), EFAULT);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_STRING, "size", BAD_PTR, 0), EFAULT);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FD, "source", NULL, 900), EBADF);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_PATH, "source", BAD_PTR, AT_FDCWD), EFAULT);
    // The file system's own answer, and its message in the context's log.
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_FLAG, "no-such-key", NULL, 0), EINVAL);
    char log[256] = {0};
    CHECK(read(fd, log, sizeof log - 1) > 0);
    CHECK(strstr(log, "no-such-key") != NULL);
    CHECK_ERR(fs_config(fd, FSCONFIG_SET_STRING, "size", "many", 0), EINVAL);
    CHECK_OK(fs_config(fd, FSCONFIG_CMD_CREATE_EXCL, NULL, NULL, 0)); // a tmpfs is always new
    CHECK_OK(close(other));
    CHECK_OK(close(fd));
}

TEST(fsmount_errors) {
    if (!privileged()) {
        CHECK_ERR(fs_mount(900, 0, 0), EPERM);
        return;
    }
    int fd = CHECK_OK(fs_open("tmpfs", 0));
    CHECK_ERR(fs_mount(900, 0x80000000, 0), EINVAL); // the flags before the descriptor
    CHECK_ERR(fs_mount(900, 0, 0x100), EINVAL);
    CHECK_ERR(fs_mount(900, 0, MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME), EINVAL);
    CHECK_ERR(fs_mount(900, FSMOUNT_CLOEXEC, 0), EBADF);
    CHECK_ERR(fs_mount(fd, 0, 0), EINVAL); // not created yet
    int other = CHECK_OK(eventfd(0, 0));
    CHECK_ERR(fs_mount(other, 0, 0), EINVAL);
    CHECK_OK(close(other));
    CHECK_OK(close(fd));
}

TEST(move_mount_errors) {
    char dir[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(dir);
    if (!privileged()) {
        CHECK_ERR(move(AT_FDCWD, dir, AT_FDCWD, dir, 0), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    int fd = created_tmpfs();
    int mfd = CHECK_OK(fs_mount(fd, 0, 0));
    CHECK_ERR(move(mfd, "", AT_FDCWD, dir, 0x08), EINVAL);
    CHECK_ERR(move(900, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH), EBADF);
    CHECK_ERR(move(mfd, "", AT_FDCWD, dir, 0), ENOENT); // an empty path without the flag
    CHECK_ERR(move(mfd, "missing", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH), ENOENT);
    CHECK_ERR(move(mfd, BAD_PTR, AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH), EFAULT);
    CHECK_ERR(move(mfd, "", AT_FDCWD, "/tmp/syscalls-mount-api-missing/x",
                   MOVE_MOUNT_F_EMPTY_PATH), ENOENT);
    CHECK_ERR(move(mfd, "", 900, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH), EBADF);
    CHECK_EQ(check_mounted(dir, "tmpfs"), 0);
    CHECK_OK(close(mfd));
    CHECK_OK(close(fd));
    CHECK_OK(rmdir(dir));
}

// open_tree's clone of a tmpfs, made read-only by mount_setattr before it is attached:
// the new mount shows the same files, read-only, and the original stays writable.
TEST(open_tree_clone_mount_setattr) {
    char a[] = "/tmp/syscalls-mount-api-XXXXXX", b[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(a);
    make_dir(b);
    if (!privileged()) {
        CHECK_ERR(tree_open(AT_FDCWD, a, OPEN_TREE_CLONE), EPERM);
        CHECK_OK(rmdir(a));
        CHECK_OK(rmdir(b));
        return;
    }
    CHECK_OK(mount("none", a, "tmpfs", 0, "size=1m"));
    char file[96];
    snprintf(file, sizeof file, "%s/f", a);
    check_write_file(file, "hello");
    int tree = CHECK_OK(tree_open(AT_FDCWD, a, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    CHECK_EQ(fcntl(tree, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    CHECK_OK(set_attributes(tree, "", AT_EMPTY_PATH, &attr, sizeof attr));
    CHECK_OK(move(tree, "", AT_FDCWD, b, MOVE_MOUNT_F_EMPTY_PATH));
    CHECK_OK(close(tree));
    struct statvfs vfs;
    CHECK_OK(statvfs(b, &vfs));
    CHECK_EQ(vfs.f_flag & ST_RDONLY, ST_RDONLY);
    CHECK_OK(statvfs(a, &vfs));
    CHECK_EQ(vfs.f_flag & ST_RDONLY, 0);
    char text[16] = {0};
    snprintf(file, sizeof file, "%s/f", b);
    CHECK_EQ(check_read_file(file, text, sizeof text), 5);
    CHECK_ERR(open(file, O_WRONLY), EROFS);
    // Back to writable, by path this time.
    struct mount_attr clear = {.attr_clr = MOUNT_ATTR_RDONLY};
    CHECK_OK(set_attributes(AT_FDCWD, b, 0, &clear, sizeof clear));
    CHECK_OK(statvfs(b, &vfs));
    CHECK_EQ(vfs.f_flag & ST_RDONLY, 0);
    CHECK_OK(umount2(b, 0));
    CHECK_OK(umount2(a, 0));
    CHECK_OK(rmdir(a));
    CHECK_OK(rmdir(b));
}

TEST(open_tree_errors_and_path_descriptor) {
    char dir[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(dir);
    CHECK_ERR(tree_open(AT_FDCWD, dir, 0xFFFFFFFF), EINVAL);
    CHECK_ERR(tree_open(AT_FDCWD, dir, AT_RECURSIVE), EINVAL); // only with a clone
    CHECK_ERR(tree_open(900, "relative", 0), EBADF);
    CHECK_ERR(tree_open(AT_FDCWD, "/tmp/syscalls-mount-api-missing", 0), ENOENT);
    CHECK_ERR(tree_open(AT_FDCWD, BAD_PTR, 0), EFAULT);
    int fd = CHECK_OK(tree_open(AT_FDCWD, dir, OPEN_TREE_CLOEXEC)); // an O_PATH descriptor
    CHECK_EQ(fcntl(fd, F_GETFL) & O_PATH, O_PATH);
    CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    char byte;
    CHECK_ERR(read(fd, &byte, 1), EBADF);
    CHECK_OK(close(fd));
    if (privileged()) {
        CHECK_ERR(tree_open(900, "", AT_EMPTY_PATH | OPEN_TREE_CLONE), EBADF);
        CHECK_ERR(tree_open(AT_FDCWD, "/tmp/syscalls-mount-api-missing", OPEN_TREE_CLONE),
                  ENOENT);
    }
    CHECK_OK(rmdir(dir));
}

TEST(mount_setattr_errors) {
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    const char *missing = "/tmp/syscalls-mount-api-missing";
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0x1, &attr, sizeof attr), EINVAL);
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &attr, 4097), E2BIG);
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &attr, 24), EINVAL);
    if (!privileged()) {
        CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &attr, sizeof attr), EPERM);
        return;
    }
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, BAD_PTR, sizeof attr), EFAULT);
    struct {
        struct mount_attr attr;
        uint64_t tail;
    } longer = {.attr = {.attr_set = MOUNT_ATTR_RDONLY}, .tail = 1};
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &longer, sizeof longer), E2BIG);
    struct mount_attr nothing = {0}; // nothing to do: not even the path is looked up
    CHECK_OK(set_attributes(AT_FDCWD, missing, 0, &nothing, sizeof nothing));
    struct mount_attr two = {.propagation = MS_SHARED | MS_PRIVATE};
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &two, sizeof two), EINVAL);
    struct mount_attr atime = {.attr_set = MOUNT_ATTR_NOATIME}; // without clearing __ATIME
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &atime, sizeof atime), EINVAL);
    struct mount_attr unknown = {.attr_set = 0x1000};
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &unknown, sizeof unknown), EINVAL);
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &attr, sizeof attr), ENOENT);
    CHECK_ERR(set_attributes(900, "", AT_EMPTY_PATH, &attr, sizeof attr), EBADF);
    longer.tail = 0; // a longer struct ending in zeros is taken
    CHECK_ERR(set_attributes(AT_FDCWD, missing, 0, &longer, sizeof longer), ENOENT);
}

// fspick a mounted tmpfs and reconfigure it read-only.
TEST(fspick_reconfigure) {
    char dir[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(dir);
    if (!privileged()) {
        CHECK_ERR(fs_pick(AT_FDCWD, dir, 0), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    CHECK_ERR(fs_pick(AT_FDCWD, dir, 0x10), EINVAL);
    CHECK_ERR(fs_pick(900, "relative", 0), EBADF);
    CHECK_ERR(fs_pick(AT_FDCWD, "/tmp/syscalls-mount-api-missing", 0), ENOENT);
    CHECK_ERR(fs_pick(AT_FDCWD, BAD_PTR, 0), EFAULT);
    CHECK_OK(mount("none", dir, "tmpfs", 0, "size=1m"));
    char sub[96];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    CHECK_OK(mkdir(sub, 0755));
    CHECK_ERR(fs_pick(AT_FDCWD, sub, 0), EINVAL); // not the root of a mount
    int fd = CHECK_OK(fs_pick(AT_FDCWD, dir, FSPICK_CLOEXEC));
    CHECK_OK(fs_config(fd, FSCONFIG_SET_FLAG, "ro", NULL, 0));
    CHECK_OK(fs_config(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
    CHECK_ERR(fs_mount(fd, 0, 0), EBUSY); // a picked context makes no new mount
    CHECK_OK(close(fd));
    struct statvfs vfs;
    CHECK_OK(statvfs(dir, &vfs));
    CHECK_EQ(vfs.f_flag & ST_RDONLY, ST_RDONLY);
    int dirfd = CHECK_OK(open(dir, O_RDONLY | O_DIRECTORY)); // by descriptor
    fd = CHECK_OK(fs_pick(dirfd, "", FSPICK_EMPTY_PATH));
    CHECK_OK(fs_config(fd, FSCONFIG_SET_FLAG, "rw", NULL, 0));
    CHECK_OK(fs_config(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0));
    CHECK_OK(close(fd));
    CHECK_OK(close(dirfd));
    CHECK_OK(statvfs(dir, &vfs));
    CHECK_EQ(vfs.f_flag & ST_RDONLY, 0);
    CHECK_OK(rmdir(sub));
    CHECK_OK(umount2(dir, 0));
    CHECK_OK(rmdir(dir));
}

// statmount and listmount (Linux 6.8), which the build's headers may not have.
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#define STATMOUNT_SB_BASIC_ 0x1U
#define STATMOUNT_MNT_BASIC_ 0x2U
#define STATMOUNT_MNT_POINT_ 0x10U
#define STATMOUNT_FS_TYPE_ 0x20U
#define LSMT_ROOT_ 0xffffffffffffffffULL
struct id_request {
    uint32_t size, spare;
    uint64_t mnt_id, param;
};
struct mount_status { // struct statmount's fields of Linux 6.8
    uint32_t size, mnt_opts;
    uint64_t mask;
    uint32_t sb_dev_major, sb_dev_minor;
    uint64_t sb_magic;
    uint32_t sb_flags, fs_type;
    uint64_t mnt_id, mnt_parent_id;
    uint32_t mnt_id_old, mnt_parent_id_old;
    uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
    uint32_t mnt_root, mnt_point;
    uint64_t mnt_ns_id;
    uint64_t spare2[49];
    char str[];
};

static long stat_mount(const void *request, void *buffer, size_t size, unsigned flags) {
    return syscall(457, request, buffer, size, flags);
}
static long list_mounts(const void *request, uint64_t *ids, size_t count, unsigned flags) {
    return syscall(458, request, ids, count, flags);
}

// The mount id of `path` of the kind `mask` asks for (STATX_MNT_ID or _UNIQUE).
static uint64_t mount_id(const char *path, unsigned mask) {
    struct statx sx;
    CHECK_OK(statx(AT_FDCWD, path, 0, mask, &sx));
    CHECK_EQ(sx.stx_mask & (STATX_MNT_ID | STATX_MNT_ID_UNIQUE), mask);
    return sx.stx_mnt_id;
}

// Whether /proc/self/mountinfo has a line of mount `id` on `dir`.
static int mountinfo_has(uint64_t id, const char *dir) {
    static char text[1 << 16];
    if (check_read_file("/proc/self/mountinfo", text, sizeof text) < 0)
        return -1;
    char wanted[256];
    snprintf(wanted, sizeof wanted, "\n%llu ", (unsigned long long)id);
    const char *line = strstr(text, wanted);
    if (!line && strncmp(text, wanted + 1, strlen(wanted + 1)) == 0)
        line = text - 1;
    if (!line)
        return 0;
    const char *end = strchr(line + 1, '\n');
    snprintf(wanted, sizeof wanted, " %s ", dir);
    const char *at = strstr(line + 1, wanted);
    return at && (!end || at < end);
}

// A tmpfs's ids agree across statx, statmount, listmount and /proc/self/mountinfo.
TEST(statmount_listmount_ids_agree) {
    char dir[] = "/tmp/syscalls-mount-api-XXXXXX";
    make_dir(dir);
    if (!privileged()) {
        CHECK_OK(rmdir(dir));
        return;
    }
    CHECK_OK(mount("none", dir, "tmpfs", MS_NOSUID, "size=1m"));
    uint64_t unique = mount_id(dir, STATX_MNT_ID_UNIQUE), old = mount_id(dir, STATX_MNT_ID);
    CHECK(unique > (1ULL << 31));
    CHECK_EQ(mountinfo_has(old, dir), 1);
    struct id_request request = {.size = sizeof request, .mnt_id = unique,
                                 .param = STATMOUNT_SB_BASIC_ | STATMOUNT_MNT_BASIC_ |
                                          STATMOUNT_MNT_POINT_ | STATMOUNT_FS_TYPE_};
    static union {
        struct mount_status status;
        char bytes[4096];
    } buffer;
    memset(&buffer, 0xff, sizeof buffer);
    CHECK_OK(stat_mount(&request, &buffer, sizeof buffer, 0));
    struct mount_status *st = &buffer.status;
    CHECK_EQ(st->mask & request.param, request.param);
    CHECK(st->size > sizeof *st && st->size < sizeof buffer);
    CHECK_EQ(st->mnt_id, unique);
    CHECK_EQ(st->mnt_id_old, old);
    CHECK_EQ(st->sb_magic, 0x01021994); // TMPFS_MAGIC
    CHECK_EQ(st->mnt_attr & MOUNT_ATTR_NOSUID, MOUNT_ATTR_NOSUID);
    CHECK_STR(st->str + st->fs_type, "tmpfs");
    CHECK_STR(st->str + st->mnt_point, dir);
    // Its parent lists it.
    uint64_t ids[256];
    struct id_request parent = {.size = sizeof parent, .mnt_id = st->mnt_parent_id};
    long n = CHECK_OK(list_mounts(&parent, ids, 256, 0));
    int listed = 0;
    for (long i = 0; i < n; i++)
        listed |= ids[i] == unique;
    CHECK_EQ(listed, 1);
    CHECK_EQ(list_mounts(&parent, ids, 0, 0), 0);
    // Too small a buffer for the strings.
    CHECK_ERR(stat_mount(&request, &buffer, sizeof buffer.status + 2, 0), EOVERFLOW);
    CHECK_OK(umount2(dir, 0));
    CHECK_ERR(stat_mount(&request, &buffer, sizeof buffer, 0), ENOENT); // gone
    CHECK_OK(rmdir(dir));
}

TEST(statmount_listmount_errors) {
    static char buffer[4096];
    uint64_t ids[4];
    struct id_request request = {.size = sizeof request, .mnt_id = LSMT_ROOT_};
    CHECK_ERR(stat_mount(&request, buffer, sizeof buffer, 1), EINVAL);
    CHECK_ERR(list_mounts(&request, ids, 4, 2), EINVAL);
    CHECK_ERR(stat_mount(BAD_PTR, buffer, sizeof buffer, 0), EFAULT);
    CHECK_ERR(list_mounts(BAD_PTR, ids, 4, 0), EFAULT);
    CHECK_ERR(list_mounts(&request, ids, 1ULL << 40, 0), EOVERFLOW);
    request.size = 16;
    CHECK_ERR(stat_mount(&request, buffer, sizeof buffer, 0), EINVAL);
    request.size = 4097;
    CHECK_ERR(stat_mount(&request, buffer, sizeof buffer, 0), E2BIG);
    struct {
        struct id_request request;
        uint64_t namespace_id, tail;
    } longer = {{.size = sizeof longer, .mnt_id = LSMT_ROOT_}, 0, 1};
    CHECK_ERR(list_mounts(&longer, ids, 4, 0), E2BIG);
    request.size = sizeof request;
    request.mnt_id = 5; // an old id
    CHECK_ERR(stat_mount(&request, buffer, sizeof buffer, 0), EINVAL);
    request.mnt_id = (1ULL << 31) + (1ULL << 40); // no such mount
    CHECK_ERR(stat_mount(&request, buffer, sizeof buffer, 0), ENOENT);
}
