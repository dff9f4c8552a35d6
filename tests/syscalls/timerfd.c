// SPDX-License-Identifier: MIT
// The timerfd family: timerfd_create, timerfd_settime, timerfd_gettime, and a timerfd's
// reads and readiness for poll, select and epoll. The waits sleep on the timers
// themselves; only what Linux guarantees is asserted (at least one expiration, never
// early, values within their bounds).
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

static const long kMs = 1000000;

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

static long long now_ns(clockid_t clock) {
    struct timespec t;
    CHECK_OK(clock_gettime(clock, &t));
    return ns_of(t);
}

static void arm(int fd, int flags, long long value_ns, long long interval_ns) {
    struct itimerspec it = {{interval_ns / 1000000000, interval_ns % 1000000000},
                            {value_ns / 1000000000, value_ns % 1000000000}};
    CHECK_OK(timerfd_settime(fd, flags, &it, NULL));
}

static uint64_t expirations(int fd) {
    uint64_t n = 0;
    CHECK_EQ(read(fd, &n, sizeof n), 8);
    return n;
}

TEST(timerfd_create_flags) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & S_IFMT, 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    close(fd);
    fd = CHECK_OK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
    close(CHECK_OK(timerfd_create(CLOCK_BOOTTIME, 0)));
    CHECK_ERR(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 1), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, O_APPEND), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_create, CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_create, CLOCK_MONOTONIC_RAW, 0), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_create, 99, 0), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_create, -1, 0), EINVAL);
}

TEST(timerfd_alarm_clocks) {
    // CAP_WAKE_ALARM: the superuser has it here, an ordinary user does not.
    if (geteuid() == 0) {
        close(CHECK_OK(timerfd_create(CLOCK_REALTIME_ALARM, 0)));
        close(CHECK_OK(timerfd_create(CLOCK_BOOTTIME_ALARM, 0)));
    } else {
        CHECK_ERR(timerfd_create(CLOCK_REALTIME_ALARM, 0), EPERM);
        CHECK_ERR(timerfd_create(CLOCK_BOOTTIME_ALARM, 0), EPERM);
    }
}

TEST(timerfd_settime_and_gettime) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec it;
    memset(&it, 0xff, sizeof it);
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK_EQ(ns_of(it.it_value), 0); // disarmed
    CHECK_EQ(ns_of(it.it_interval), 0);
    arm(fd, 0, 100ll * 1000000000, 1000000000);
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK(ns_of(it.it_value) > 0 && ns_of(it.it_value) <= 100ll * 1000000000);
    CHECK_EQ(ns_of(it.it_interval), 1000000000);
    // The old setting comes back from the next settime.
    struct itimerspec zero = {{0, 0}, {0, 0}}, old;
    CHECK_OK(timerfd_settime(fd, 0, &zero, &old));
    CHECK(ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 100ll * 1000000000);
    CHECK_EQ(ns_of(old.it_interval), 1000000000);
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK_EQ(ns_of(it.it_value), 0);
    uint64_t n;
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    // An absolute deadline a long way off.
    arm(fd, TFD_TIMER_ABSTIME, now_ns(CLOCK_MONOTONIC) + 50ll * 1000000000, 0);
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK(ns_of(it.it_value) > 0 && ns_of(it.it_value) <= 50ll * 1000000000);
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    close(fd);
}

TEST(timerfd_settime_errors) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0)), p[2];
    CHECK_OK(pipe(p));
    struct itimerspec it = {{0, 0}, {1000, 0}}, old;
    CHECK_ERR(timerfd_settime(fd, 4, &it, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_timerfd_settime, fd, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_timerfd_settime, 999, 0, BAD_PTR, NULL), EFAULT); // copy first
    CHECK_ERR(timerfd_settime(999, 0, &it, NULL), EBADF);
    CHECK_ERR(timerfd_settime(p[0], 0, &it, NULL), EINVAL);
    CHECK_ERR(timerfd_settime(999, 8, &it, NULL), EINVAL); // flags before the descriptor
    struct itimerspec bad = {{0, 0}, {0, 1000000000}};
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec){{0, -1}, {1, 0}};
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec){{0, 0}, {-1, 0}};
    CHECK_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    // A bad old-value pointer fails after the timer is set.
    CHECK_ERR(syscall(SYS_timerfd_settime, fd, 0, &it, BAD_PTR), EFAULT);
    CHECK_OK(timerfd_gettime(fd, &old));
    CHECK(ns_of(old.it_value) > 0);
    CHECK_ERR(syscall(SYS_timerfd_gettime, fd, BAD_PTR), EFAULT);
    CHECK_ERR(timerfd_gettime(999, &old), EBADF);
    CHECK_ERR(timerfd_gettime(p[0], &old), EINVAL);
    // TFD_TIMER_CANCEL_ON_SET is accepted, with or without an absolute real-time deadline.
    CHECK_OK(timerfd_settime(fd, TFD_TIMER_CANCEL_ON_SET, &it, NULL));
    int rt = CHECK_OK(timerfd_create(CLOCK_REALTIME, 0));
    struct itimerspec later = {{0, 0}, {now_ns(CLOCK_REALTIME) / 1000000000 + 100, 0}};
    CHECK_OK(timerfd_settime(rt, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &later, NULL));
    close(rt), close(p[0]), close(p[1]), close(fd);
}

