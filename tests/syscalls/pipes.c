// SPDX-License-Identifier: MIT
// The pipes family: pipe, pipe2, poll, ppoll, select, pselect6.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

TEST(pipe_normal) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);
    CHECK_EQ(write(p[1], "abc", 3), 3);
    char buf[4];
    CHECK_EQ(read(p[0], buf, 4), 3);
    CHECK_MEM(buf, "abc", 3);
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_ERR(read(p[1], buf, 1), EBADF);
    close(p[1]);
    CHECK_EQ(read(p[0], buf, 4), 0); // no writer: the end
    close(p[0]);
}

TEST(pipe_edges) {
    CHECK_ERR(syscall(SYS_pipe, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_pipe2, BAD_PTR, 0), EFAULT);
    int p[2];
    CHECK_ERR(pipe2(p, O_APPEND), EINVAL);
    CHECK_ERR(pipe2(p, 0x40000000), EINVAL);
    // No writer left: SIGPIPE (ignored here) and EPIPE.
    CHECK_OK(pipe(p));
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    signal(SIGPIPE, old);
    close(p[1]);
}

TEST(pipe2_flags) {
    int p[2];
    CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
    CHECK_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    char buf[4];
    CHECK_ERR(read(p[0], buf, 4), EAGAIN);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    close(p[0]), close(p[1]);
    CHECK_OK(pipe2(p, 0));
    CHECK_EQ(fcntl(p[0], F_GETFD), 0);
    close(p[0]), close(p[1]);
}

TEST(pipe2_packet_mode) {
    int p[2];
    CHECK_OK(pipe2(p, O_DIRECT));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_DIRECT, 0); // packet mode is the writer's
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_DIRECT, O_DIRECT);
    CHECK_EQ(write(p[1], "ab", 2), 2);
    CHECK_EQ(write(p[1], "cde", 3), 3);
    char buf[16];
    CHECK_EQ(read(p[0], buf, sizeof buf), 2); // one packet a read
    CHECK_MEM(buf, "ab", 2);
    CHECK_EQ(read(p[0], buf, 2), 2); // a short read drops the rest of the packet
    CHECK_EQ(write(p[1], "f", 1), 1);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'f');
    // F_SETFL turns packet mode off and on.
    CHECK_OK(fcntl(p[1], F_SETFL, 0));
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_DIRECT, 0);
    CHECK_EQ(write(p[1], "gh", 2), 2);
    CHECK_EQ(write(p[1], "ij", 2), 2);
    CHECK_EQ(read(p[0], buf, sizeof buf), 4); // a byte stream again
    CHECK_OK(fcntl(p[1], F_SETFL, O_DIRECT));
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_DIRECT, O_DIRECT);
    CHECK_EQ(write(p[1], "kl", 2), 2);
    CHECK_EQ(write(p[1], "mn", 2), 2);
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);
    close(p[0]), close(p[1]);
}

TEST(pipe_nonblocking_write_fills) {
    int p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    int capacity = fcntl(p[1], F_GETPIPE_SZ);
    static char block[65536];
    long total = 0, n;
    while ((n = write(p[1], block, sizeof block)) > 0)
        total += n;
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(total, capacity);
    close(p[0]), close(p[1]);
}

TEST(poll_normal) {
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd fds[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    CHECK_EQ(poll(fds, 2, 0), 1);
    CHECK_EQ(fds[0].revents, 0);
    CHECK_EQ(fds[1].revents, POLLOUT);
    CHECK_EQ(write(p[1], "x", 1), 1);
    CHECK_EQ(poll(fds, 2, -1), 2);
    CHECK_EQ(fds[0].revents, POLLIN);
    close(p[1]);
    CHECK_EQ(poll(fds, 1, 0), 1);
    CHECK_EQ(fds[0].revents, POLLIN | POLLHUP);
    close(p[0]);
}

TEST(poll_edges) {
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd fds[3] = {{-1, POLLIN, 7}, {999, POLLIN, 0}, {p[0], POLLIN, 0}};
    CHECK_EQ(poll(fds, 3, 0), 1);
    CHECK_EQ(fds[0].revents, 0); // a negative fd is skipped
    CHECK_EQ(fds[1].revents, POLLNVAL);
    CHECK_EQ(fds[2].revents, 0);
    CHECK_ERR(syscall(SYS_poll, BAD_PTR, 1, 0), EFAULT);
    CHECK_EQ(syscall(SYS_poll, NULL, 0, 0), 0);
    struct rlimit limit;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
    CHECK_ERR(syscall(SYS_poll, fds, limit.rlim_cur + 1, 0), EINVAL);
    // The write end of a pipe without reader: POLLERR, whatever was asked.
    close(p[0]);
    struct pollfd w = {p[1], 0, 0};
    CHECK_EQ(poll(&w, 1, 0), 1);
    CHECK_EQ(w.revents, POLLERR);
    close(p[1]);
}

TEST(poll_timeout_without_events) {
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd fd = {p[0], POLLIN, 0};
    CHECK_EQ(poll(&fd, 1, 1), 0);
    CHECK_EQ(fd.revents, 0);
    close(p[0]), close(p[1]);
}

TEST(ppoll_normal_and_time_left) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(write(p[1], "x", 1), 1);
    struct pollfd fd = {p[0], POLLIN, 0};
    struct timespec timeout = {5, 0};
    CHECK_EQ(syscall(SYS_ppoll, &fd, 1, &timeout, NULL, 8), 1);
    CHECK_EQ(fd.revents, POLLIN);
    CHECK(timeout.tv_sec <= 5 && timeout.tv_sec >= 4); // what is left, written back
    struct timespec zero = {0, 0};
    fd.fd = p[1];
    fd.events = POLLIN;
    CHECK_EQ(syscall(SYS_ppoll, &fd, 1, &zero, NULL, 8), 0);
    CHECK_EQ(zero.tv_sec, 0);
    CHECK_EQ(zero.tv_nsec, 0);
    close(p[0]), close(p[1]);
}

