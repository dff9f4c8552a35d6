// SPDX-License-Identifier: MIT
// The epoll family: epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and
// epoll_pwait2, level- and edge-triggered, one-shot and exclusive, over pipes and eventfds.
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif

static void watch(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event e = {.events = events, .data.u64 = data};
    CHECK_OK(epoll_ctl(ep, op, fd, &e));
}

// epoll_wait with one event's room: how many (0 or 1), the event in `out`.
static int wait_one(int ep, int timeout, struct epoll_event *out) {
    out->events = 0;
    out->data.u64 = 0;
    return (int)CHECK_OK(epoll_wait(ep, out, 1, timeout));
}

TEST(epoll_create_and_flags) {
    int ep = CHECK_OK(epoll_create(1));
    CHECK_EQ(fcntl(ep, F_GETFD), 0);
    struct stat st;
    CHECK_OK(fstat(ep, &st));
    CHECK_EQ(st.st_mode & S_IFMT, 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    char buf[8];
    CHECK_ERR(read(ep, buf, sizeof buf), EINVAL);
    CHECK_ERR(write(ep, buf, sizeof buf), EINVAL);
    close(ep);
    ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    CHECK_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    close(ep);
    CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_create1, 1), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_create1, O_NONBLOCK), EINVAL);
}

TEST(epoll_ctl_errors) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    struct epoll_event e = {.events = EPOLLIN};
    CHECK_ERR(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &e), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &e), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), EINVAL);       // itself
    CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &e), EINVAL);   // no epoll
    CHECK_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], BAD_PTR), EFAULT);
    CHECK_ERR(epoll_ctl(ep, 9, p[0], &e), EINVAL);                 // unknown operation
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e), ENOENT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EEXIST);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL)); // DEL reads no event
    // An O_PATH descriptor is none to epoll_ctl: EBADF, as target or as the epoll.
    int path = CHECK_OK(open(".", O_PATH));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, path, &e), EBADF);
    CHECK_ERR(epoll_ctl(path, EPOLL_CTL_ADD, p[0], &e), EBADF);
    close(path);
    // Regular files and directories cannot be watched.
    int file = CHECK_OK(open("file", O_CREAT | O_RDWR, 0600));
    int dir = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, file, &e), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &e), EPERM);
    // So can the memory devices; /dev/random can.
    int null = CHECK_OK(open("/dev/null", O_RDONLY));
    int urandom = CHECK_OK(open("/dev/urandom", O_RDONLY));
    int random = CHECK_OK(open("/dev/random", O_RDONLY));
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &e), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, urandom, &e), EPERM);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, random, &e));
    close(null), close(urandom), close(random);
    close(file), close(dir), close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_exclusive_rules) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    struct epoll_event e = {.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT};
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EINVAL);
    e.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EINVAL);
    e.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLET;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    e.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e), EINVAL); // an exclusive item
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &e));
    e.events = EPOLLOUT | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), EINVAL); // MOD asking for it
    CHECK_OK(write(p[1], "x", 1));
    struct epoll_event out;
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_level_triggered) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x123456789abcdefull);
    struct epoll_event out;
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_EQ(write(p[1], "ab", 2), 2);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.u64, 0x123456789abcdefull);
    CHECK_EQ(wait_one(ep, 0, &out), 1); // still readable: reported again
    char buf[4];
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    // The write end: writable; both in one wait.
    watch(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 7);
    CHECK_EQ(write(p[1], "c", 1), 1);
    struct epoll_event two[4];
    CHECK_EQ(epoll_wait(ep, two, 4, -1), 2);
    CHECK_EQ(epoll_wait(ep, two, 1, -1), 1); // maxevents caps the count
    CHECK_EQ(epoll_wait(ep, two + 1, 1, -1), 1); // and the other one comes next
    CHECK(two[0].data.u64 != two[1].data.u64);
    // MOD changes what is asked and the data.
    watch(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT, 9);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_hangup_always_reported) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLRDHUP, 1); // neither EPOLLIN nor EPOLLHUP asked
    struct epoll_event out;
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    close(p[1]);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLHUP); // a pipe has no EPOLLRDHUP
    CHECK_EQ(out.data.u64, 1);
    // The write end of a pipe whose reader is gone: EPOLLERR.
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    int q[2];
    CHECK_OK(pipe(q));
    watch(ep, EPOLL_CTL_ADD, q[1], 0, 2);
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    close(q[0]);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLERR);
    CHECK_EQ(out.data.u64, 2);
    close(q[1]), close(p[0]), close(ep);
}

