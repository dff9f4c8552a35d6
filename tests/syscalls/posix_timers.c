// SPDX-License-Identifier: MIT
// The POSIX timers family: timer_create, timer_settime, timer_gettime, timer_getoverrun
// and timer_delete, on the wall, monotonic and CPU clocks, notifying by a signal to the
// process or to one thread, by glibc's SIGEV_THREAD, or not at all. The kernel's calls are
// made directly (a timer id is an int), except for glibc's SIGEV_THREAD. Only what Linux
// guarantees about time is asserted (never early, lower bounds of overruns).
#include "check.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const long kMs = 1000000;

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

static long long now_ns(clockid_t clock) {
    struct timespec t;
    CHECK_OK(clock_gettime(clock, &t));
    return ns_of(t);
}

static long create(clockid_t clock, struct sigevent *event, int *id) {
    return syscall(SYS_timer_create, clock, event, id);
}

static long settime(int id, int flags, const struct itimerspec *wanted, struct itimerspec *old) {
    return syscall(SYS_timer_settime, id, flags, wanted, old);
}

static long gettime(int id, struct itimerspec *now) {
    return syscall(SYS_timer_gettime, id, now);
}

static long getoverrun(int id) { return syscall(SYS_timer_getoverrun, id); }

static long delete_timer(int id) { return syscall(SYS_timer_delete, id); }

static struct itimerspec spec(long long value_ns, long long interval_ns) {
    struct itimerspec it = {{interval_ns / 1000000000, interval_ns % 1000000000},
                            {value_ns / 1000000000, value_ns % 1000000000}};
    return it;
}

static struct sigevent signal_event(int sig, int value) {
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = sig;
    event.sigev_value.sival_int = value;
    return event;
}

// What the last signal's handler saw.
static volatile sig_atomic_t caught, caught_code, caught_timer, caught_overrun, caught_value;

static void on_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    caught_code = info->si_code;
    caught_timer = info->si_timerid;
    caught_overrun = info->si_overrun;
    caught_value = info->si_value.sival_int;
    caught += sig > 0;
}

static void catch_signal(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO;
    CHECK_OK(sigaction(sig, &action, NULL));
    caught = 0;
}

static void set_blocked(int sig, int how) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    CHECK_OK(sigprocmask(how, &set, NULL));
}

// Waits until the handler has run `count` times, without the race of a check before the
// wait: the signal is let in by sigsuspend alone.
static void wait_caught(int sig, int count) {
    sigset_t during;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &during));
    sigdelset(&during, sig);
    set_blocked(sig, SIG_BLOCK);
    while (caught < count)
        sigsuspend(&during);
    set_blocked(sig, SIG_UNBLOCK);
}

// Takes the pending signal `sig` (blocked), waiting at most 10 s: its siginfo.
static siginfo_t take(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    struct timespec ten = {10, 0};
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_EQ(sigtimedwait(&set, &info, &ten), sig);
    return info;
}

// Whether `sig` can be taken at once (what a timer dropped cannot).
static int take_now(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    struct timespec zero = {0, 0};
    return sigtimedwait(&set, NULL, &zero);
}

// Waits until the one-shot timer has fired: it shows 1 ns while due and not fired yet.
static void wait_fired(int id) {
    struct itimerspec now;
    struct timespec ms = {0, kMs};
    for (;;) {
        CHECK_OK(gettime(id, &now));
        if (ns_of(now.it_value) == 0)
            return;
        nanosleep(&ms, NULL);
    }
}

