// SPDX-License-Identifier: MIT
// The zero-copy family: sendfile, splice, tee, vmsplice, copy_file_range.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

static const char kText[] = "abcdefghijklmnopqrstuvwxyz"; // 26 bytes

// A file "in" holding kText, open read-only.
static int text_file(void) {
    check_write_file("in", kText);
    return CHECK_OK(open("in", O_RDONLY));
}

static off_t position(int fd) { return lseek(fd, 0, SEEK_CUR); }

// Reads exactly `size` bytes from `fd` and compares them with `expected`.
static void check_read(int fd, const char *expected, size_t size) {
    char buf[256] = {0};
    CHECK_EQ(read(fd, buf, size), (long long)size);
    CHECK_MEM(buf, expected, size);
}

static long copy_range(int in, loff_t *off_in, int out, loff_t *off_out, size_t len,
                       unsigned flags) {
    return syscall(SYS_copy_file_range, in, off_in, out, off_out, len, flags);
}

// Fills pipe `p` (non-blocking write end) to capacity.
static void fill_pipe(int p[2]) {
    int flags = fcntl(p[1], F_GETFL);
    fcntl(p[1], F_SETFL, flags | O_NONBLOCK);
    char page[4096] = {0};
    while (write(p[1], page, sizeof page) > 0) {
    }
    fcntl(p[1], F_SETFL, flags);
}

TEST(splice_file_to_pipe_and_back) {
    int in = text_file(), p[2];
    CHECK_OK(pipe(p));
    loff_t off = 3;
    CHECK_EQ(splice(in, &off, p[1], NULL, 5, 0), 5);
    CHECK_EQ(off, 8);              // the offset moves ...
    CHECK_EQ(position(in), 0);     // ... and the position stays
    CHECK_EQ(splice(in, NULL, p[1], NULL, 4, SPLICE_F_MORE | SPLICE_F_MOVE), 4);
    CHECK_EQ(position(in), 4);     // without an offset, the position moves
    int out = CHECK_OK(open("out", O_RDWR | O_CREAT | O_TRUNC, 0600));
    CHECK_EQ(splice(p[0], NULL, out, NULL, 100, 0), 9); // what the pipe holds
    CHECK_EQ(position(out), 9);
    char buf[16] = {0};
    CHECK_EQ(pread(out, buf, sizeof buf, 0), 9);
    CHECK_MEM(buf, "defghabcd", 9);
    CHECK_EQ(write(p[1], "xyz", 3), 3);
    off = 100;
    CHECK_EQ(splice(p[0], NULL, out, &off, 3, 0), 3);
    CHECK_EQ(off, 103);
    CHECK_EQ(position(out), 9);
    // At the end of the file: nothing.
    off = 26;
    CHECK_EQ(splice(in, &off, p[1], NULL, 10, 0), 0);
    close(in), close(out), close(p[0]), close(p[1]);
}

TEST(splice_pipe_to_pipe) {
    int a[2], b[2];
    CHECK_OK(pipe(a));
    CHECK_OK(pipe(b));
    CHECK_EQ(write(a[1], kText, 26), 26);
    CHECK_EQ(splice(a[0], NULL, b[1], NULL, 10, 0), 10);
    check_read(b[0], "abcdefghij", 10);
    CHECK_ERR(splice(a[0], NULL, a[1], NULL, 10, 0), EINVAL); // one pipe with itself
    close(a[1]);
    CHECK_EQ(splice(a[0], NULL, b[1], NULL, 100, 0), 16);
    CHECK_EQ(splice(a[0], NULL, b[1], NULL, 100, 0), 0); // empty, no writer: the end
    check_read(b[0], kText + 10, 16);
    close(a[0]), close(b[0]), close(b[1]);
}

