// SPDX-License-Identifier: MIT
// The mount family: mount (tmpfs, bind mounts, remounting with flags) and umount2 (its
// flags: MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW), their errors in the kernel's order.
// Mounting needs CAP_SYS_ADMIN: without it a test checks the EPERM and the errors Linux
// gives before it. The mount points lie in directories made under /tmp (not in the test's
// scratch directory, which one stack puts in an fs-translate overlay).
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static int privileged(void) { return check_capable(CAP_SYS_ADMIN) == 1; }

static void make_dir(char *dir) { CHECK(mkdtemp(dir) != NULL); }

static void path_in(char *out, size_t size, const char *dir, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}


TEST(mount_tmpfs_then_umount) {
    char dir[] = "/tmp/syscalls-mount-XXXXXX", file[64];
    make_dir(dir);
    if (!privileged()) {
        CHECK_ERR(mount("none", dir, "tmpfs", 0, NULL), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    CHECK_OK(mount("none", dir, "tmpfs", 0, "mode=0750,size=1m"));
    CHECK_EQ(check_mounted(dir, "tmpfs"), 1);
    struct stat st;
    CHECK_OK(stat(dir, &st));
    CHECK_EQ(st.st_mode & 07777, 0750);
    struct statfs fs; // statfs sees the new file system
    CHECK_OK(statfs(dir, &fs));
    CHECK_EQ(fs.f_type, TMPFS_MAGIC);
    CHECK_EQ(fs.f_blocks * fs.f_bsize, 1 << 20);
    path_in(file, sizeof file, dir, "f");
    check_write_file(file, "hello");
    int fd = CHECK_OK(open(file, O_RDONLY));
    CHECK_OK(fstatfs(fd, &fs));
    CHECK_EQ(fs.f_type, TMPFS_MAGIC);
    CHECK_OK(close(fd));
    char text[16];
    CHECK_EQ(check_read_file(file, text, sizeof text), 5);
    CHECK_OK(umount2(dir, 0));
    CHECK_EQ(check_mounted(dir, "tmpfs"), 0);
    CHECK_ERR(stat(file, &st), ENOENT); // it was in the file system that went
    CHECK_OK(rmdir(dir));
}

TEST(mount_errors_in_the_kernels_order) {
    char dir[] = "/tmp/syscalls-mount-XXXXXX";
    make_dir(dir);
    // The strings are copied first, then the target is looked up, then the privilege.
    CHECK_ERR(mount("none", dir, BAD_PTR, 0, NULL), EFAULT);
    CHECK_ERR(mount(BAD_PTR, dir, "tmpfs", 0, NULL), EFAULT);
    CHECK_ERR(mount("none", dir, "tmpfs", 0, BAD_PTR), EFAULT);
    CHECK_ERR(mount("none", BAD_PTR, "tmpfs", 0, NULL), EFAULT);
    CHECK_ERR(mount("none", "/nonexistent-syscalls-mount/a", "tmpfs", 0, NULL), ENOENT);
    if (!privileged()) {
        CHECK_ERR(mount("none", dir, "no-such-file-system", 0, NULL), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    CHECK_ERR(mount("none", dir, "no-such-file-system", 0, NULL), ENODEV);
    CHECK_ERR(mount("none", dir, "", 0, NULL), ENODEV);
    CHECK_ERR(mount("/dev/null", dir, "ext2", 0, NULL), ENOTBLK); // not a block device
    CHECK_ERR(mount("/nonexistent-syscalls-device", dir, "ext2", 0, NULL), ENOENT);
    CHECK_ERR(mount(NULL, dir, NULL, MS_REMOUNT, NULL), EINVAL); // not a mount point
    CHECK_OK(rmdir(dir));
}

TEST(mount_bind_and_read_only_remount) {
    if (!privileged())
        return;
    char from[] = "/tmp/syscalls-mount-XXXXXX", to[] = "/tmp/syscalls-mount-XXXXXX";
    char path[64], text[16];
    make_dir(from);
    make_dir(to);
    path_in(path, sizeof path, from, "f");
    check_write_file(path, "bound");
    CHECK_OK(mount(from, to, NULL, MS_BIND, NULL));
    path_in(path, sizeof path, to, "f");
    CHECK_EQ(check_read_file(path, text, sizeof text), 5);
    CHECK_STR(text, "bound");
    // Read-only through the bind mount alone.
    CHECK_OK(mount(NULL, to, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    path_in(path, sizeof path, to, "g");
    CHECK_ERR(open(path, O_WRONLY | O_CREAT, 0600), EROFS);
    path_in(path, sizeof path, from, "g");
    check_write_file(path, "");
    CHECK_OK(umount2(to, 0));
    path_in(path, sizeof path, to, "f");
    CHECK_ERR(access(path, F_OK), ENOENT);
    path_in(path, sizeof path, from, "f");
    CHECK_OK(unlink(path));
    path_in(path, sizeof path, from, "g");
    CHECK_OK(unlink(path));
    CHECK_OK(rmdir(from));
    CHECK_OK(rmdir(to));
}

TEST(mount_read_only_then_remount_writable) {
    if (!privileged())
        return;
    char dir[] = "/tmp/syscalls-mount-XXXXXX", path[64];
    make_dir(dir);
    CHECK_OK(mount("none", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL));
    struct statfs fs;
    CHECK_OK(statfs(dir, &fs));
    CHECK_EQ(fs.f_flags & (ST_RDONLY | ST_NOSUID | ST_NODEV), ST_RDONLY | ST_NOSUID | ST_NODEV);
    path_in(path, sizeof path, dir, "f");
    CHECK_ERR(open(path, O_WRONLY | O_CREAT, 0600), EROFS);
    CHECK_ERR(mkdir(path, 0700), EROFS);
    CHECK_OK(mount("none", dir, "tmpfs", MS_REMOUNT, NULL));
    CHECK_OK(statfs(dir, &fs));
    CHECK_EQ(fs.f_flags & ST_RDONLY, 0);
    check_write_file(path, "now");
    CHECK_OK(umount2(dir, 0));
    CHECK_OK(rmdir(dir));
}

// access() reports the mount's restrictions: W_OK on a read-only one is EROFS but for a
// FIFO (a special file), X_OK on a regular file of a noexec one EACCES (a directory is
// still searched), whatever the mode bits say.
TEST(access_on_read_only_and_noexec_mounts) {
    if (!privileged())
        return;
    char dir[] = "/tmp/syscalls-mount-XXXXXX", file[64], fifo[64], sub[64];
    make_dir(dir);
    CHECK_OK(mount("none", dir, "tmpfs", 0, NULL));
    path_in(file, sizeof file, dir, "f");
    path_in(fifo, sizeof fifo, dir, "p");
    path_in(sub, sizeof sub, dir, "d");
    check_write_file(file, "#!/bin/sh\n");
    CHECK_OK(chmod(file, 0755));
    CHECK_OK(mkfifo(fifo, 0666));
    CHECK_OK(mkdir(sub, 0755));
    CHECK_OK(access(file, W_OK | X_OK));
    CHECK_OK(mount("none", dir, "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOEXEC, NULL));
    CHECK_ERR(access(file, W_OK), EROFS);
    CHECK_ERR(access(sub, W_OK), EROFS);
    CHECK_OK(access(fifo, W_OK));
    CHECK_ERR(access(file, X_OK), EACCES);
    CHECK_ERR(faccessat(AT_FDCWD, file, R_OK | X_OK, AT_EACCESS), EACCES);
    CHECK_OK(access(sub, X_OK));
    CHECK_OK(access(file, R_OK));
    CHECK_OK(mount("none", dir, "tmpfs", MS_REMOUNT, NULL));
    CHECK_OK(access(file, W_OK | X_OK));
    CHECK_OK(umount2(dir, 0));
    CHECK_OK(rmdir(dir));
}

TEST(umount2_flags_and_errors) {
    char dir[] = "/tmp/syscalls-mount-XXXXXX", path[64], link[80];
    make_dir(dir);
    CHECK_ERR(umount2(dir, 0x100), EINVAL); // an unknown flag, before anything else
    CHECK_ERR(umount2("/nonexistent-syscalls-mount", 0), ENOENT);
    CHECK_ERR(umount2(BAD_PTR, 0), EFAULT);
    if (!privileged()) {
        CHECK_ERR(umount2(dir, 0), EPERM);
        CHECK_OK(rmdir(dir));
        return;
    }
    CHECK_ERR(umount2(dir, 0), EINVAL); // not a mount point
    CHECK_OK(mount("none", dir, "tmpfs", 0, NULL));
    path_in(path, sizeof path, dir, "f");
    int fd = CHECK_OK(open(path, O_RDWR | O_CREAT, 0600));
    CHECK_EQ(write(fd, "kept", 4), 4);
    CHECK_ERR(umount2(dir, 0), EBUSY); // a file is open in it
    CHECK_ERR(umount2(dir, MNT_EXPIRE | MNT_DETACH), EINVAL);
    snprintf(link, sizeof link, "%s-link", dir);
    CHECK_OK(symlink(dir, link));
    CHECK_ERR(umount2(link, UMOUNT_NOFOLLOW), EINVAL); // the link is no mount point
    CHECK_OK(umount2(dir, MNT_DETACH)); // detached now, gone when the file closes
    char text[8] = {0};
    CHECK_EQ(pread(fd, text, 4, 0), 4);
    CHECK_STR(text, "kept");
    CHECK_OK(close(fd));
    CHECK_ERR(access(path, F_OK), ENOENT);
    // MNT_EXPIRE: the first call marks the mount (EAGAIN), the second removes it.
    CHECK_OK(mount("none", link, "tmpfs", 0, NULL)); // the target's link is followed
    CHECK_ERR(umount2(dir, MNT_EXPIRE), EAGAIN);
    CHECK_OK(umount2(dir, MNT_EXPIRE));
    CHECK_OK(unlink(link));
    CHECK_OK(rmdir(dir));
}

// An overlay's layers named by relative paths are looked up from the caller's working
// directory, a list of lower layers element by element (LTP's overlay tests mount so).
TEST(mount_overlay_with_relative_layers) {
    char dir[] = "/tmp/syscalls-mount-XXXXXX";
    make_dir(dir);
    int back = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(chdir(dir));
    const char *const dirs[] = {"low1", "low2", "up", "work", "merged"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        CHECK_OK(mkdir(dirs[i], 0755));
    check_write_file("low1/a", "first");
    check_write_file("low2/b", "second");
    const char *options = "lowerdir=low1:low2,upperdir=up,workdir=work";
    if (!privileged()) {
        CHECK_ERR(mount("overlay", "merged", "overlay", 0, options), EPERM);
    } else if (mount("overlay", "merged", "overlay", 0, options) == 0) {
        char text[16] = {0};
        CHECK(check_read_file("merged/a", text, sizeof text) == 5);
        CHECK_STR(text, "first");
        CHECK(check_read_file("merged/b", text, sizeof text) == 6);
        check_write_file("merged/c", "upper");
        CHECK_OK(access("up/c", F_OK)); // written to the upper layer
        char merged[64];
        path_in(merged, sizeof merged, dir, "merged");
        CHECK_EQ(check_mounted(merged, "overlay"), 1);
        CHECK_OK(umount2("merged", 0));
        // A missing relative layer is ENOENT, an unreadable option page EFAULT, an
        // unknown umount2 flag EINVAL.
        CHECK_ERR(mount("overlay", "merged", "overlay", 0,
                        "lowerdir=missing,upperdir=up,workdir=work"), ENOENT);
        CHECK_ERR(mount("overlay", "merged", "overlay", 0, BAD_PTR), EFAULT);
        CHECK_ERR(umount2("merged", 0x100), EINVAL);
    } else {
        CHECK_EQ(errno, ENODEV); // a kernel without overlayfs
    }
    // Emptied again (the overlay left work/work behind), then removed.
    const char *const files[] = {"low1/a", "low2/b", "up/c"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        unlink(files[i]);
    rmdir("work/work");
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        CHECK_OK(rmdir(dirs[i]));
    CHECK_OK(fchdir(back));
    close(back);
    CHECK_OK(rmdir(dir));
}

TEST(statfs_reports_each_file_system) {
    struct statfs fs;
    CHECK_OK(statfs("/proc", &fs));
    CHECK_EQ(fs.f_type, PROC_SUPER_MAGIC);
    CHECK_OK(statfs("/proc/self/status", &fs)); // a file the LibOS generates
    CHECK_EQ(fs.f_type, PROC_SUPER_MAGIC);
    int fd = CHECK_OK(open("/proc", O_PATH));
    CHECK_OK(fstatfs(fd, &fs)); // an O_PATH descriptor is enough
    CHECK_EQ(fs.f_type, PROC_SUPER_MAGIC);
    CHECK_OK(close(fd));
    fd = CHECK_OK(eventfd(0, 0)); // the anonymous-inode file system
    CHECK_OK(fstatfs(fd, &fs));
    CHECK_EQ(fs.f_type, ANON_INODE_FS_MAGIC);
    CHECK_EQ(fs.f_bsize, 4096);
    CHECK_EQ(fs.f_namelen, 255);
    CHECK_OK(close(fd));
    CHECK_ERR(statfs("/nonexistent-syscalls-mount", &fs), ENOENT);
    CHECK_ERR(statfs(BAD_PTR, &fs), EFAULT);
}

// sysfs: the kernel's file system types numbered in /proc/filesystems's order.
TEST(sysfs_options_and_edges) {
    char text[8192];
    ssize_t length = check_read_file("/proc/filesystems", text, sizeof text);
    CHECK(length > 0);
    long count = 0;
    for (char *line = text; *line; count++) {
        char *end = strchr(line, '\n'), *name = strchr(line, '\t') + 1;
        *end = 0;
        char back[256] = {0};
        CHECK_EQ(syscall(SYS_sysfs, 1, name), count);
        CHECK_OK(syscall(SYS_sysfs, 2, count, back));
        CHECK_STR(back, name);
        line = end + 1;
    }
    CHECK_EQ(syscall(SYS_sysfs, 3), count);
    char name[256];
    CHECK_ERR(syscall(SYS_sysfs, 1, "no-such-file-system"), EINVAL);
    CHECK_ERR(syscall(SYS_sysfs, 1, ""), ENOENT);
    CHECK_ERR(syscall(SYS_sysfs, 1, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sysfs, 2, count, name), EINVAL);
    CHECK_ERR(syscall(SYS_sysfs, 2, 0xffffffffUL, name), EINVAL);
    CHECK_ERR(syscall(SYS_sysfs, 2, 0, BAD_PTR), EFAULT);
    // The index is an unsigned int: its upper half does not count.
    CHECK_OK(syscall(SYS_sysfs, 2, 1UL << 32, name));
    CHECK_ERR(syscall(SYS_sysfs, 0), EINVAL);
    CHECK_ERR(syscall(SYS_sysfs, 4), EINVAL);
    CHECK_ERR(syscall(SYS_sysfs, -1), EINVAL);
}