TEST(timer_create_clocks_and_delete) {
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID, CLOCK_BOOTTIME, CLOCK_TAI};
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        int id = -1;
        CHECK_OK(create(clocks[i], NULL, &id));
        CHECK(id >= 0);
        struct itimerspec now;
        memset(&now, 0xff, sizeof now);
        CHECK_OK(gettime(id, &now));
        CHECK_EQ(ns_of(now.it_value), 0);
        CHECK_EQ(ns_of(now.it_interval), 0);
        CHECK_EQ(getoverrun(id), 0);
        CHECK_OK(delete_timer(id));
        CHECK_ERR(delete_timer(id), EINVAL);
        CHECK_ERR(gettime(id, &now), EINVAL);
        CHECK_ERR(getoverrun(id), EINVAL);
        struct itimerspec one = spec(kMs, 0);
        CHECK_ERR(settime(id, 0, &one, NULL), EINVAL);
    }
    // The caller's own CPU clocks by id, as clock_getcpuclockid and pthread_getcpuclockid
    // make them.
    clockid_t process_clock, thread_clock;
    CHECK_EQ(clock_getcpuclockid(0, &process_clock), 0);
    CHECK_EQ(pthread_getcpuclockid(pthread_self(), &thread_clock), 0);
    int a, b;
    CHECK_OK(create(process_clock, NULL, &a));
    CHECK_OK(create(thread_clock, NULL, &b));
    CHECK(a != b);
    CHECK_OK(delete_timer(a));
    CHECK_OK(delete_timer(b));
}

TEST(timer_create_errors) {
    int id;
    struct sigevent event = signal_event(SIGUSR1, 0);
    CHECK_ERR(create(CLOCK_MONOTONIC, BAD_PTR, &id), EFAULT);
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, BAD_PTR), EFAULT);
    CHECK_ERR(create(CLOCK_MONOTONIC, NULL, BAD_PTR), EFAULT);
    CHECK_ERR(create(99, &event, &id), EINVAL);
    CHECK_ERR(create(10, &event, &id), EINVAL); // CLOCK_SGI_CYCLE: none
    // Clocks without timers, checked before the sigevent.
    CHECK_ERR(create(CLOCK_MONOTONIC_RAW, &event, &id), EOPNOTSUPP);
    CHECK_ERR(create(CLOCK_REALTIME_COARSE, &event, &id), EOPNOTSUPP);
    CHECK_ERR(create(CLOCK_MONOTONIC_COARSE, &event, &id), EOPNOTSUPP);
    // The sigevent, checked before the id is written.
    event.sigev_signo = 0;
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, BAD_PTR), EINVAL);
    event.sigev_signo = 65;
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.sigev_signo = SIGUSR1;
    event.sigev_notify = INT_MAX;
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.sigev_notify = SIGEV_THREAD | SIGEV_THREAD_ID;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event.sigev_notify = SIGEV_THREAD_ID;
    event._sigev_un._tid = 0;
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    event._sigev_un._tid = INT_MAX;
    CHECK_ERR(create(CLOCK_MONOTONIC, &event, &id), EINVAL);
    // SIGEV_NONE has no signal to check.
    event.sigev_notify = SIGEV_NONE;
    event.sigev_signo = 0;
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    CHECK_OK(delete_timer(id));
    // The alarm clocks need a wake-up clock device: where clock_gettime says there is none,
    // timer_create says EOPNOTSUPP, after writing the id.
    struct timespec t;
    if (clock_gettime(CLOCK_REALTIME_ALARM, &t) == -1 && errno == EINVAL) {
        CHECK_ERR(create(CLOCK_REALTIME_ALARM, NULL, &id), EOPNOTSUPP);
        CHECK_ERR(create(CLOCK_BOOTTIME_ALARM, NULL, &id), EOPNOTSUPP);
        CHECK_ERR(create(CLOCK_BOOTTIME_ALARM, NULL, BAD_PTR), EFAULT);
    }
}

