// SPDX-License-Identifier: MIT
// openat2: struct open_how's size rules, its strict checks of flags, mode and RESOLVE_*
// bits (where openat ignores what it does not know), and each RESOLVE_* rule of the
// lookup: NO_SYMLINKS, NO_MAGICLINKS, NO_XDEV, BENEATH, IN_ROOT, CACHED.
#include "check.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static long openat2_call(int dirfd, const char *path, uint64_t flags, uint64_t mode,
                         uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// The inode an openat2 opened (closing it), or 0 if it failed.
static ino_t opened_inode(long fd) {
    struct stat st;
    if (fd < 0 || fstat((int)fd, &st) != 0)
        return 0;
    close((int)fd);
    return st.st_ino;
}

static ino_t inode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

TEST(openat2_opens_as_openat) {
    mode_t old = umask(022);
    long fd = CHECK_OK(openat2_call(AT_FDCWD, "f", O_CREAT | O_RDWR, 0666, 0));
    CHECK_EQ(write((int)fd, "abc", 3), 3);
    struct stat st;
    CHECK_OK(fstat((int)fd, &st));
    CHECK_EQ(st.st_mode & 0777, 0644);
    close((int)fd);
    umask(old);
    int dir = CHECK_OK(open(".", O_DIRECTORY));
    CHECK_EQ(opened_inode(openat2_call(dir, "f", O_RDONLY, 0, 0)), inode_of("f"));
    fd = CHECK_OK(openat2_call(AT_FDCWD, "f", O_RDONLY | O_CLOEXEC, 0, 0));
    CHECK_EQ(fcntl((int)fd, F_GETFD), FD_CLOEXEC);
    close((int)fd);
    CHECK_ERR(openat2_call(AT_FDCWD, "missing", O_RDONLY, 0, 0), ENOENT);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_CREAT | O_EXCL | O_RDWR, 0600, 0), EEXIST);
    CHECK_ERR(openat2_call(-1, "f", O_RDONLY, 0, 0), EBADF);
    int file = CHECK_OK(open("f", O_RDONLY));
    CHECK_ERR(openat2_call(file, "f", O_RDONLY, 0, 0), ENOTDIR);
    CHECK_ERR(openat2_call(AT_FDCWD, BAD_PTR, O_RDONLY, 0, 0), EFAULT);
    close(file);
    close(dir);
}

TEST(openat2_size_rules) {
    struct {
        struct open_how how;
        uint64_t tail;
    } big = {{.flags = O_RDONLY}, 0};
    check_write_file("f", "x");
    CHECK_EQ(opened_inode(syscall(SYS_openat2, AT_FDCWD, "f", &big, sizeof big)), inode_of("f"));
    big.tail = 1; // a field this kernel does not know, set
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", &big, sizeof big), E2BIG);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", &big.how, 0), EINVAL);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", &big.how, 23), EINVAL);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", &big.how, 4097), E2BIG);
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", BAD_PTR, sizeof big.how), EFAULT);
    // Every byte given is read: a tail in memory the program cannot read is EFAULT.
    char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED);
    CHECK_OK(munmap(pages + 4096, 4096));
    char *at = pages + 4096 - sizeof big.how;
    memcpy(at, &big.how, sizeof big.how);
    CHECK_EQ(opened_inode(syscall(SYS_openat2, AT_FDCWD, "f", at, sizeof big.how)), inode_of("f"));
    CHECK_ERR(syscall(SYS_openat2, AT_FDCWD, "f", at, sizeof big.how + 8), EFAULT);
    munmap(pages, 4096);
}

TEST(openat2_checks_what_openat_ignores) {
    check_write_file("f", "x");
    uint64_t unknown = 1ull << 40;
    int fd = CHECK_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | unknown, 0));
    close(fd);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_RDONLY | unknown, 0, 0), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_RDONLY, 0644, 0), EINVAL); // mode without O_CREAT
    CHECK_ERR(openat2_call(AT_FDCWD, "g", O_CREAT | O_RDWR, 010000, 0), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_RDONLY, 0, 0x40), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "g", O_CREAT | O_DIRECTORY | O_RDWR, 0644, 0), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_PATH | O_RDWR, 0, 0), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, ".", __O_TMPFILE | O_RDONLY, 0600, 0), EINVAL);
    CHECK_ERR(openat2_call(AT_FDCWD, "g", O_CREAT | O_RDWR, 0644, RESOLVE_CACHED), EAGAIN);
    CHECK_ERR(openat2_call(AT_FDCWD, "f", O_TRUNC | O_RDWR, 0, RESOLVE_CACHED), EAGAIN);
    CHECK_ERR(access("g", F_OK), ENOENT);
    // Flags are checked before the path is read.
    CHECK_ERR(openat2_call(AT_FDCWD, BAD_PTR, O_RDONLY, 0644, 0), EINVAL);
    // RESOLVE_CACHED of a plain open may be served (or refused with EAGAIN).
    long cached = openat2_call(AT_FDCWD, "f", O_RDONLY, 0, RESOLVE_CACHED);
    CHECK(cached >= 0 || errno == EAGAIN);
    if (cached >= 0)
        close((int)cached);
}

