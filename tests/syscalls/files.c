// SPDX-License-Identifier: MIT
// The files family: read, write, pread64, pwrite64, readv, writev, preadv(2), pwritev(2),
// lseek, close, dup, dup2, dup3, fsync, fdatasync, ftruncate, getdents64, fstat, fchmod,
// fchown, fchdir, fadvise64.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int make_file(const char *path, const char *text) {
    check_write_file(path, text);
    return open(path, O_RDWR);
}

TEST(read_write_normal_and_end) {
    int fd = make_file("f", "hello");
    char buf[16] = {0};
    CHECK_EQ(read(fd, buf, sizeof buf), 5);
    CHECK_MEM(buf, "hello", 5);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_EQ(write(fd, " world", 6), 6);
    CHECK_EQ(pread(fd, buf, 11, 0), 11);
    CHECK_MEM(buf, "hello world", 11);
    CHECK_EQ(read(fd, buf, 0), 0);
    close(fd);
}

TEST(read_write_bad_fd_and_pointer) {
    char buf[4];
    CHECK_ERR(syscall(SYS_read, -1, buf, 4), EBADF);
    CHECK_ERR(syscall(SYS_write, 999, buf, 4), EBADF);
    int fd = make_file("f", "data");
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, 4), EFAULT);
    CHECK_ERR(syscall(SYS_write, fd, BAD_PTR, 4), EFAULT);
    CHECK_EQ(syscall(SYS_read, fd, BAD_PTR, 0), 0);
    close(fd);
}

TEST(read_write_wrong_access_and_directory) {
    check_write_file("f", "data");
    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
    char buf[4];
    CHECK_ERR(write(ro, "x", 1), EBADF);
    CHECK_ERR(read(wo, buf, 1), EBADF);
    CHECK_ERR(pwrite(ro, "x", 1, 0), EBADF);
    CHECK_ERR(pread(wo, buf, 1, 0), EBADF);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(read(dir, buf, 1), EISDIR);
    CHECK_ERR(pread(dir, buf, 1, 0), EISDIR);
    close(ro), close(wo), close(dir);
}

TEST(pread_pwrite_offsets) {
    int fd = make_file("f", "0123456789");
    char buf[4] = {0};
    CHECK_EQ(pread(fd, buf, 3, 4), 3);
    CHECK_MEM(buf, "456", 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); // the position stays
    CHECK_EQ(pwrite(fd, "ab", 2, 12), 2); // past the end: a hole of zeros
    CHECK_EQ(pread(fd, buf, 4, 10), 4);
    CHECK_MEM(buf, "\0\0ab", 4);
    CHECK_ERR(syscall(SYS_pread64, fd, buf, 1, -1L), EINVAL);
    CHECK_ERR(syscall(SYS_pwrite64, fd, buf, 1, -5L), EINVAL);
    CHECK_ERR(syscall(SYS_pread64, -1, buf, 1, -1L), EINVAL); // the offset is checked first
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);
    close(p[0]), close(p[1]), close(fd);
}

TEST(readv_writev_normal) {
    int fd = make_file("f", "");
    struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    CHECK_EQ(writev(fd, out, 3), 5);
    CHECK_OK(lseek(fd, 0, SEEK_SET));
    char a[2], b[10];
    struct iovec in[2] = {{a, 2}, {b, sizeof b}};
    CHECK_EQ(readv(fd, in, 2), 5);
    CHECK_MEM(a, "ab", 2);
    CHECK_MEM(b, "cde", 3);
    CHECK_EQ(readv(fd, in, 0), 0);
    close(fd);
}