TEST(ppoll_edges) {
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd fd = {p[0], POLLIN, 0};
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_ppoll, &fd, 1, &bad, NULL, 8), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(syscall(SYS_ppoll, &fd, 1, &bad, NULL, 8), EINVAL);
    struct timespec zero = {0, 0};
    CHECK_ERR(syscall(SYS_ppoll, &fd, 1, BAD_PTR, NULL, 8), EFAULT);
    sigset_t mask;
    sigemptyset(&mask);
    CHECK_ERR(syscall(SYS_ppoll, &fd, 1, &zero, &mask, 4), EINVAL); // the mask's size is 8
    CHECK_ERR(syscall(SYS_ppoll, &fd, 1, &zero, BAD_PTR, 8), EFAULT);
    CHECK_EQ(syscall(SYS_ppoll, &fd, 1, &zero, &mask, 8), 0);
    close(p[0]), close(p[1]);
}

TEST(select_normal) {
    int p[2];
    CHECK_OK(pipe(p));
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval timeout = {0, 0};
    CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &timeout), 1);
    CHECK(!FD_ISSET(p[0], &r));
    CHECK(FD_ISSET(p[1], &w));
    CHECK_EQ(write(p[1], "x", 1), 1);
    FD_SET(p[0], &r);
    FD_ZERO(&w);
    timeout.tv_sec = 5;
    CHECK_EQ(select(p[0] + 1, &r, &w, NULL, &timeout), 1);
    CHECK(FD_ISSET(p[0], &r));
    CHECK(timeout.tv_sec <= 5 && timeout.tv_sec >= 4); // what is left, written back
    close(p[0]), close(p[1]);
}

// A descriptor number that is not open, below the size of the descriptor table.
static int closed_fd(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

TEST(select_edges) {
    fd_set r;
    FD_ZERO(&r);
    int closed = closed_fd();
    FD_SET(closed, &r);
    struct timeval zero = {0, 0};
    CHECK_ERR(select(closed + 1, &r, NULL, NULL, &zero), EBADF);
    FD_ZERO(&r);
    FD_SET(1000, &r); // beyond the table: not looked at
    CHECK_EQ(select(1001, &r, NULL, NULL, &zero), 0);
    FD_ZERO(&r);
    CHECK_ERR(select(-1, &r, NULL, NULL, &zero), EINVAL);
    struct timeval bad = {-1, 0};
    CHECK_ERR(select(1, &r, NULL, NULL, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_select, 1, BAD_PTR, NULL, NULL, &zero), EFAULT);
    CHECK_ERR(syscall(SYS_select, 1, &r, NULL, NULL, BAD_PTR), EFAULT);
    CHECK_EQ(select(0, NULL, NULL, NULL, &zero), 0);
}

TEST(pselect6_normal_and_edges) {
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(write(p[1], "x", 1), 1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timespec timeout = {5, 0};
    sigset_t mask;
    sigemptyset(&mask);
    struct {
        sigset_t *mask;
        size_t size;
    } sig = {&mask, 8};
    CHECK_EQ(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &timeout, &sig), 1);
    CHECK(FD_ISSET(p[0], &r));
    CHECK(timeout.tv_sec <= 5 && timeout.tv_sec >= 4);
    sig.size = 4;
    CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &timeout, &sig), EINVAL);
    CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &timeout, BAD_PTR), EFAULT);
    struct timespec bad = {0, -1};
    CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &bad, NULL), EINVAL);
    FD_ZERO(&r);
    int closed = closed_fd();
    FD_SET(closed, &r);
    struct timespec zero = {0, 0};
    CHECK_ERR(syscall(SYS_pselect6, closed + 1, &r, NULL, NULL, &zero, NULL), EBADF);
    close(p[0]), close(p[1]);
}
