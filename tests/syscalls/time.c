// SPDX-License-Identifier: MIT
// The time family: clock_gettime, clock_getres, clock_settime, gettimeofday, time,
// nanosleep, clock_nanosleep, times.
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
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

// The kernel's CPU clock ids (include/linux/posix-timers.h).
#define CPU_CLOCK(pid, kind) ((clockid_t)((~(unsigned)(pid) << 3) | (kind)))
#define THREAD_CPU_CLOCK(tid, kind) (CPU_CLOCK(tid, kind) | 4)
enum { CPUCLOCK_PROF = 0, CPUCLOCK_VIRT = 1, CPUCLOCK_SCHED = 2 };

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

TEST(clock_gettime_every_named_clock) {
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
        CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
        CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI};
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec t = {-1, -1};
        CHECK_OK(syscall(SYS_clock_gettime, clocks[i], &t));
        CHECK(t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
        CHECK_OK(syscall(SYS_clock_getres, clocks[i], &t));
        CHECK(t.tv_sec == 0 && t.tv_nsec > 0);
    }
}

// CLOCK_TAI is CLOCK_REALTIME plus the kernel's TAI offset, a whole number of seconds
// (0 unless set, 37 where NTP set it).
TEST(clock_tai_is_realtime_plus_whole_seconds) {
    struct timespec real, tai;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &real));
    CHECK_OK(clock_gettime(CLOCK_TAI, &tai));
    long long offset = ns_of(tai) - ns_of(real);
    long long seconds = (offset + 500000000LL) / 1000000000LL;
    CHECK(seconds >= 0 && seconds < 100);
    long long rest = offset - seconds * 1000000000LL;
    CHECK(rest >= 0 && rest < 50000000LL);
}

TEST(clock_getres_resolutions) {
    struct timespec fine, coarse;
    CHECK_OK(clock_getres(CLOCK_MONOTONIC, &fine));
    CHECK_EQ(fine.tv_nsec, 1);
    CHECK_OK(clock_getres(CLOCK_MONOTONIC_COARSE, &coarse));
    CHECK(coarse.tv_nsec >= 1000000); // a tick: 1 to 10 ms
    CHECK_OK(clock_getres(CLOCK_REALTIME_COARSE, &fine));
    CHECK_EQ(fine.tv_nsec, coarse.tv_nsec);
    // The sampled CPU clocks count at the tick, the scheduler's precisely.
    CHECK_OK(syscall(SYS_clock_getres, CPU_CLOCK(0, CPUCLOCK_PROF), &fine));
    CHECK_EQ(fine.tv_nsec, coarse.tv_nsec);
    CHECK_OK(syscall(SYS_clock_getres, CPU_CLOCK(0, CPUCLOCK_SCHED), &fine));
    CHECK_EQ(fine.tv_nsec, 1);
    CHECK_OK(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    CHECK_ERR(syscall(SYS_clock_getres, 4242, &fine), EINVAL);
    CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD_PTR), EFAULT);
}

TEST(cpu_clock_ids_of_the_process_and_thread) {
    clockid_t process, thread;
    CHECK_EQ(clock_getcpuclockid(0, &process), 0);
    CHECK_EQ(clock_getcpuclockid(getpid(), &thread), 0);
    CHECK_EQ(pthread_getcpuclockid(pthread_self(), &thread), 0);
    check_burn_cpu(2000000);
    struct timespec a, b;
    CHECK_OK(clock_gettime(process, &a));
    CHECK(ns_of(a) >= 2000000);
    CHECK_OK(clock_gettime(thread, &b));
    CHECK(ns_of(b) > 0 && ns_of(b) <= ns_of(a) + 1000000000LL);
    // Every kind, of pid 0 and of the program's own pid and tid.
    pid_t ids[] = {0, getpid()};
    for (int i = 0; i < 2; i++)
        for (int kind = 0; kind < 3; kind++) {
            CHECK_OK(syscall(SYS_clock_gettime, CPU_CLOCK(ids[i], kind), &a));
            CHECK_OK(syscall(SYS_clock_gettime, THREAD_CPU_CLOCK(ids[i], kind), &a));
        }
    CHECK_OK(syscall(SYS_clock_gettime, THREAD_CPU_CLOCK(syscall(SYS_gettid), CPUCLOCK_SCHED), &a));
}