TEST(readv_writev_edges) {
    int fd = make_file("f", "abc");
    char buf[4];
    struct iovec v = {buf, sizeof buf};
    CHECK_ERR(syscall(SYS_readv, fd, &v, 1025), EINVAL);
    CHECK_ERR(syscall(SYS_readv, fd, &v, -1L), EINVAL);
    CHECK_ERR(syscall(SYS_readv, fd, BAD_PTR, 1), EFAULT);
    CHECK_ERR(syscall(SYS_writev, fd, BAD_PTR, 1), EFAULT);
    struct iovec negative = {buf, (size_t)-1};
    CHECK_ERR(readv(fd, &negative, 1), EINVAL);
    struct iovec bad_base = {BAD_PTR, 4};
    CHECK_ERR(readv(fd, &bad_base, 1), EFAULT);
    CHECK_ERR(readv(-1, &v, 1), EBADF);
    CHECK_ERR(syscall(SYS_writev, fd, &v, 1025), EINVAL);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(writev(ro, &v, 1), EBADF);
    CHECK_ERR(syscall(SYS_writev, ro, BAD_PTR, 1), EBADF); // the access is checked first
    close(ro);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(readv(dir, &v, 1), EISDIR);
    close(dir), close(fd);
}

TEST(readv_pipe_returns_what_is_there) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(write(p[1], "0123456789", 10), 10);
    char a[10], b[10];
    struct iovec in[2] = {{a, 10}, {b, 10}};
    CHECK_EQ(readv(p[0], in, 2), 10); // does not wait to fill the second segment
    CHECK_MEM(a, "0123456789", 10);
    struct iovec out[2] = {{"abc", 3}, {"def", 3}};
    CHECK_EQ(writev(p[1], out, 2), 6);
    CHECK_EQ(read(p[0], b, 10), 6);
    CHECK_MEM(b, "abcdef", 6);
    close(p[0]), close(p[1]);
}

TEST(preadv_pwritev_normal) {
    int fd = make_file("f", "0123456789");
    char a[2], b[3];
    struct iovec in[2] = {{a, 2}, {b, 3}};
    CHECK_EQ(preadv(fd, in, 2, 3), 5);
    CHECK_MEM(a, "34", 2);
    CHECK_MEM(b, "567", 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    struct iovec out[2] = {{"xy", 2}, {"z", 1}};
    CHECK_EQ(pwritev(fd, out, 2, 8), 3);
    char all[12] = {0};
    CHECK_EQ(pread(fd, all, sizeof all, 0), 11);
    CHECK_MEM(all, "01234567xyz", 11);
    close(fd);
}

TEST(preadv_pwritev_edges) {
    int fd = make_file("f", "abc");
    char buf[4];
    struct iovec v = {buf, 4};
    CHECK_ERR(syscall(SYS_preadv, fd, &v, 1, -1L, 0), EINVAL);
    CHECK_ERR(syscall(SYS_pwritev, fd, &v, 1, -2L, 0), EINVAL);
    CHECK_ERR(syscall(SYS_preadv, fd, BAD_PTR, 1, 0L, 0), EFAULT);
    CHECK_ERR(syscall(SYS_preadv, 999, &v, 1, 0L, 0), EBADF);
    CHECK_ERR(syscall(SYS_pwritev, fd, &v, 1025, 0L, 0), EINVAL);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(syscall(SYS_pwritev, ro, &v, 1, 0L, 0), EBADF);
    close(ro);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(syscall(SYS_preadv, p[0], &v, 1, 0L, 0), ESPIPE);
    close(p[0]), close(p[1]), close(fd);
}

TEST(preadv2_pwritev2_flags) {
    int fd = make_file("f", "abcdef");
    char buf[8] = {0};
    struct iovec v = {buf, 2};
    // offset -1: the file's position, which moves
    CHECK_EQ(syscall(SYS_preadv2, fd, &v, 1, -1L, 0, 0), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
    CHECK_EQ(syscall(SYS_preadv2, fd, &v, 1, 4L, 0, RWF_HIPRI), 2);
    CHECK_MEM(buf, "ef", 2);
    CHECK_ERR(syscall(SYS_preadv2, fd, &v, 1, -2L, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_preadv2, fd, &v, 1, 0L, 0, 0x80000000), EOPNOTSUPP);
    struct iovec empty = {buf, 0};
    CHECK_EQ(syscall(SYS_preadv2, fd, &empty, 1, 0L, 0, 0x80000000), 0); // nothing to move
    struct iovec w = {"XY", 2};
    CHECK_EQ(syscall(SYS_pwritev2, fd, &w, 1, 0L, 0, RWF_DSYNC), 2);
    CHECK_EQ(syscall(SYS_pwritev2, fd, &w, 1, 1L, 0, RWF_SYNC), 2);
    CHECK_EQ(syscall(SYS_pwritev2, fd, &w, 1, 0L, 0, RWF_APPEND), 2); // at the end
    CHECK_EQ(pread(fd, buf, 8, 0), 8);
    CHECK_MEM(buf, "XXYdefXY", 8);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(syscall(SYS_pwritev2, fd, &w, 1, -1L, 0, RWF_APPEND), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10); // the position follows the appended data
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(syscall(SYS_pwritev2, p[1], &w, 1, -1L, 0, 0), 2);
    CHECK_EQ(syscall(SYS_preadv2, p[0], &v, 1, -1L, 0, 0), 2);
    CHECK_ERR(syscall(SYS_preadv2, p[0], &v, 1, 0L, 0, 0), ESPIPE);
    close(p[0]), close(p[1]), close(fd);
}

TEST(lseek_whences) {
    int fd = make_file("f", "0123456789");
    CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
    CHECK_EQ(lseek(fd, 2, SEEK_CUR), 5);
    CHECK_EQ(lseek(fd, -1, SEEK_END), 9);
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 100); // past the end is allowed
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -200, SEEK_CUR), EINVAL);
    CHECK_ERR(lseek(fd, 0, 5), EINVAL);
    CHECK_ERR(lseek(-1, 0, SEEK_SET), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(lseek(p[0], 0, 7), EINVAL); // whence is checked before the pipe
    close(p[0]), close(p[1]), close(fd);
}