TEST(openat2_no_symlinks) {
    CHECK_OK(mkdir("dir", 0755));
    check_write_file("dir/f", "x");
    CHECK_OK(symlink("dir/f", "link"));
    CHECK_OK(symlink("dir", "dlink"));
    CHECK_EQ(opened_inode(openat2_call(AT_FDCWD, "link", O_RDONLY, 0, 0)), inode_of("dir/f"));
    CHECK_ERR(openat2_call(AT_FDCWD, "link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
    CHECK_ERR(openat2_call(AT_FDCWD, "dlink/f", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
    CHECK_ERR(openat2_call(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
    // A last link not followed is no link met.
    long fd = CHECK_OK(openat2_call(AT_FDCWD, "link", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
    struct stat st;
    CHECK_OK(fstatat((int)fd, "", &st, AT_EMPTY_PATH));
    CHECK(S_ISLNK(st.st_mode));
    close((int)fd);
    CHECK_ERR(openat2_call(AT_FDCWD, "link", O_RDONLY | O_NOFOLLOW, 0, 0), ELOOP);
    CHECK_EQ(opened_inode(openat2_call(AT_FDCWD, "dir/f", O_RDONLY, 0, RESOLVE_NO_SYMLINKS)),
             inode_of("dir/f"));
}

TEST(openat2_no_magiclinks) {
    check_write_file("f", "x");
    int fd = CHECK_OK(open("f", O_RDONLY));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    CHECK_EQ(opened_inode(openat2_call(AT_FDCWD, path, O_RDONLY, 0, 0)), inode_of("f"));
    CHECK_ERR(openat2_call(AT_FDCWD, path, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
    CHECK_ERR(openat2_call(AT_FDCWD, "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
    CHECK_ERR(openat2_call(AT_FDCWD, "/proc/self/cwd/f", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS),
              ELOOP);
    CHECK_EQ(opened_inode(openat2_call(AT_FDCWD, "/proc/self/cwd/f", O_RDONLY, 0, 0)),
             inode_of("f"));
    // /proc/self is an ordinary link; the status file is no link at all.
    long status = CHECK_OK(openat2_call(AT_FDCWD, "/proc/self/status", O_RDONLY, 0,
                                        RESOLVE_NO_MAGICLINKS));
    char text[16] = {0};
    CHECK_EQ(read((int)status, text, 5), 5);
    CHECK_STR(text, "Name:");
    close((int)status);
    CHECK_ERR(openat2_call(AT_FDCWD, path, O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
    close(fd);
}

TEST(openat2_no_xdev) {
    check_write_file("f", "x");
    CHECK_EQ(opened_inode(openat2_call(AT_FDCWD, "f", O_RDONLY, 0, RESOLVE_NO_XDEV)), inode_of("f"));
    CHECK_ERR(openat2_call(AT_FDCWD, "/proc/version", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);
    int proc = CHECK_OK(open("/proc", O_DIRECTORY));
    long fd = CHECK_OK(openat2_call(proc, "version", O_RDONLY, 0, RESOLVE_NO_XDEV));
    close((int)fd);
    CHECK_ERR(openat2_call(proc, "../etc", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);
    close(proc);
}

TEST(openat2_beneath) {
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(mkdir("dir/sub", 0755));
    check_write_file("dir/f", "x");
    check_write_file("outside", "o");
    CHECK_OK(symlink("/nonexistent-openat2-target", "dir/absolute"));
    CHECK_OK(symlink("../outside", "dir/up"));
    CHECK_OK(symlink("sub/../f", "dir/inside"));
    int dir = CHECK_OK(open("dir", O_DIRECTORY));
    ino_t f = inode_of("dir/f");
    CHECK_EQ(opened_inode(openat2_call(dir, "f", O_RDONLY, 0, RESOLVE_BENEATH)), f);
    CHECK_EQ(opened_inode(openat2_call(dir, "sub/../f", O_RDONLY, 0, RESOLVE_BENEATH)), f);
    CHECK_EQ(opened_inode(openat2_call(dir, "inside", O_RDONLY, 0, RESOLVE_BENEATH)), f);
    CHECK_ERR(openat2_call(dir, "../outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "sub/../../outside", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "/etc/passwd", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "absolute/f", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "up", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "..", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR(openat2_call(dir, "missing", O_RDONLY, 0, RESOLVE_BENEATH), ENOENT);
    long fd = CHECK_OK(openat2_call(dir, "new", O_CREAT | O_RDWR, 0600, RESOLVE_BENEATH));
    close((int)fd);
    CHECK_OK(access("dir/new", F_OK));
    close(dir);
}

TEST(openat2_in_root) {
    CHECK_OK(mkdir("dir", 0755));
    CHECK_OK(mkdir("dir/sub", 0755));
    check_write_file("dir/f", "x");
    check_write_file("f", "outside");
    CHECK_OK(symlink("/f", "dir/sub/absolute"));
    CHECK_OK(symlink("../../../../f", "dir/sub/up"));
    int dir = CHECK_OK(open("dir", O_DIRECTORY));
    ino_t f = inode_of("dir/f");
    CHECK_EQ(opened_inode(openat2_call(dir, "/f", O_RDONLY, 0, RESOLVE_IN_ROOT)), f);
    CHECK_EQ(opened_inode(openat2_call(dir, "../../f", O_RDONLY, 0, RESOLVE_IN_ROOT)), f);
    CHECK_EQ(opened_inode(openat2_call(dir, "sub/absolute", O_RDONLY, 0, RESOLVE_IN_ROOT)), f);
    CHECK_EQ(opened_inode(openat2_call(dir, "sub/up", O_RDONLY, 0, RESOLVE_IN_ROOT)), f);
    CHECK_ERR(openat2_call(dir, "/proc/version", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);
    CHECK_ERR(openat2_call(dir, "sub/absolute", O_RDONLY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS),
              ELOOP);
    close(dir);
}