TEST(timer_bad_ids_and_pointers) {
    struct itimerspec now, one = spec(kMs, 0), bad_nsec = spec(0, 0);
    bad_nsec.it_value.tv_nsec = 1000000000;
    CHECK_ERR(gettime(-1, &now), EINVAL);
    CHECK_ERR(gettime(INT_MAX, &now), EINVAL);
    CHECK_ERR(getoverrun(-1), EINVAL);
    CHECK_ERR(delete_timer(-1), EINVAL);
    CHECK_ERR(settime(-1, 0, &one, NULL), EINVAL);
    // settime reads and checks the new value before it looks for the timer.
    CHECK_ERR(settime(-1, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(settime(-1, 0, NULL, NULL), EINVAL);
    int id;
    CHECK_OK(create(CLOCK_MONOTONIC, NULL, &id));
    CHECK_ERR(gettime(id, NULL), EFAULT);
    CHECK_ERR(gettime(id, BAD_PTR), EFAULT);
    CHECK_ERR(settime(id, 0, NULL, NULL), EINVAL);
    CHECK_ERR(settime(id, 0, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(settime(id, 0, &bad_nsec, NULL), EINVAL);
    struct itimerspec negative = spec(kMs, 0);
    negative.it_value.tv_sec = -1;
    CHECK_ERR(settime(id, 0, &negative, NULL), EINVAL);
    negative = spec(kMs, 0);
    negative.it_interval.tv_nsec = -1;
    CHECK_ERR(settime(id, 0, &negative, NULL), EINVAL);
    // A bad old pointer fails the call after the timer was set.
    struct itimerspec later = spec(5000 * kMs, 0);
    CHECK_ERR(settime(id, 0, &later, BAD_PTR), EFAULT);
    CHECK_OK(gettime(id, &now));
    CHECK(ns_of(now.it_value) > 4000 * kMs && ns_of(now.it_value) <= 5000 * kMs);
    CHECK_OK(delete_timer(id));
}

TEST(timer_settime_old_value_and_gettime) {
    int id;
    struct sigevent event = signal_event(SIGUSR1, 0);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec first = spec(1000 * kMs, 500 * kMs), old, now;
    memset(&old, 0xff, sizeof old);
    CHECK_OK(settime(id, 0, &first, &old));
    CHECK_EQ(ns_of(old.it_value), 0);
    CHECK_EQ(ns_of(old.it_interval), 0);
    CHECK_OK(gettime(id, &now));
    CHECK(ns_of(now.it_value) > 900 * kMs && ns_of(now.it_value) <= 1000 * kMs);
    CHECK_EQ(ns_of(now.it_interval), 500 * kMs);
    struct itimerspec off = spec(0, 300 * kMs); // a zero value disarms; the interval goes too
    CHECK_OK(settime(id, 0, &off, &old));
    CHECK(ns_of(old.it_value) > 900 * kMs && ns_of(old.it_value) <= 1000 * kMs);
    CHECK_EQ(ns_of(old.it_interval), 500 * kMs);
    CHECK_OK(gettime(id, &now));
    CHECK_EQ(ns_of(now.it_value), 0);
    CHECK_EQ(ns_of(now.it_interval), 0);
    // A huge value saturates rather than wraps.
    struct itimerspec huge = spec(0, 0);
    huge.it_value.tv_sec = LONG_MAX;
    CHECK_OK(settime(id, 0, &huge, NULL));
    CHECK_OK(gettime(id, &now));
    CHECK(now.it_value.tv_sec > 1000000000);
    CHECK_OK(delete_timer(id));
}

TEST(timer_signal_siginfo) {
    catch_signal(SIGUSR1);
    int id;
    struct sigevent event = signal_event(SIGUSR1, 4242);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    long long start = now_ns(CLOCK_MONOTONIC);
    struct itimerspec once = spec(2 * kMs, 0), now;
    CHECK_OK(settime(id, 0, &once, NULL));
    wait_caught(SIGUSR1, 1);
    CHECK(now_ns(CLOCK_MONOTONIC) - start >= 2 * kMs);
    CHECK_EQ(caught_code, SI_TIMER);
    CHECK_EQ(caught_timer, id);
    CHECK_EQ(caught_overrun, 0);
    CHECK_EQ(caught_value, 4242);
    CHECK_OK(gettime(id, &now)); // a one-shot timer that fired is disarmed
    CHECK_EQ(ns_of(now.it_value), 0);
    CHECK_OK(delete_timer(id));
    // Without a sigevent: SIGALRM with the timer's id as its value.
    catch_signal(SIGALRM);
    CHECK_OK(create(CLOCK_REALTIME, NULL, &id));
    CHECK_OK(settime(id, 0, &once, NULL));
    wait_caught(SIGALRM, 1);
    CHECK_EQ(caught_code, SI_TIMER);
    CHECK_EQ(caught_value, id);
    CHECK_OK(delete_timer(id));
    signal(SIGALRM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

TEST(timer_absolute_time) {
    catch_signal(SIGUSR1);
    int id;
    struct sigevent event = signal_event(SIGUSR1, 0);
    CHECK_OK(create(CLOCK_REALTIME, &event, &id));
    long long target = now_ns(CLOCK_REALTIME) + 3 * kMs;
    struct itimerspec at = spec(target, 0);
    CHECK_OK(settime(id, TIMER_ABSTIME, &at, NULL));
    wait_caught(SIGUSR1, 1);
    CHECK(now_ns(CLOCK_REALTIME) >= target);
    // A time already past fires at once.
    at = spec(now_ns(CLOCK_REALTIME) - 1000 * kMs, 0);
    CHECK_OK(settime(id, TIMER_ABSTIME, &at, NULL));
    wait_caught(SIGUSR1, 2);
    CHECK_OK(delete_timer(id));
    signal(SIGUSR1, SIG_DFL);
}

TEST(timer_overrun_counted_when_taken) {
    set_blocked(SIGUSR2, SIG_BLOCK);
    int id;
    struct sigevent event = signal_event(SIGUSR2, 7);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec every_ms = spec(kMs, kMs);
    CHECK_OK(settime(id, 0, &every_ms, NULL));
    struct timespec twenty = {0, 20 * kMs};
    nanosleep(&twenty, NULL);
    CHECK_EQ(getoverrun(id), 0); // nothing taken yet
    siginfo_t info = take(SIGUSR2);
    CHECK_EQ(info.si_code, SI_TIMER);
    CHECK_EQ(info.si_value.sival_int, 7);
    CHECK(info.si_overrun >= 19); // 20 expirations at least, one signal
    CHECK_EQ(getoverrun(id), info.si_overrun);
    // Re-armed as it was taken: its next expiration is at most an interval away.
    struct itimerspec now;
    CHECK_OK(gettime(id, &now));
    CHECK(ns_of(now.it_value) > 0 && ns_of(now.it_value) <= kMs);
    // A setting starts the count again.
    struct itimerspec off = spec(0, 0);
    CHECK_OK(settime(id, 0, &off, NULL));
    CHECK_EQ(getoverrun(id), 0);
    // The signal raised before the setting is dropped when taken.
    CHECK_ERR(take_now(SIGUSR2), EAGAIN);
    CHECK_OK(delete_timer(id));
    set_blocked(SIGUSR2, SIG_UNBLOCK);
}

TEST(timer_overrun_capped) {
    // A 1 ns period that began seconds ago: more overruns than an int holds (LTP's
    // timer_settime03, CVE-2018-12896).
    if (now_ns(CLOCK_MONOTONIC) < 4000 * kMs)
        return; // the monotonic clock has not run long enough
    set_blocked(SIGUSR2, SIG_BLOCK);
    int id;
    struct sigevent event = signal_event(SIGUSR2, 0);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec past = spec(now_ns(CLOCK_MONOTONIC) - 3000 * kMs, 1);
    CHECK_OK(settime(id, TIMER_ABSTIME, &past, NULL));
    siginfo_t info = take(SIGUSR2);
    CHECK_EQ(info.si_overrun, INT_MAX);
    CHECK_EQ(getoverrun(id), INT_MAX);
    // Deleted with its next signal pending: that signal is dropped.
    CHECK_OK(delete_timer(id));
    CHECK_ERR(take_now(SIGUSR2), EAGAIN);
    set_blocked(SIGUSR2, SIG_UNBLOCK);
}

TEST(timer_signal_through_signalfd) {
    set_blocked(SIGUSR2, SIG_BLOCK);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    int fd = CHECK_OK(signalfd(-1, &set, 0));
    int id;
    struct sigevent event = signal_event(SIGUSR2, 31);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec every_ms = spec(kMs, kMs);
    CHECK_OK(settime(id, 0, &every_ms, NULL));
    struct timespec ten = {0, 10 * kMs};
    nanosleep(&ten, NULL);
    struct signalfd_siginfo record;
    CHECK_EQ(read(fd, &record, sizeof record), sizeof record);
    CHECK_EQ(record.ssi_signo, SIGUSR2);
    CHECK_EQ(record.ssi_code, SI_TIMER);
    CHECK_EQ(record.ssi_tid, id);
    CHECK(record.ssi_overrun >= 9);
    CHECK_EQ(record.ssi_int, 31);
    CHECK_EQ(record.ssi_ptr, 31);
    CHECK_EQ(record.ssi_pid, 0);
    CHECK_EQ(getoverrun(id), record.ssi_overrun);
    CHECK_OK(delete_timer(id));
    take_now(SIGUSR2); // one raised since, if any, is dropped
    close(fd);
    set_blocked(SIGUSR2, SIG_UNBLOCK);
}

TEST(timer_sigev_none) {
    int id;
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_NONE;
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec periodic = spec(kMs, kMs), once = spec(kMs, 0), now;
    CHECK_OK(settime(id, 0, &periodic, NULL));
    struct timespec five = {0, 5 * kMs};
    nanosleep(&five, NULL);
    CHECK_OK(gettime(id, &now)); // moved past now, never expired
    CHECK(ns_of(now.it_value) > 0 && ns_of(now.it_value) <= kMs);
    CHECK_EQ(ns_of(now.it_interval), kMs);
    CHECK_EQ(getoverrun(id), 0);
    CHECK_OK(settime(id, 0, &once, NULL));
    nanosleep(&five, NULL);
    CHECK_OK(gettime(id, &now)); // an expired one-shot SIGEV_NONE timer shows 0
    CHECK_EQ(ns_of(now.it_value), 0);
    sigset_t pending;
    CHECK_OK(sigpending(&pending));
    CHECK_EQ(sigismember(&pending, SIGALRM), 0);
    CHECK_OK(delete_timer(id));
}

TEST(timer_sigev_none_disarmed_keeps_expiry) {
    // Disarming a SIGEV_NONE timer leaves its hrtimer the old expiry, which timer_gettime
    // still counts down (common_timer_get).
    int id;
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_NONE;
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec second = spec(1000 * kMs, 0), off = spec(0, 0), now;
    CHECK_OK(settime(id, 0, &second, NULL));
    CHECK_OK(settime(id, 0, &off, NULL));
    CHECK_OK(gettime(id, &now));
    CHECK(ns_of(now.it_value) > 900 * kMs && ns_of(now.it_value) <= 1000 * kMs);
    CHECK_EQ(ns_of(now.it_interval), 0);
    CHECK_OK(delete_timer(id));
}

TEST(timer_ignored_signals) {
    // An ignored one-shot timer's signal is lost: a handler installed later sees nothing.
    signal(SIGUSR2, SIG_IGN);
    int id;
    struct sigevent event = signal_event(SIGUSR2, 5);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec once = spec(kMs, 0), every_ms = spec(kMs, kMs), now;
    CHECK_OK(settime(id, 0, &once, NULL));
    wait_fired(id);
    catch_signal(SIGUSR2);
    getpid(); // a system call's end, where a pending signal would be delivered
    CHECK_EQ(caught, 0);
    // An ignored periodic timer waits with its signal parked, its expirations counted;
    // the handler gets the signal as soon as it is installed, with every one missed.
    signal(SIGUSR2, SIG_IGN);
    CHECK_OK(settime(id, 0, &every_ms, NULL));
    struct timespec twenty = {0, 20 * kMs};
    nanosleep(&twenty, NULL);
    CHECK_OK(gettime(id, &now));
    CHECK(ns_of(now.it_value) > 0 && ns_of(now.it_value) <= kMs);
    set_blocked(SIGUSR2, SIG_BLOCK);
    catch_signal(SIGUSR2);
    siginfo_t info = take(SIGUSR2);
    CHECK_EQ(info.si_code, SI_TIMER);
    CHECK_EQ(info.si_value.sival_int, 5);
    CHECK(info.si_overrun >= 19);
    CHECK_OK(delete_timer(id));
    take_now(SIGUSR2); // one raised since, if any
    set_blocked(SIGUSR2, SIG_UNBLOCK);
    signal(SIGUSR2, SIG_DFL);
}

static volatile pid_t waiter_tid;
static volatile sig_atomic_t waiter_got;

static void *wait_for_timer(void *unused) {
    (void)unused;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    waiter_tid = (pid_t)syscall(SYS_gettid);
    siginfo_t info;
    struct timespec ten = {10, 0};
    if (sigtimedwait(&set, &info, &ten) == SIGUSR1 && info.si_code == SI_TIMER)
        waiter_got = 1;
    return NULL;
}

TEST(timer_sigev_thread_id) {
    catch_signal(SIGUSR1); // the main thread would run it if the signal were the process's
    waiter_tid = 0;
    waiter_got = 0;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, wait_for_timer, NULL), 0);
    while (!waiter_tid)
        sched_yield();
    int id;
    struct sigevent event = signal_event(SIGUSR1, 0);
    event.sigev_notify = SIGEV_THREAD_ID;
    event._sigev_un._tid = waiter_tid;
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec once = spec(2 * kMs, 0);
    CHECK_OK(settime(id, 0, &once, NULL));
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(waiter_got, 1);
    CHECK_EQ(caught, 0);
    CHECK_OK(delete_timer(id));
    signal(SIGUSR1, SIG_DFL);
}

static sem_t callback_ran;
static volatile int callback_value;

static void timer_callback(union sigval value) {
    callback_value = value.sival_int;
    sem_post(&callback_ran);
}

TEST(timer_glibc_sigev_thread) {
    sem_init(&callback_ran, 0, 0);
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_THREAD;
    event.sigev_notify_function = timer_callback;
    event.sigev_value.sival_int = 99;
    timer_t timer;
    CHECK_OK(timer_create(CLOCK_MONOTONIC, &event, &timer));
    struct itimerspec once = spec(2 * kMs, 0);
    CHECK_OK(timer_settime(timer, 0, &once, NULL));
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    CHECK_OK(sem_timedwait(&callback_ran, &deadline));
    CHECK_EQ(callback_value, 99);
    CHECK_OK(timer_delete(timer));
    sem_destroy(&callback_ran);
}

TEST(timer_cpu_clocks) {
    static const clockid_t clocks[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    catch_signal(SIGUSR1);
    for (unsigned i = 0; i < 2; i++) {
        int id;
        struct sigevent event = signal_event(SIGUSR1, 0);
        CHECK_OK(create(clocks[i], &event, &id));
        caught = 0;
        long long target = now_ns(clocks[i]) + 20 * kMs;
        struct itimerspec once = spec(20 * kMs, 0), now;
        CHECK_OK(settime(id, 0, &once, NULL));
        CHECK_OK(gettime(id, &now));
        CHECK(ns_of(now.it_value) > 0 && ns_of(now.it_value) <= 20 * kMs);
        for (int spins = 0; !caught && spins < 1000; spins++)
            check_burn_cpu(kMs);
        CHECK_EQ(caught, 1);
        CHECK(now_ns(clocks[i]) >= target); // never early
        CHECK_OK(delete_timer(id));
    }
    signal(SIGUSR1, SIG_DFL);
}

TEST(timer_discarded_signal_rearms) {
    // A periodic timer whose pending signal is discarded (its action set to SIG_IGN) goes
    // on: once a handler is back, its signals come again.
    set_blocked(SIGUSR2, SIG_BLOCK);
    int id;
    struct sigevent event = signal_event(SIGUSR2, 0);
    CHECK_OK(create(CLOCK_MONOTONIC, &event, &id));
    struct itimerspec every_ms = spec(kMs, kMs);
    CHECK_OK(settime(id, 0, &every_ms, NULL));
    struct timespec five = {0, 5 * kMs};
    nanosleep(&five, NULL);
    signal(SIGUSR2, SIG_IGN);
    catch_signal(SIGUSR2);
    set_blocked(SIGUSR2, SIG_UNBLOCK);
    wait_caught(SIGUSR2, 3);
    CHECK_EQ(caught_code, SI_TIMER);
    CHECK_OK(delete_timer(id));
    signal(SIGUSR2, SIG_DFL);
}

TEST(timer_not_inherited_by_fork) {
    int id;
    CHECK_OK(create(CLOCK_MONOTONIC, NULL, &id));
    pid_t child = fork();
    if (child == 0) {
        struct itimerspec now;
        CHECK_ERR(gettime(id, &now), EINVAL);
        int first = -1;
        CHECK_OK(create(CLOCK_MONOTONIC, NULL, &first));
        CHECK_EQ(first, 0); // a new process numbers its timers from 0
        _exit(check_failure_count());
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_OK(delete_timer(id));
}