TEST(lseek_random_device_stays_at_0) {
    int fd = open("/dev/urandom", O_RDONLY);
    char buf[16];
    CHECK_EQ(read(fd, buf, sizeof buf), 16);
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 0);
    CHECK_EQ(lseek(fd, 5, SEEK_END), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_HOLE), 0);
    CHECK_ERR(lseek(fd, 0, 5), EINVAL);
    close(fd);
}

TEST(lseek_data_and_hole) {
    int fd = open("sparse", O_RDWR | O_CREAT, 0644);
    CHECK_EQ(lseek(fd, 0, SEEK_DATA) == -1 ? errno : 0, ENXIO); // empty file
    CHECK_EQ(pwrite(fd, "x", 1, 0), 1);
    CHECK_EQ(pwrite(fd, "y", 1, 4 << 20), 1); // a hole between (on file systems that keep one)
    off_t size = (4 << 20) + 1;
    CHECK_EQ(lseek(fd, 0, SEEK_DATA), 0);
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    CHECK(hole > 0 && hole <= size);
    if (hole < size) { // the host keeps holes: the data after it is found
        off_t data = lseek(fd, hole, SEEK_DATA);
        CHECK(data > hole && data <= 4 << 20);
    }
    CHECK_EQ(lseek(fd, size - 1, SEEK_HOLE), size); // the end counts as a hole
    CHECK_ERR(lseek(fd, size, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, size, SEEK_HOLE), ENXIO);
    CHECK_ERR(lseek(fd, size + 100, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, -1, SEEK_DATA), ENXIO);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(lseek(p[0], 0, SEEK_DATA), ESPIPE);
    close(p[0]), close(p[1]), close(fd);
}