// EPOLLRDHUP (and poll's POLLRDHUP) when a stream socket's reading side is shut down,
// by its own shutdown(SHUT_RD) or its peer's SHUT_WR; never for a pipe (LTP epoll_wait05).
TEST(epoll_read_hangup) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLRDHUP, .data.u64 = 7}, out;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    CHECK_EQ(epoll_wait(ep, &out, 1, 1000), 1);
    CHECK_EQ(out.events, EPOLLRDHUP);
    CHECK_EQ(out.data.u64, 7);
    struct pollfd p = {sv[0], POLLRDHUP | POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLRDHUP | POLLIN);
    p.events = POLLOUT;
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT); // not asked: not reported
    int other[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, other));
    CHECK_OK(shutdown(other[0], SHUT_RD));
    p = (struct pollfd){other[0], POLLRDHUP, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLRDHUP);
    int pipe_fds[2];
    CHECK_OK(pipe(pipe_fds));
    close(pipe_fds[1]);
    p = (struct pollfd){pipe_fds[0], POLLRDHUP, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLHUP); // a pipe: hung up, never POLLRDHUP
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, BAD_PTR, 1, 0), EFAULT);
    close(pipe_fds[0]), close(other[0]), close(other[1]), close(sv[0]), close(sv[1]), close(ep);
}

TEST(epoll_edge_triggered) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 5);
    struct epoll_event out;
    CHECK_EQ(write(p[1], "abc", 3), 3);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(wait_one(ep, 0, &out), 0); // still readable, but no new data
    char buf[8];
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_EQ(wait_one(ep, 0, &out), 0); // a read brings no new data
    CHECK_EQ(write(p[1], "d", 1), 1);
    CHECK_EQ(wait_one(ep, -1, &out), 1); // new data: reported again
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_EQ(write(p[1], "e", 1), 1);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.data.u64, 5);
    close(p[0]), close(p[1]), close(ep);
}

// New data is what goes into the item's own file; writes elsewhere bring none. A pipe's
// writer hears of new room only once it found the pipe full; an eventfd's at every read.
TEST(epoll_edge_triggered_sources) {
    int ep = CHECK_OK(epoll_create1(0)), p[2], q[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    CHECK_OK(pipe2(q, O_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, 1);
    struct epoll_event out;
    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(write(q[1], "b", 1), 1); // another pipe
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    watch(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT | EPOLLET, 2);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLOUT);
    char buf[1];
    CHECK_EQ(read(p[0], buf, 1), 1); // the pipe was not full
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    int ev = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, ev, EPOLLOUT | EPOLLET, 3);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    uint64_t one = 1;
    CHECK_EQ(write(ev, &one, 8), 8);
    CHECK_EQ(wait_one(ep, 0, &out), 0); // a write brings no room
    CHECK_EQ(read(ev, &one, 8), 8);
    CHECK_EQ(wait_one(ep, -1, &out), 1); // a read does
    CHECK_EQ(out.data.u64, 3);
    close(ev), close(q[0]), close(q[1]), close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_oneshot) {
    int ep = CHECK_OK(epoll_create1(0));
    int ev = CHECK_OK(eventfd(1, EFD_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, ev, EPOLLIN | EPOLLONESHOT, 3);
    struct epoll_event out;
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(wait_one(ep, 0, &out), 0); // disarmed, though still readable
    uint64_t one = 1;
    CHECK_EQ(write(ev, &one, 8), 8);
    CHECK_EQ(wait_one(ep, 0, &out), 0); // new data does not re-arm it
    watch(ep, EPOLL_CTL_MOD, ev, EPOLLIN | EPOLLONESHOT, 4);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.data.u64, 4);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ev, &out), EEXIST); // still in the set
    close(ev), close(ep);
}

TEST(epoll_eventfd_and_close) {
    int ep = CHECK_OK(epoll_create1(0));
    int ev = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, ev, EPOLLIN | EPOLLOUT, 11);
    struct epoll_event out;
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLOUT);
    uint64_t one = 1;
    CHECK_EQ(write(ev, &one, 8), 8);
    CHECK_EQ(wait_one(ep, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLIN | EPOLLOUT);
    // Closing the only descriptor of a file ends its watch.
    close(ev);
    CHECK_EQ(wait_one(ep, 0, &out), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, ev, NULL), EBADF);
    close(ep);
}

TEST(epoll_wait_errors) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    struct epoll_event out[2];
    CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
    CHECK_ERR(epoll_wait(-1, out, 1, 0), EBADF);
    CHECK_ERR(epoll_wait(p[0], out, 1, 0), EINVAL); // no epoll
    // A buffer outside user space fails at once; one that is merely unmapped, when an
    // event is written to it.
    CHECK_ERR(syscall(SYS_epoll_wait, ep, (void *)0xffff800000000000ull, 1, 0), EFAULT);
    CHECK_EQ(syscall(SYS_epoll_wait, ep, BAD_PTR, 1, 0), 0);
    watch(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 1);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, BAD_PTR, 1, 0), EFAULT);
    close(p[0]), close(p[1]), close(ep);
}

