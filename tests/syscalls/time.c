// SPDX-License-Identifier: MIT
// The time family: clock_gettime, clock_getres, gettimeofday, time, nanosleep,
// clock_nanosleep, times.
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

TEST(clock_gettime_realtime_and_monotonic) {
    struct timespec a, b;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &a));
    CHECK(a.tv_sec > 1600000000);
    CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &a));
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &b));
    CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
}

TEST(clock_gettime_bad_clock_and_pointer) {
    struct timespec ts;
    CHECK_ERR(syscall(SYS_clock_gettime, 4242, &ts), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_REALTIME, BAD_PTR), EFAULT);
}

TEST(nanosleep_bad_interval) {
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_nanosleep, BAD_PTR, NULL), EFAULT);
}