TEST(close_and_dup) {
    int fd = make_file("f", "abcdef");
    int copy = dup(fd);
    CHECK(copy > fd);
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    CHECK_EQ(lseek(copy, 0, SEEK_CUR), 2); // one open file, one position
    CHECK_EQ(fcntl(copy, F_GETFD), 0);
    CHECK_OK(close(copy));
    CHECK_ERR(close(copy), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(dup(100000), EBADF);
    close(fd);
}

TEST(dup2_and_dup3) {
    int fd = make_file("f", "x");
    CHECK_EQ(dup2(fd, fd), fd); // the same descriptor: nothing happens
    CHECK_ERR(dup2(-1, -1), EBADF);
    CHECK_ERR(dup2(999, 999), EBADF);
    CHECK_EQ(dup2(fd, 200), 200);
    CHECK_EQ(fcntl(200, F_GETFD), 0);
    CHECK_ERR(dup2(fd, -1), EBADF);
    CHECK_ERR(dup2(fd, 1 << 20), EBADF);
    CHECK_EQ(dup3(fd, 201, O_CLOEXEC), 201);
    CHECK_EQ(fcntl(201, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(dup3(fd, fd, 0), EINVAL);
    CHECK_ERR(dup3(fd, 202, O_NONBLOCK), EINVAL);
    CHECK_ERR(dup3(-1, 202, 0), EBADF);
    close(200), close(201), close(fd);
}

TEST(fsync_and_fdatasync) {
    int fd = make_file("f", "x");
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_ERR(fsync(-1), EBADF);
    CHECK_ERR(fdatasync(999), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(fsync(p[0]), EINVAL);
    CHECK_ERR(fdatasync(p[1]), EINVAL);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fsync(dir));
    close(dir), close(p[0]), close(p[1]), close(fd);
}

TEST(sync_syncfs_and_sync_file_range) {
    sync();
    int fd = make_file("f", "0123456789");
    CHECK_OK(syncfs(fd));
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(syncfs(p[0])); // any descriptor: the pipe's file system has nothing to write
    CHECK_ERR(syncfs(-1), EBADF);
    int path = CHECK_OK(open("f", O_PATH));
    CHECK_ERR(syncfs(path), EBADF);
    CHECK_OK(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
    CHECK_OK(sync_file_range(fd, 2, 4, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                           SYNC_FILE_RANGE_WAIT_AFTER));
    CHECK_OK(sync_file_range(fd, 0, 0, 0));
    CHECK_ERR(sync_file_range(fd, 0, 0, 8), EINVAL);
    CHECK_ERR(sync_file_range(fd, -1, 0, 0), EINVAL);
    CHECK_ERR(sync_file_range(fd, 0, -1, 0), EINVAL); // the end before the start
    CHECK_ERR(sync_file_range(fd, 0x7fffffffffffffffLL, 1, 0), EINVAL);
    CHECK_ERR(sync_file_range(p[1], 0, 0, SYNC_FILE_RANGE_WRITE), ESPIPE);
    CHECK_ERR(sync_file_range(-1, 0, 0, 8), EBADF); // the descriptor first
    CHECK_ERR(sync_file_range(path, 0, 0, 0), EBADF);
    close(path), close(p[0]), close(p[1]), close(fd);
}

TEST(readahead_normal_and_edges) {
    int fd = make_file("f", "0123456789");
    CHECK_OK(readahead(fd, 0, 4096));
    CHECK_OK(readahead(fd, 1 << 20, 10)); // past the end: nothing to read
    CHECK_ERR(readahead(fd, 0, (size_t)-1), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(readahead(p[0], 0, 10), EINVAL);
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(readahead(dir, 0, 10), EINVAL);
    int writer = CHECK_OK(open("f", O_WRONLY));
    CHECK_ERR(readahead(writer, 0, 10), EBADF);
    CHECK_ERR(readahead(-1, 0, 10), EBADF);
    close(writer), close(dir), close(p[0]), close(p[1]), close(fd);
}

TEST(ftruncate_normal_and_edges) {
    int fd = make_file("f", "0123456789");
    CHECK_OK(ftruncate(fd, 4));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 4);
    CHECK_OK(ftruncate(fd, 8192));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 8192);
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    CHECK_ERR(ftruncate(-1, -1), EINVAL); // the length is checked first
    CHECK_ERR(ftruncate(-1, 0), EBADF);
    int ro = open("f", O_RDONLY);
    CHECK_ERR(ftruncate(ro, 0), EINVAL);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(ftruncate(p[1], 0), EINVAL);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(ftruncate(dir, 0), EINVAL);
    close(dir), close(p[0]), close(p[1]), close(ro), close(fd);
}

static volatile sig_atomic_t file_size_signals;
static void count_file_size_signal(int sig) {
    (void)sig;
    file_size_signals++;
}

// RLIMIT_FSIZE: a write is cut to what the limit leaves, one at it fails with EFBIG and
// SIGXFSZ (a write of nothing never does); truncate, ftruncate and fallocate may not grow
// a file past it (LTP llseek01, truncate03, setrlimit lowering RLIMIT_FSIZE).
TEST(file_size_limit) {
    struct rlimit old, limited;
    CHECK_OK(getrlimit(RLIMIT_FSIZE, &old));
    struct sigaction counting = {.sa_handler = count_file_size_signal}, before;
    CHECK_OK(sigaction(SIGXFSZ, &counting, &before));
    file_size_signals = 0;
    limited = old;
    limited.rlim_cur = 2000;
    CHECK_OK(setrlimit(RLIMIT_FSIZE, &limited));
    char data[1500];
    memset(data, 'x', sizeof data);
    int fd = CHECK_OK(open("big", O_RDWR | O_CREAT | O_TRUNC, 0644));
    CHECK_EQ(write(fd, data, 1500), 1500);
    CHECK_EQ(write(fd, data, 1000), 500); // cut at the limit
    CHECK_EQ(file_size_signals, 0);
    CHECK_EQ(write(fd, data, 0), 0);
    CHECK_ERR(write(fd, data, 1), EFBIG);
    CHECK_EQ(file_size_signals, 1);
    CHECK_ERR(syscall(SYS_write, fd, BAD_PTR, 1), EFBIG); // the limit before the buffer
    CHECK_EQ(pwrite(fd, data, 2, 1999), 1);
    CHECK_ERR(pwrite(fd, data, 2, 3000), EFBIG);
    CHECK_OK(lseek(fd, 1800, SEEK_SET));
    struct iovec two[2] = {{data, 100}, {data, 500}};
    CHECK_EQ(writev(fd, two, 2), 200);
    CHECK_ERR(write(-1, data, 1), EBADF);
    CHECK_ERR(ftruncate(fd, 3000), EFBIG);
    CHECK_OK(ftruncate(fd, 100)); // shrinking
    CHECK_OK(ftruncate(fd, 1000)); // growing within it
    CHECK_ERR(truncate("big", 5000), EFBIG);
    CHECK_ERR(fallocate(fd, 0, 0, 4000), EFBIG);
    CHECK_EQ(lseek(fd, 0, SEEK_END), 1000);
    int append = CHECK_OK(open("big", O_WRONLY | O_APPEND));
    CHECK_EQ(write(append, data, 1500), 1000); // from the end
    CHECK_ERR(write(append, data, 1), EFBIG);
    CHECK_EQ(file_size_signals, 7);
    close(append), close(fd);
    CHECK_OK(setrlimit(RLIMIT_FSIZE, &old));
    CHECK_OK(sigaction(SIGXFSZ, &before, NULL));
}

TEST(getdents64_normal_and_edges) {
    CHECK_OK(mkdir("d", 0755));
    check_write_file("d/one", "1");
    CHECK_OK(mkdir("d/sub", 0755));
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    char buf[4096];
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    CHECK(n > 0);
    int seen = 0;
    for (long at = 0; at < n;) {
        struct dirent64 *e = (struct dirent64 *)(buf + at);
        if (strcmp(e->d_name, "one") == 0) {
            seen |= 1;
            CHECK_EQ(e->d_type, DT_REG);
        }
        if (strcmp(e->d_name, "sub") == 0) {
            seen |= 2;
            CHECK_EQ(e->d_type, DT_DIR);
        }
        CHECK_EQ(e->d_reclen % 8, 0);
        at += e->d_reclen;
    }
    CHECK_EQ(seen, 3);
    CHECK_EQ(syscall(SYS_getdents64, dir, buf, sizeof buf), 0); // the end
    CHECK_OK(lseek(dir, 0, SEEK_SET));
    CHECK_ERR(syscall(SYS_getdents64, dir, buf, 8), EINVAL);
    CHECK_ERR(syscall(SYS_getdents64, -1, buf, sizeof buf), EBADF);
    int file = open("d/one", O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents64, file, buf, sizeof buf), ENOTDIR);
    CHECK_ERR(syscall(SYS_getdents64, dir, BAD_PTR, sizeof buf), EFAULT);
    close(file), close(dir);
}

TEST(fstat_normal_and_edges) {
    int fd = make_file("f", "12345");
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 5);
    CHECK_EQ(st.st_nlink, 1);
    CHECK_ERR(syscall(SYS_fstat, fd, BAD_PTR), EFAULT);
    CHECK_ERR(fstat(-1, &st), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fstat(p[0], &st));
    CHECK(S_ISFIFO(st.st_mode));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    CHECK_OK(fstat(dir, &st));
    CHECK(S_ISDIR(st.st_mode));
    close(dir), close(p[0]), close(p[1]), close(fd);
}

TEST(fchmod_and_fchown) {
    int fd = make_file("f", "x");
    CHECK_OK(fchmod(fd, 0640));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0640);
    CHECK_ERR(fchmod(-1, 0600), EBADF);
    CHECK_OK(fchmod(fd, 0100604)); // only the permission bits count
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode, 0100604);
    CHECK_OK(fchown(fd, -1, -1));
    CHECK_OK(fchown(fd, getuid(), getgid()));
    CHECK_ERR(fchown(-1, 0, 0), EBADF);
    if (geteuid() != 0)
        CHECK_ERR(fchown(fd, 0, 0), EPERM);
    close(fd);
}

