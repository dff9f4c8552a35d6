// SPDX-License-Identifier: MIT
// Edge cases of the process and time system calls, printed as facts that hold on any run
// (ids and clocks differ between runs, their relations do not), so a run under bascule
// can be compared with a native one.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// Prints a call's result and, for a failure, its errno (read after the call).
static void report(const char *what, int result) {
    printf("%s: %d %s\n", what, result, result < 0 ? strerror(errno) : "ok");
}

int main(void) {
    struct utsname u;
    uname(&u);
    printf("uname: %s %s\n", u.sysname, u.machine);
    printf("pid stable: %d, tid is pid: %d, parent differs: %d\n", getpid() == getpid(),
           (long)syscall(SYS_gettid) == getpid(), getppid() != getpid());
    printf("uid matches euid: %d\n", getuid() == geteuid());

    long long m1 = ns(CLOCK_MONOTONIC), r1 = ns(CLOCK_REALTIME);
    struct timespec nap = {0, 20 * 1000000};
    printf("nanosleep: %d\n", nanosleep(&nap, 0));
    long long m2 = ns(CLOCK_MONOTONIC);
    printf("slept at least 20 ms: %d, not over 2 s: %d\n", m2 - m1 >= 20000000,
           m2 - m1 < 2000000000);
    struct timeval tv;
    gettimeofday(&tv, 0);
    printf("gettimeofday near realtime: %d\n",
           tv.tv_sec * 1000000000LL + tv.tv_usec * 1000 - r1 < 2000000000LL);
    printf("time() near realtime: %d\n", (long long)time(0) - r1 / 1000000000 < 3);
    struct timespec res;
    printf("clock_getres: %d\n", clock_getres(CLOCK_MONOTONIC, &res));
    report("bad clock", clock_gettime((clockid_t)12345, &res));
    struct timespec bad = {0, 2000000000};
    report("nanosleep bad value", nanosleep(&bad, 0));
    printf("cpu time counts: %d\n", ns(CLOCK_PROCESS_CPUTIME_ID) > 0);

    struct rlimit lim;
    getrlimit(RLIMIT_STACK, &lim);
    printf("stack limit set: %d\n", lim.rlim_cur > 0);
    getrlimit(RLIMIT_NOFILE, &lim);
    struct rlimit lower = {lim.rlim_cur / 2, lim.rlim_max};
    printf("lower NOFILE: %d\n", setrlimit(RLIMIT_NOFILE, &lower));
    getrlimit(RLIMIT_NOFILE, &lim);
    printf("lowered: %d\n", lim.rlim_cur == lower.rlim_cur);
    struct rlimit inverted = {lim.rlim_max, lim.rlim_cur};
    report("soft above hard", setrlimit(RLIMIT_NOFILE, &inverted));
    report("bad resource", getrlimit(999, &lim));

    cpu_set_t cpus;
    sched_getaffinity(0, sizeof cpus, &cpus);
    printf("cpus in affinity match online: %d\n", CPU_COUNT(&cpus) == sysconf(_SC_NPROCESSORS_ONLN));
    struct rusage usage;
    printf("getrusage: %d\n", getrusage(RUSAGE_SELF, &usage));
    char random[16];
    printf("getrandom: %ld\n", (long)syscall(SYS_getrandom, random, sizeof random, 0));
    return 3;
}