TEST(splice_errors) {
    int in = text_file(), p[2];
    CHECK_OK(pipe(p));
    int out = CHECK_OK(open("out", O_WRONLY | O_CREAT, 0600));
    int append = CHECK_OK(open("append", O_RDWR | O_CREAT | O_APPEND, 0600));
    loff_t off = 0;
    CHECK_EQ(splice(-1, NULL, -1, NULL, 0, 0), 0);    // no length: nothing checked
    CHECK_ERR(splice(p[0], NULL, out, NULL, 1, 0x10), EINVAL);
    CHECK_ERR(splice(-1, NULL, p[1], NULL, 1, 0), EBADF);
    CHECK_ERR(splice(p[0], NULL, 999, NULL, 1, 0), EBADF);
    CHECK_ERR(splice(out, NULL, p[1], NULL, 1, 0), EBADF); // not open for reading
    CHECK_ERR(splice(p[0], NULL, in, NULL, 1, 0), EBADF);  // not open for writing
    CHECK_ERR(splice(p[0], NULL, append, NULL, 1, 0), EINVAL);
    CHECK_ERR(splice(in, NULL, out, NULL, 1, 0), EINVAL);  // no pipe
    CHECK_ERR(splice(p[0], &off, out, NULL, 1, 0), ESPIPE);
    CHECK_ERR(splice(in, NULL, p[1], &off, 1, 0), ESPIPE);
    CHECK_ERR(splice(in, BAD_PTR, p[1], NULL, 1, 0), EFAULT);
    CHECK_ERR(splice(p[0], BAD_PTR, out, NULL, 1, 0), ESPIPE); // ESPIPE comes first
    off = -1;
    CHECK_ERR(splice(in, &off, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(splice(p[0], NULL, p[1], NULL, 1, SPLICE_F_NONBLOCK), EINVAL); // itself
    close(in), close(out), close(append), close(p[0]), close(p[1]);
}

TEST(splice_nonblocking) {
    int in = text_file(), p[2], q[2];
    CHECK_OK(pipe(p));
    CHECK_OK(pipe(q));
    int out = CHECK_OK(open("out", O_WRONLY | O_CREAT, 0600));
    CHECK_ERR(splice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_ERR(splice(p[0], NULL, q[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    fill_pipe(p);
    CHECK_ERR(splice(in, NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(position(in), 0);
    fcntl(p[1], F_SETFL, O_NONBLOCK); // the pipe's own O_NONBLOCK does the same
    CHECK_ERR(splice(in, NULL, p[1], NULL, 10, 0), EAGAIN);
    close(p[0]), close(p[1]);
    CHECK_OK(pipe(p));
    close(p[1]);
    CHECK_EQ(splice(p[0], NULL, out, NULL, 10, SPLICE_F_NONBLOCK), 0); // no writer
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR(splice(in, NULL, q[1], NULL, 10, 0), EPIPE); // no reader
    signal(SIGPIPE, SIG_DFL);
    close(in), close(out), close(p[0]), close(q[1]);
}

TEST(splice_interrupted) {
    int p[2];
    CHECK_OK(pipe(p));
    int out = CHECK_OK(open("out", O_WRONLY | O_CREAT, 0600));
    check_interrupts_start(20000, 0); // no SA_RESTART
    CHECK_ERR(splice(p[0], NULL, out, NULL, 10, 0), EINTR);
    check_interrupts_stop();
    close(out), close(p[0]), close(p[1]);
}

TEST(tee_copies_and_leaves) {
    int a[2], b[2];
    CHECK_OK(pipe(a));
    CHECK_OK(pipe(b));
    CHECK_EQ(write(a[1], kText, 26), 26);
    CHECK_EQ(tee(a[0], b[1], 5, 0), 5);
    CHECK_EQ(tee(a[0], b[1], 100, SPLICE_F_NONBLOCK), 26);
    check_read(b[0], "abcde", 5);
    check_read(b[0], kText, 26);
    check_read(a[0], kText, 26); // still in the first pipe
    CHECK_ERR(tee(a[0], b[1], 5, SPLICE_F_NONBLOCK), EAGAIN);
    close(a[1]);
    CHECK_EQ(tee(a[0], b[1], 5, 0), 0); // empty, no writer
    close(a[0]), close(b[0]), close(b[1]);
}

TEST(tee_errors) {
    int in = text_file(), a[2], b[2];
    CHECK_OK(pipe(a));
    CHECK_OK(pipe(b));
    CHECK_EQ(write(a[1], "x", 1), 1);
    CHECK_ERR(tee(a[0], b[1], 0, 0x10), EINVAL); // flags before the length
    CHECK_EQ(tee(-1, -1, 0, 0), 0);
    CHECK_ERR(tee(-1, b[1], 1, 0), EBADF);
    CHECK_ERR(tee(a[0], 999, 1, 0), EBADF);
    CHECK_ERR(tee(b[1], a[1], 1, 0), EBADF); // a write end to read from
    CHECK_ERR(tee(in, b[1], 1, 0), EINVAL);
    CHECK_ERR(tee(a[0], a[1], 1, 0), EINVAL); // the same pipe
    close(in), close(a[0]), close(a[1]), close(b[0]), close(b[1]);
}

TEST(vmsplice_both_ways) {
    int p[2];
    CHECK_OK(pipe(p));
    struct iovec iov[2] = {{(void *)kText, 3}, {(void *)(kText + 10), 4}};
    CHECK_EQ(vmsplice(p[1], iov, 2, 0), 7);
    char x[4] = {0}, y[8] = {0};
    struct iovec back[2] = {{x, 2}, {y, 8}};
    CHECK_EQ(vmsplice(p[0], back, 2, 0), 7); // from the read end: into memory
    CHECK_MEM(x, "ab", 2);
    CHECK_MEM(y, "cklmn", 5);
    CHECK_ERR(vmsplice(p[0], back, 2, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(vmsplice(p[1], iov, 0, 0), 0);
    // A bad buffer for the bytes: EFAULT, and they stay in the pipe.
    CHECK_EQ(write(p[1], "qrs", 3), 3);
    struct iovec bad = {BAD_PTR, 3};
    CHECK_ERR(vmsplice(p[0], &bad, 1, 0), EFAULT);
    check_read(p[0], "qrs", 3);
    CHECK_ERR(vmsplice(p[1], &bad, 1, 0), EFAULT);
    close(p[1]);
    CHECK_EQ(vmsplice(p[0], back, 2, 0), 0); // no writer
    close(p[0]);
}

TEST(vmsplice_errors) {
    int p[2];
    CHECK_OK(pipe(p));
    int file = CHECK_OK(open("f", O_WRONLY | O_CREAT, 0600));
    char buf[8];
    struct iovec iov = {buf, sizeof buf};
    CHECK_ERR(vmsplice(-1, &iov, 1, 0), EBADF);
    CHECK_ERR(vmsplice(file, &iov, 1, 0), EBADF); // not a pipe
    CHECK_ERR(vmsplice(p[1], &iov, IOV_MAX + 1, 0), EINVAL);
    CHECK_ERR(vmsplice(p[1], &iov, 1, 0x10), EINVAL);
    CHECK_ERR(vmsplice(p[1], BAD_PTR, 1, 0), EFAULT);
    fill_pipe(p);
    CHECK_ERR(vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK), EAGAIN);
    close(file), close(p[0]), close(p[1]);
}

TEST(sendfile_file_to_file) {
    int in = text_file();
    int out = CHECK_OK(open("out", O_RDWR | O_CREAT | O_TRUNC, 0600));
    off_t off = 20;
    CHECK_EQ(sendfile(out, in, &off, 100), 6); // up to the end
    CHECK_EQ(off, 26);
    CHECK_EQ(position(in), 0);
    CHECK_EQ(position(out), 6);
    CHECK_EQ(sendfile(out, in, NULL, 4), 4);
    CHECK_EQ(position(in), 4);
    CHECK_EQ(sendfile(out, in, &off, 4), 0); // at the end
    char buf[16] = {0};
    CHECK_EQ(pread(out, buf, sizeof buf, 0), 10);
    CHECK_MEM(buf, "uvwxyzabcd", 10);
    close(in), close(out);
}

TEST(sendfile_to_pipe_and_socket) {
    int in = text_file(), p[2], s[2];
    CHECK_OK(pipe(p));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    CHECK_EQ(sendfile(p[1], in, NULL, 5), 5);
    check_read(p[0], "abcde", 5);
    off_t off = 24;
    CHECK_EQ(sendfile(s[0], in, &off, 10), 2);
    check_read(s[1], "yz", 2);
    CHECK_ERR(sendfile(s[0], p[0], NULL, 10), EINVAL); // a pipe is no file to send
    close(in), close(p[0]), close(p[1]), close(s[0]), close(s[1]);
}

TEST(sendfile_errors) {
    int in = text_file(), p[2];
    CHECK_OK(pipe(p));
    int out = CHECK_OK(open("out", O_WRONLY | O_CREAT, 0600));
    int append = CHECK_OK(open("append", O_WRONLY | O_CREAT | O_APPEND, 0600));
    off_t off = 0;
    CHECK_ERR(sendfile(out, -1, NULL, 1), EBADF);
    CHECK_ERR(sendfile(-1, in, NULL, 1), EBADF);
    CHECK_ERR(sendfile(out, out, NULL, 1), EBADF); // input not open for reading
    CHECK_ERR(sendfile(in, in, NULL, 1), EBADF);   // output not open for writing
    CHECK_ERR(sendfile(out, in, BAD_PTR, 1), EFAULT);
    CHECK_ERR(sendfile(append, in, NULL, 1), EINVAL);
    CHECK_ERR(sendfile(out, p[0], &off, 1), ESPIPE);
    off = -1;
    CHECK_ERR(sendfile(out, in, &off, 1), EINVAL);
    CHECK_EQ(off, -1); // written back unchanged
    CHECK_ERR(sendfile(out, in, NULL, (size_t)-1), EINVAL);
    close(in), close(out), close(append), close(p[0]), close(p[1]);
}

TEST(copy_file_range_copies) {
    int in = text_file();
    int out = CHECK_OK(open("out", O_RDWR | O_CREAT | O_TRUNC, 0600));
    loff_t off_in = 2, off_out = 0;
    CHECK_EQ(copy_range(in, &off_in, out, &off_out, 5, 0), 5);
    CHECK_EQ(off_in, 7);
    CHECK_EQ(off_out, 5);
    CHECK_EQ(position(in), 0);
    CHECK_EQ(position(out), 0);
    CHECK_EQ(copy_range(in, NULL, out, NULL, 3, 0), 3); // the positions move
    CHECK_EQ(position(in), 3);
    CHECK_EQ(position(out), 3);
    off_in = 26;
    CHECK_EQ(copy_range(in, &off_in, out, NULL, 3, 0), 0); // at the end
    char buf[8] = {0};
    CHECK_EQ(pread(out, buf, sizeof buf, 0), 5);
    CHECK_MEM(buf, "abcfg", 5);
    // Within one file, ranges that do not overlap.
    int both = CHECK_OK(open("in", O_RDWR));
    off_in = 0, off_out = 10;
    CHECK_EQ(copy_range(both, &off_in, both, &off_out, 10, 0), 10);
    off_in = 0, off_out = 5;
    CHECK_ERR(copy_range(both, &off_in, both, &off_out, 10, 0), EINVAL);
    close(in), close(out), close(both);
}

TEST(copy_file_range_errors) {
    int in = text_file(), p[2];
    CHECK_OK(pipe(p));
    int out = CHECK_OK(open("out", O_RDWR | O_CREAT, 0600));
    int append = CHECK_OK(open("append", O_RDWR | O_CREAT | O_APPEND, 0600));
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    loff_t off = 0, big = LLONG_MAX;
    CHECK_ERR(copy_range(-1, NULL, out, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_range(in, NULL, -1, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_range(in, NULL, out, NULL, 1, 1), EINVAL);
    CHECK_ERR(copy_range(in, BAD_PTR, out, NULL, 1, 0), EFAULT);
    CHECK_ERR(copy_range(in, NULL, out, BAD_PTR, 1, 1), EFAULT); // before the flags
    CHECK_ERR(copy_range(out, NULL, in, NULL, 1, 0), EBADF); // in is read-only
    CHECK_ERR(copy_range(in, NULL, append, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_range(dir, NULL, out, NULL, 1, 0), EISDIR);
    CHECK_ERR(copy_range(p[0], NULL, out, NULL, 1, 0), EINVAL);
    CHECK_ERR(copy_range(in, NULL, out, &big, ULLONG_MAX, 0), EOVERFLOW);
    CHECK_ERR(copy_range(in, NULL, out, &big, 10, 0), EFBIG);
    off = -10; // (-1 would wrap: EOVERFLOW)
    CHECK_ERR(copy_range(in, &off, out, NULL, 1, 0), EINVAL);
    // Across file systems: EXDEV in Linux 6.x (the test directory and /dev/shm).
    int shm = open("/dev/shm/bascule-splice-test", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (shm >= 0) {
        struct stat a, b;
        fstat(in, &a), fstat(shm, &b);
        if (a.st_dev != b.st_dev)
            CHECK_ERR(copy_range(in, NULL, shm, NULL, 5, 0), EXDEV);
        unlink("/dev/shm/bascule-splice-test");
        close(shm);
    }
    close(in), close(out), close(append), close(dir), close(p[0]), close(p[1]);
}

TEST(splice_devices) {
    int p[2];
    CHECK_OK(pipe(p));
    int zero = CHECK_OK(open("/dev/zero", O_RDONLY));
    int null = CHECK_OK(open("/dev/null", O_WRONLY));
    int urandom = CHECK_OK(open("/dev/urandom", O_RDONLY));
    int efd = CHECK_OK(eventfd(0, 0));
    CHECK_EQ(splice(zero, NULL, p[1], NULL, 1009, 0), 1009);
    char buf[1009];
    memset(buf, 0xff, sizeof buf);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1009);
    CHECK_EQ(buf[0] | buf[500] | buf[1008], 0);
    CHECK_EQ(splice(urandom, NULL, p[1], NULL, 64, 0), 64);
    CHECK_EQ(splice(p[0], NULL, null, NULL, 100, 0), 64); // discarded
    CHECK_ERR(splice(efd, NULL, p[1], NULL, 8, 0), EINVAL); // no splice in eventfd
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_ERR(splice(p[0], NULL, efd, NULL, 8, 0), EINVAL);
    close(zero), close(null), close(urandom), close(efd), close(p[0]), close(p[1]);
}