TEST(fchdir_normal_and_edges) {
    CHECK_OK(mkdir("d", 0755));
    int dir = open("d", O_RDONLY | O_DIRECTORY);
    char before[PATH_MAX], after[PATH_MAX];
    CHECK(getcwd(before, sizeof before) != NULL);
    CHECK_OK(fchdir(dir));
    CHECK(getcwd(after, sizeof after) != NULL);
    CHECK_EQ(strlen(after), strlen(before) + 2);
    CHECK_OK(chdir(before));
    int file = make_file("f", "x");
    CHECK_ERR(fchdir(file), ENOTDIR);
    CHECK_ERR(fchdir(-1), EBADF);
    close(file), close(dir);
}

TEST(fadvise64_normal_and_edges) {
    int fd = make_file("f", "x");
    CHECK_OK(syscall(SYS_fadvise64, fd, 0L, 0L, POSIX_FADV_SEQUENTIAL));
    CHECK_OK(syscall(SYS_fadvise64, fd, 0L, 100L, POSIX_FADV_DONTNEED));
    CHECK_ERR(syscall(SYS_fadvise64, fd, 0L, -1L, POSIX_FADV_NORMAL), EINVAL);
    CHECK_ERR(syscall(SYS_fadvise64, fd, 0L, 0L, 42), EINVAL);
    CHECK_ERR(syscall(SYS_fadvise64, -1, 0L, 0L, POSIX_FADV_NORMAL), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(syscall(SYS_fadvise64, p[0], 0L, 0L, POSIX_FADV_NORMAL), ESPIPE);
    close(p[0]), close(p[1]), close(fd);
}

// close_range: the open descriptors of the range close (free ones are skipped, and a range
// up to ~0U walks only the table), or with CLOSE_RANGE_CLOEXEC get close-on-exec.
TEST(close_range_normal_and_edges) {
    int a = make_file("a", "x"), b = dup(a), c = dup(a);
    CHECK(a >= 0 && b == a + 1 && c == a + 2);
    CHECK_OK(syscall(SYS_close_range, b, ~0U, 0));
    CHECK_ERR(fcntl(b, F_GETFD), EBADF);
    CHECK_ERR(fcntl(c, F_GETFD), EBADF);
    CHECK_OK(fcntl(a, F_GETFD));
    CHECK_OK(syscall(SYS_close_range, a + 100, a + 200, 0)); // nothing open: no error
    b = dup(a);
    CHECK_OK(syscall(SYS_close_range, a, b, 1U << 2)); // CLOSE_RANGE_CLOEXEC
    CHECK_EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(b, F_GETFD), FD_CLOEXEC);
    // In a process of one thread CLOSE_RANGE_UNSHARE has nothing to unshare.
    CHECK_OK(syscall(SYS_close_range, b, b, 1U << 1));
    CHECK_ERR(fcntl(b, F_GETFD), EBADF);
    CHECK_ERR(syscall(SYS_close_range, a + 1, a, 0), EINVAL); // first > last
    CHECK_ERR(syscall(SYS_close_range, a, a, 1U << 0), EINVAL); // unknown flag
    CHECK_ERR(syscall(SYS_close_range, a, a, 1U << 3), EINVAL);
    CHECK_ERR(syscall(SYS_close_range, ~0U, 0U, 0), EINVAL);
    // The arguments are unsigned int: the upper halves of the registers do not count.
    CHECK_OK(syscall(SYS_close_range, (1UL << 32) | (unsigned)a, (unsigned long)a, 0));
    CHECK_ERR(fcntl(a, F_GETFD), EBADF);
}

