// SPDX-License-Identifier: MIT
// chroot: the lookup's errors (in the kernel's order: the path, search permission, then
// the privilege), and, in a child that holds CAP_SYS_CHROOT, the root it sets: absolute
// paths, absolute link texts and ".." stay below it; getcwd shows a working directory left
// outside it as "(unreachable)"; fork keeps it.
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


static ino_t inode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

TEST(chroot_lookup_errors) {
    check_write_file("file", "x");
    CHECK_OK(symlink("loop2/", "loop1"));
    CHECK_OK(symlink("loop1/", "loop2"));
    char long_name[PATH_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    CHECK_ERR(chroot("missing"), ENOENT);
    CHECK_ERR(chroot("file"), ENOTDIR);
    CHECK_ERR(chroot("file/"), ENOTDIR);
    CHECK_ERR(syscall(SYS_chroot, BAD_PTR), EFAULT);
    CHECK_ERR(chroot(long_name), ENAMETOOLONG);
    CHECK_ERR(chroot("loop1"), ELOOP);
    CHECK_ERR(chroot(""), ENOENT);
}

static void chroot_as_nobody(void) {
    CHECK_ERR(chroot("nosearch"), EACCES); // search permission before the privilege
    CHECK_ERR(chroot("."), EPERM);
    CHECK_ERR(chroot("missing"), ENOENT);
}

// Root without CAP_SYS_CHROOT in its effective set: EPERM, after the lookup's errors.
static void chroot_without_the_capability(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    CHECK_OK(syscall(SYS_capget, &header, data));
    data[0].effective &= ~(1u << CAP_SYS_CHROOT);
    CHECK_OK(syscall(SYS_capset, &header, data));
    CHECK_EQ(check_capable(CAP_SYS_CHROOT), 0);
    CHECK_ERR(chroot("."), EPERM);
    CHECK_ERR(chroot("missing"), ENOENT);
    CHECK_ERR(syscall(SYS_chroot, BAD_PTR), EFAULT);
}

TEST(chroot_needs_the_privilege) {
    CHECK_OK(mkdir("nosearch", 0222));
    if (check_capable(CAP_SYS_CHROOT) != 1) {
        CHECK_ERR(chroot("."), EPERM);
        return;
    }
    check_in_child(chroot_without_the_capability);
    CHECK_OK(chmod("..", 0711));
    CHECK_OK(chmod(".", 0755));
    check_in_child_as_nobody(chroot_as_nobody);
}

static void inner_child(void) {
    char cwd[PATH_MAX];
    CHECK_STR(getcwd(cwd, sizeof cwd), "/");
    struct stat st;
    CHECK_OK(stat("/inner", &st));
    CHECK_OK(stat("/../inner", &st));
}

// In the jail: "/file" is jail/file, reached by absolute and by escaping links too.
static void confined(void) {
    ino_t file = inode_of("jail/file"), jail = inode_of("jail"), sub = inode_of("jail/sub");
    char cwd[PATH_MAX], outside[PATH_MAX], shown[PATH_MAX + 32];
    CHECK(getcwd(outside, sizeof outside) != NULL);
    CHECK_OK(chroot("jail"));
    // The working directory stays outside the new root.
    CHECK_EQ(syscall(SYS_getcwd, cwd, sizeof cwd), strlen("(unreachable)") + strlen(outside) + 1);
    snprintf(shown, sizeof shown, "(unreachable)%s", outside);
    CHECK_STR(cwd, shown);
    CHECK_ERR(syscall(SYS_getcwd, cwd, 5), ERANGE);
    CHECK(getcwd(cwd, sizeof cwd) == NULL); // glibc refuses a path not from "/"
    CHECK_EQ(inode_of("/file"), file);
    CHECK_EQ(inode_of("/"), jail);
    CHECK_EQ(inode_of("/.."), jail);
    CHECK_EQ(inode_of("/../../file"), file);
    CHECK_EQ(inode_of("/absolute"), file);
    CHECK_EQ(inode_of("/sub/escape"), file);
    CHECK_EQ(inode_of("/sub/dir_link/file"), file);
    struct stat st;
    CHECK_OK(lstat("/absolute", &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(stat("/missing", &st), ENOENT);
    CHECK_ERR(stat("/file/", &st), ENOTDIR);
    CHECK_OK(chdir("/sub"));
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR(cwd, "/sub");
    CHECK_EQ(inode_of("../../../file"), file);
    CHECK_OK(chdir("/"));
    CHECK_STR(getcwd(cwd, sizeof cwd), "/");
    // Creating through a dangling absolute link creates its target in the jail; O_EXCL
    // follows no last link.
    int fd = CHECK_OK(open("/dangling", O_CREAT | O_WRONLY, 0644));
    close(fd);
    CHECK_OK(stat("/created", &st));
    CHECK_OK(unlink("/created"));
    CHECK_ERR(open("/dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    char text[64];
    ssize_t n = CHECK_OK(readlink("/absolute", text, sizeof text));
    CHECK_EQ(n, 5);
    CHECK_MEM(text, "/file", 5);
    // A nested chroot is relative to the current root; fork keeps the root.
    CHECK_OK(chroot("/sub"));
    CHECK_EQ(inode_of("/escape"), 0);
    CHECK_EQ(inode_of("/dir_link"), sub);
    CHECK_OK(chdir("/"));
    CHECK_STR(getcwd(cwd, sizeof cwd), "/");
    check_write_file("/inner", "y");
    check_in_child(inner_child);
}

TEST(chroot_confines_paths) {
    if (check_capable(CAP_SYS_CHROOT) != 1)
        return;
    CHECK_OK(mkdir("jail", 0755));
    CHECK_OK(mkdir("jail/sub", 0755));
    check_write_file("jail/file", "x");
    check_write_file("outside_file", "o");
    CHECK_OK(symlink("/file", "jail/absolute"));
    CHECK_OK(symlink("../../../../../../file", "jail/sub/escape"));
    CHECK_OK(symlink("/", "jail/sub/dir_link"));
    CHECK_OK(symlink("/created", "jail/dangling"));
    check_in_child(confined);
}