static volatile sig_atomic_t handled;
static void on_signal(int sig) { handled = sig; }

TEST(epoll_pwait_mask_and_eintr) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1);
    struct sigaction sa = {.sa_handler = on_signal}, old;
    CHECK_OK(sigaction(SIGUSR1, &sa, &old));
    sigset_t block, empty, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &saved));
    struct epoll_event out;
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, &out, 1, -1, &empty, 4), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, &out, 1, -1, BAD_PTR, 8), EFAULT);
    CHECK_OK(raise(SIGUSR1)); // pending while blocked
    handled = 0;
    // The wait's mask lets it in: the handler runs and the wait fails with EINTR.
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, &out, 1, -1, &empty, 8), EINTR);
    CHECK_EQ(handled, SIGUSR1);
    // The mask is back: still blocked.
    sigset_t now;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR1));
    CHECK_OK(raise(SIGUSR1));
    handled = 0;
    struct timespec forever_ts = {1000, 0};
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, &out, 1, &forever_ts, &empty, 8), EINTR);
    CHECK_EQ(handled, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_SETMASK, &saved, NULL));
    CHECK_OK(sigaction(SIGUSR1, &old, NULL));
    close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_pwait2_timeouts) {
    int ep = CHECK_OK(epoll_create1(0)), p[2];
    CHECK_OK(pipe(p));
    watch(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 1);
    struct epoll_event out;
    struct timespec zero = {0, 0}, bad = {0, 1000000000}, negative = {-1, 0};
    CHECK_EQ(syscall(SYS_epoll_pwait2, ep, &out, 1, &zero, NULL, 8), 0);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, &out, 1, &bad, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, &out, 1, &negative, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, &out, 1, BAD_PTR, NULL, 8), EFAULT);
    CHECK_OK(write(p[1], "x", 1));
    CHECK_EQ(syscall(SYS_epoll_pwait2, ep, &out, 1, NULL, NULL, 8), 1); // NULL: no timeout
    CHECK_EQ(out.data.u64, 1);
    close(p[0]), close(p[1]), close(ep);
}

TEST(epoll_in_poll) {
    int ep = CHECK_OK(epoll_create1(0));
    int ev = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    watch(ep, EPOLL_CTL_ADD, ev, EPOLLIN, 1);
    struct pollfd p = {ep, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 0);
    uint64_t one = 1;
    CHECK_EQ(write(ev, &one, 8), 8);
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN);
    close(ev), close(ep);
}

TEST(epoll_nested) {
    int outer = CHECK_OK(epoll_create1(0)), inner = CHECK_OK(epoll_create1(0));
    int ev = CHECK_OK(eventfd(0, EFD_NONBLOCK));
    watch(inner, EPOLL_CTL_ADD, ev, EPOLLIN, 1);
    watch(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2);
    struct epoll_event out;
    CHECK_EQ(wait_one(outer, 0, &out), 0);
    uint64_t one = 1;
    CHECK_EQ(write(ev, &one, 8), 8);
    CHECK_EQ(wait_one(outer, -1, &out), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.u64, 2);
    CHECK_EQ(wait_one(inner, 0, &out), 1);
    CHECK_EQ(out.data.u64, 1);
    // A cycle is refused, and so is EPOLLEXCLUSIVE on an epoll.
    struct epoll_event e = {.events = EPOLLIN};
    CHECK_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &e), ELOOP);
    int third = CHECK_OK(epoll_create1(0));
    e.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(third, EPOLL_CTL_ADD, inner, &e), EINVAL);
    close(third), close(ev), close(inner), close(outer);
}

// A wait on an epoll (by poll, or by an outer epoll) wakes for its items: here a timer.
TEST(epoll_wait_wakes_through_nesting) {
    int outer = CHECK_OK(epoll_create1(0)), inner = CHECK_OK(epoll_create1(0));
    int timer = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    watch(inner, EPOLL_CTL_ADD, timer, EPOLLIN, 1);
    watch(outer, EPOLL_CTL_ADD, inner, EPOLLIN, 2);
    struct itimerspec soon = {{0, 0}, {0, 2000000}};
    CHECK_OK(timerfd_settime(timer, 0, &soon, NULL));
    struct pollfd p = {inner, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);
    uint64_t n;
    CHECK_EQ(read(timer, &n, 8), 8);
    CHECK_OK(timerfd_settime(timer, 0, &soon, NULL));
    struct epoll_event out;
    CHECK_EQ(wait_one(outer, -1, &out), 1);
    CHECK_EQ(out.data.u64, 2);
    close(timer), close(inner), close(outer);
}