// cachestat (Linux 6.5): the page cache state of a file's pages, in the kernel's order of
// checks (descriptor, range pointer, flags), the counts written last.
TEST(cachestat_normal_and_edges) {
    struct range {
        unsigned long long off, len;
    } all = {0, 0}, second = {4096, 4096};
    unsigned long long counts[5];
    int fd = CHECK_OK(open("f", O_CREAT | O_RDWR, 0600));
    char page[4096];
    memset(page, 'x', sizeof page);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(write(fd, page, sizeof page), sizeof page);
    CHECK_OK(syscall(451, fd, &all, counts, 0));
    CHECK_EQ(counts[0], 3); // just written: in the cache
    CHECK_OK(syscall(451, fd, &second, counts, 0));
    CHECK_EQ(counts[0], 1);
    int event = CHECK_OK(eventfd(0, 0)); // an anonymous inode: nothing cached
    memset(counts, 0xff, sizeof counts);
    CHECK_OK(syscall(451, event, &all, counts, 0));
    CHECK_EQ(counts[0] | counts[1] | counts[2] | counts[3] | counts[4], 0);
    CHECK_ERR(syscall(451, event, &all, counts, 1), EINVAL);
    int maps = CHECK_OK(open("/proc/self/maps", O_RDONLY)); // its owner's: nothing cached
    memset(counts, 0xff, sizeof counts);
    CHECK_OK(syscall(451, maps, &all, counts, 0));
    CHECK_EQ(counts[0] | counts[1] | counts[2] | counts[3] | counts[4], 0);
    close(maps);
    CHECK_ERR(syscall(451, fd, &all, counts, 1), EINVAL);
    CHECK_ERR(syscall(451, fd, BAD_PTR, counts, 1), EFAULT); // the range before the flags
    CHECK_ERR(syscall(451, fd, &all, BAD_PTR, 0), EFAULT);
    CHECK_ERR(syscall(451, -1, &all, counts, 0), EBADF);
    CHECK_ERR(syscall(451, 999, BAD_PTR, counts, 0), EBADF); // the descriptor first
    int path = CHECK_OK(open("f", O_PATH));
    CHECK_ERR(syscall(451, path, &all, counts, 0), EBADF);
    close(path), close(event), close(fd);
}