TEST(cpu_clock_ids_edge_cases) {
    struct timespec t;
    // Kind 3 is no CPU clock; a process that does not exist; a file descriptor clock
    // whose descriptor is no clock.
    CHECK_ERR(syscall(SYS_clock_gettime, THREAD_CPU_CLOCK(0, 3), &t), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CPU_CLOCK(0x3ffffff0, CPUCLOCK_SCHED), &t), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CPU_CLOCK(0x3ffffff0, 3), &t), EINVAL);
    CHECK_ERR(syscall(SYS_clock_gettime, CPU_CLOCK(0, CPUCLOCK_SCHED), BAD_PTR), EFAULT);
    clockid_t other;
    CHECK_EQ(clock_getcpuclockid(0x3ffffff0, &other), ESRCH);
}

TEST(cpu_clocks_user_and_accounted_time) {
    // The accounted clocks advance when a tick finds the process running: run until one has.
    struct timespec user, prof, sched;
    do {
        check_burn_cpu(1000000);
        CHECK_OK(syscall(SYS_clock_gettime, CPU_CLOCK(0, CPUCLOCK_PROF), &prof));
    } while (ns_of(prof) == 0);
    CHECK_OK(syscall(SYS_clock_gettime, CPU_CLOCK(0, CPUCLOCK_VIRT), &user));
    CHECK_OK(syscall(SYS_clock_gettime, CPU_CLOCK(0, CPUCLOCK_PROF), &prof));
    CHECK_OK(syscall(SYS_clock_gettime, CPU_CLOCK(0, CPUCLOCK_SCHED), &sched));
    CHECK(ns_of(user) <= ns_of(prof));
    CHECK(ns_of(sched) > 0);
}

TEST(clock_settime_is_refused) {
    struct timespec now;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &now));
    // Linux checks the clock, then reads the time, then the privilege: EPERM for an
    // unprivileged caller (bascule's answer to every caller; as root this test only runs
    // the cases that change nothing).
    CHECK_ERR(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &now), EINVAL);
    CHECK_ERR(syscall(SYS_clock_settime, CLOCK_TAI, &now), EINVAL);
    CHECK_ERR(syscall(SYS_clock_settime, 4242, &now), EINVAL);
    CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, BAD_PTR), EFAULT);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_clock_settime, CPU_CLOCK(0, CPUCLOCK_SCHED), &now), EPERM);
    CHECK_ERR(syscall(SYS_clock_settime, CPU_CLOCK(0x3ffffff0, CPUCLOCK_SCHED), &now), EINVAL);
    if (check_capable(CAP_SYS_TIME) == 0)
        CHECK_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &now), EPERM);
}

TEST(clock_nanosleep_clocks) {
    struct timespec short_sleep = {0, 1000};
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &short_sleep, NULL));
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &short_sleep, NULL));
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_TAI, 0, &short_sleep, NULL));
    // Clocks without a sleep; the caller's own thread CPU clock.
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &short_sleep, NULL), EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &short_sleep, NULL),
              EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_COARSE, 0, &short_sleep, NULL),
              EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &short_sleep, NULL),
              EOPNOTSUPP);
    CHECK_ERR(
        syscall(SYS_clock_nanosleep, THREAD_CPU_CLOCK(0, CPUCLOCK_SCHED), 0, &short_sleep, NULL),
        EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, 4242, 0, &short_sleep, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_PTR, NULL), EFAULT);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    // The CPU clock is read after the time: EFAULT comes first.
    CHECK_ERR(syscall(SYS_clock_nanosleep, THREAD_CPU_CLOCK(0, CPUCLOCK_SCHED), 0, BAD_PTR, NULL),
              EFAULT);
}

