// SPDX-License-Identifier: MIT
// The timers family: alarm, setitimer and getitimer, ITIMER_REAL (monotonic time),
// ITIMER_VIRTUAL (user CPU time) and ITIMER_PROF (user + system CPU time).
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t fired[65];

static void count_signal(int sig) { fired[sig]++; }

static void catch_signal(int sig) {
    struct sigaction action = {0};
    action.sa_handler = count_signal;
    sigaction(sig, &action, NULL);
    fired[sig] = 0;
}

static void restore_default(int sig) { signal(sig, SIG_DFL); }

// Waits for SIGALRM without the race of a check before pause(): blocked until
// sigsuspend lets it in.
static void wait_for_alarm(void) {
    sigset_t blocked, during;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, &during);
    sigdelset(&during, SIGALRM);
    while (!fired[SIGALRM])
        sigsuspend(&during);
    sigprocmask(SIG_UNBLOCK, &blocked, NULL);
}

static const struct itimerval disarmed;

// Burns CPU time in user mode until the signal has come.
static void spin_until_fired(int sig) {
    while (!fired[sig])
        __asm__ volatile("" ::: "memory");
}

// Arms timer `which` once for a microsecond, waits for its signal (pausing for the real
// timer, running for the CPU ones), and checks that it fired once and is disarmed.
static void expect_one_signal(int which, int sig) {
    catch_signal(sig);
    struct itimerval once = {{0, 0}, {0, 1000}};
    CHECK_OK(setitimer(which, &once, NULL));
    if (which == ITIMER_REAL)
        wait_for_alarm();
    else
        spin_until_fired(sig);
    CHECK_EQ(fired[sig], 1);
    struct itimerval now;
    CHECK_OK(getitimer(which, &now));
    CHECK_EQ(now.it_value.tv_sec, 0);
    CHECK_EQ(now.it_value.tv_usec, 0);
    restore_default(sig);
}

TEST(itimer_real_fires_sigalrm) { expect_one_signal(ITIMER_REAL, SIGALRM); }

TEST(itimer_virtual_fires_sigvtalrm_on_cpu_time) { expect_one_signal(ITIMER_VIRTUAL, SIGVTALRM); }

TEST(itimer_prof_periodic_fires_sigprof_again) {
    catch_signal(SIGPROF);
    struct itimerval every = {{0, 1000}, {0, 1000}};
    CHECK_OK(setitimer(ITIMER_PROF, &every, NULL));
    while (fired[SIGPROF] < 3)
        __asm__ volatile("" ::: "memory");
    CHECK_OK(setitimer(ITIMER_PROF, &disarmed, NULL));
    restore_default(SIGPROF);
}

// Linux adds a tick to an armed CPU timer (it is checked at the tick), keeps the interval
// as given, and shows the value left; a disarmed timer shows its interval and 0.
TEST(itimer_cpu_values_and_old_values) {
    long tick_us;
    struct timespec tick;
    CHECK_OK(clock_getres(CLOCK_MONOTONIC_COARSE, &tick));
    tick_us = tick.tv_nsec / 1000;
    int whiches[] = {ITIMER_VIRTUAL, ITIMER_PROF};
    for (int i = 0; i < 2; i++) {
        struct itimerval set = {{0, 1}, {100, 1}}, old, now;
        CHECK_OK(setitimer(whiches[i], &set, &old));
        CHECK_EQ(old.it_value.tv_sec, 0);
        CHECK_EQ(old.it_value.tv_usec, 0);
        CHECK_OK(getitimer(whiches[i], &now));
        CHECK_EQ(now.it_interval.tv_sec, 0);
        CHECK_EQ(now.it_interval.tv_usec, 1);
        long long left = now.it_value.tv_sec * 1000000LL + now.it_value.tv_usec;
        CHECK(left <= 100000001LL + tick_us && left > 100000001LL + tick_us - 50000);
        CHECK_OK(setitimer(whiches[i], &disarmed, &old));
        CHECK_EQ(old.it_interval.tv_usec, 1);
        CHECK_EQ(old.it_value.tv_sec,
                 now.it_value.tv_sec - (now.it_value.tv_usec < old.it_value.tv_usec));
        CHECK_OK(getitimer(whiches[i], &now));
        CHECK_EQ(now.it_value.tv_sec, 0);
        CHECK_EQ(now.it_value.tv_usec, 0);
        CHECK_EQ(now.it_interval.tv_usec, 0);
    }
}

TEST(itimer_real_values_and_old_values) {
    struct itimerval set = {{0, 1}, {100, 0}}, old, now;
    CHECK_OK(setitimer(ITIMER_REAL, &set, NULL));
    CHECK_OK(getitimer(ITIMER_REAL, &now));
    CHECK_EQ(now.it_interval.tv_usec, 1);
    CHECK(now.it_value.tv_sec == 99 || now.it_value.tv_sec == 100);
    CHECK_OK(setitimer(ITIMER_REAL, &disarmed, &old));
    CHECK(old.it_value.tv_sec == 99 || old.it_value.tv_sec == 100);
    CHECK_EQ(old.it_interval.tv_usec, 1);
    // A null new value disarms (a misfeature Linux keeps).
    CHECK_OK(setitimer(ITIMER_REAL, &set, NULL));
    CHECK_OK(syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
    CHECK(old.it_value.tv_sec == 99 || old.it_value.tv_sec == 100);
    CHECK_OK(getitimer(ITIMER_REAL, &now));
    CHECK_EQ(now.it_value.tv_sec, 0);
}

TEST(setitimer_and_getitimer_bad_input) {
    struct itimerval bad = {{0, 0}, {0, 1000000}}, now;
    CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_usec = -1;
    CHECK_ERR(setitimer(ITIMER_PROF, &bad, NULL), EINVAL);
    struct itimerval bad_interval = {{0, 1000000}, {1, 0}};
    CHECK_ERR(setitimer(ITIMER_VIRTUAL, &bad_interval, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_setitimer, 3, &disarmed, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_setitimer, -1, &disarmed, NULL), EINVAL);
    // The value is read before `which` is checked.
    CHECK_ERR(syscall(SYS_setitimer, 3, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_setitimer, ITIMER_REAL, &disarmed, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_getitimer, 3, &now), EINVAL);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_PROF, BAD_PTR), EFAULT);
}

TEST(alarm_returns_the_seconds_left) {
    catch_signal(SIGALRM);
    CHECK_EQ(alarm(100), 0);
    unsigned left = alarm(50);
    CHECK(left == 100 || left == 99);
    CHECK_EQ(alarm(0), 50);
    CHECK_EQ(alarm(0), 0);
    // 1.4 s rounds to 1 (and less than half a second would too, never to 0).
    struct itimerval soon = {{0, 0}, {1, 400000}};
    CHECK_OK(setitimer(ITIMER_REAL, &soon, NULL));
    CHECK_EQ(alarm(0), 1);
    struct itimerval later = {{0, 0}, {3, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &later, NULL));
    CHECK_EQ(alarm(0), 3);
    restore_default(SIGALRM);
}

TEST(alarm_fires) {
    catch_signal(SIGALRM);
    alarm(1);
    wait_for_alarm();
    CHECK_EQ(alarm(0), 0);
    restore_default(SIGALRM);
}