TEST(timerfd_reads) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    uint32_t small;
    CHECK_ERR(read(fd, &small, sizeof small), EINVAL);
    uint64_t n;
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    CHECK_ERR(write(fd, &n, sizeof n), EINVAL);
    // An absolute deadline that has passed: expired at once.
    arm(fd, TFD_TIMER_ABSTIME, 1, 0);
    CHECK_EQ(expirations(fd), 1);
    CHECK_ERR(read(fd, &n, sizeof n), EAGAIN);
    struct itimerspec it;
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK_EQ(ns_of(it.it_value), 0); // a one-shot timer is over
    // Periodic from a past deadline: many expirations at once, then the next in the future.
    arm(fd, TFD_TIMER_ABSTIME, 1, 1000000000);
    CHECK(expirations(fd) >= 1);
    CHECK_OK(timerfd_gettime(fd, &it));
    CHECK(ns_of(it.it_value) > 0 && ns_of(it.it_value) <= 1000000000);
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, 8), EAGAIN);
    close(fd);
}

TEST(timerfd_blocking_read) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, 0));
    long long start = now_ns(CLOCK_MONOTONIC);
    arm(fd, 0, 5 * kMs, 0);
    CHECK(expirations(fd) >= 1);
    CHECK(now_ns(CLOCK_MONOTONIC) - start >= 5 * kMs); // never early
    // Periodic: each read waits for the next expiration.
    arm(fd, 0, 2 * kMs, 2 * kMs);
    CHECK(expirations(fd) >= 1);
    CHECK(expirations(fd) >= 1);
    close(fd);
    fd = CHECK_OK(timerfd_create(CLOCK_REALTIME, 0));
    arm(fd, TFD_TIMER_ABSTIME, now_ns(CLOCK_REALTIME) + 2 * kMs, 0);
    CHECK_EQ(expirations(fd), 1);
    close(fd);
}

TEST(timerfd_poll_select_epoll) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    CHECK_EQ(poll(&p, 1, 0), 0);
    arm(fd, 0, 2 * kMs, 0);
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_EQ(expirations(fd), 1);
    CHECK_EQ(poll(&p, 1, 0), 0);
    arm(fd, 0, 2 * kMs, 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    CHECK_EQ(select(fd + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(fd, &r));
    CHECK_EQ(expirations(fd), 1);
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 77};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
    CHECK_EQ(epoll_wait(ep, &e, 1, 0), 0);
    arm(fd, 0, 2 * kMs, 2 * kMs);
    CHECK_EQ(epoll_wait(ep, &e, 1, -1), 1);
    CHECK_EQ(e.events, EPOLLIN);
    CHECK_EQ(e.data.u64, 77);
    CHECK(expirations(fd) >= 1);
    CHECK_EQ(epoll_wait(ep, &e, 1, -1), 1); // the next period
    close(ep), close(fd);
}

// A child of fork holds the same timer: its read takes the expiration the parent then does
// not find, and its settime is the parent's too (one open file description, as on Linux).
TEST(timerfd_shared_after_fork) {
    int fd = CHECK_OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    struct itimerspec once = {{0, 0}, {0, 1000000}}, later = {{0, 0}, {100, 0}}, now;
    CHECK_OK(timerfd_settime(fd, 0, &once, NULL));
    usleep(20000);
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        uint64_t n = 0;
        _exit(read(fd, &n, 8) == 8 && n == 1 ? 0 : 1);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    uint64_t n;
    CHECK_ERR(read(fd, &n, 8), EAGAIN); // taken by the child
    child = CHECK_OK(fork());
    if (child == 0)
        _exit(timerfd_settime(fd, 0, &later, NULL) == 0 ? 0 : 1);
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_OK(timerfd_gettime(fd, &now));
    CHECK(now.it_value.tv_sec >= 50 && now.it_value.tv_sec <= 100);
    CHECK_ERR(syscall(SYS_timerfd_gettime, fd, BAD_PTR), EFAULT);
    CHECK_ERR(timerfd_settime(-1, 0, &later, NULL), EBADF);
    CHECK_ERR(timerfd_settime(fd, 8, &later, NULL), EINVAL);
    close(fd);
}