TEST(clock_nanosleep_absolute) {
    struct timespec now, later;
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
    later = now;
    later.tv_nsec += 2000000;
    if (later.tv_nsec >= 1000000000) {
        later.tv_sec++;
        later.tv_nsec -= 1000000000;
    }
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &later, NULL));
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &now));
    CHECK(ns_of(now) >= ns_of(later));
    // A deadline in the past returns at once; so does a process CPU time already reached.
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &(struct timespec){1, 0},
                     NULL));
    CHECK_OK(syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME,
                     &(struct timespec){0, 1}, NULL));
}

TEST(nanosleep_sleeps_at_least_as_long) {
    struct timespec before, after, request = {0, 3000000};
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &before));
    CHECK_OK(nanosleep(&request, NULL));
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &after));
    CHECK(ns_of(after) - ns_of(before) >= 3000000);
}

TEST(gettimeofday_and_time_agree_with_realtime) {
    struct timeval tv;
    struct timespec ts;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &ts));
    CHECK_OK(syscall(SYS_gettimeofday, &tv, NULL));
    CHECK(tv.tv_sec >= ts.tv_sec && tv.tv_sec <= ts.tv_sec + 1);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    time_t t = 0;
    long r = syscall(SYS_time, &t);
    CHECK_EQ(r, t);
    CHECK(t >= ts.tv_sec - 1 && t <= ts.tv_sec + 1);
    CHECK_OK(syscall(SYS_gettimeofday, NULL, NULL));
    CHECK_ERR(syscall(SYS_gettimeofday, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_time, BAD_PTR), EFAULT);
}

TEST(times_agrees_with_getrusage) {
    check_burn_cpu(20000000);
    struct tms t;
    long ticks = sysconf(_SC_CLK_TCK);
    clock_t r = times(&t);
    CHECK(r != (clock_t)-1);
    struct rusage u;
    CHECK_OK(getrusage(RUSAGE_SELF, &u));
    long user_ticks = u.ru_utime.tv_sec * ticks + u.ru_utime.tv_usec / (1000000 / ticks);
    long system_ticks = u.ru_stime.tv_sec * ticks + u.ru_stime.tv_usec / (1000000 / ticks);
    CHECK(t.tms_utime <= user_ticks && t.tms_utime >= user_ticks - 2);
    CHECK(t.tms_stime <= system_ticks && t.tms_stime >= system_ticks - 2);
    CHECK(t.tms_utime + t.tms_stime >= 1);
    // The return value counts clock ticks: 20 ms later it is at least 1 more.
    struct timespec wait = {0, 20000000};
    nanosleep(&wait, NULL);
    CHECK(times(NULL) - r >= 1);
    CHECK_ERR(syscall(SYS_times, BAD_PTR), EFAULT);
}

static void ignore_alarm(int sig) { (void)sig; }

// A handled signal ends a sleep with EINTR (whatever SA_RESTART says) and the time left.
// SIGALRM comes every 10 ms, so that one lands in the sleep however late it begins.
TEST(nanosleep_interrupted_reports_the_time_left) {
    struct sigaction action = {0}, old;
    action.sa_handler = ignore_alarm;
    action.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &action, &old);
    struct itimerval every = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &every, NULL));
    struct timespec request = {100, 0}, left = {0, 0};
    CHECK_ERR(syscall(SYS_nanosleep, &request, &left), EINTR);
    CHECK(left.tv_sec >= 98 && left.tv_sec <= 100);
    left.tv_sec = 0;
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &request, &left), EINTR);
    CHECK(left.tv_sec >= 98 && left.tv_sec <= 100);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_sec += 100;
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &now, &left), EINTR);
    // A time beyond what nanoseconds hold is a very long sleep, not an error.
    struct timespec forever = {0x7fffffffffffffffLL, 999999999};
    CHECK_ERR(syscall(SYS_nanosleep, &forever, NULL), EINTR);
    CHECK_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &forever, NULL), EINTR);
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    sigaction(SIGALRM, &old, NULL);
}
