// SPDX-License-Identifier: MIT
// Edge cases of the process and time system calls, printed as facts that hold on any run
// (ids and clocks differ between runs, their relations do not), so a run under bascule
// can be compared with a native one: ids, clocks and sleeps, limits, affinity, resource
// usage, sysinfo, getcpu, the /proc/self links, getrandom.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "show.h"

static long long ns(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
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
    SHOW("bad clock", clock_gettime((clockid_t)12345, &res));
    struct timespec bad = {0, 2000000000};
    SHOW("nanosleep bad value", nanosleep(&bad, 0));
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
    SHOW("soft above hard", setrlimit(RLIMIT_NOFILE, &inverted));
    SHOW("bad resource", getrlimit(999, &lim));

    cpu_set_t cpus;
    sched_getaffinity(0, sizeof cpus, &cpus);
    printf("cpus in affinity match online: %d\n", CPU_COUNT(&cpus) == sysconf(_SC_NPROCESSORS_ONLN));
    struct rusage usage;
    printf("getrusage: %d\n", getrusage(RUSAGE_SELF, &usage));
    printf("getrusage children: %d, thread: %d\n", getrusage(RUSAGE_CHILDREN, &usage),
           getrusage(RUSAGE_THREAD, &usage));
    SHOW("getrusage bad who", getrusage(12345, &usage));
    struct sysinfo info;
    printf("sysinfo: %d\n", sysinfo(&info));
    printf("memory and uptime: %d\n",
           info.totalram > 0 && info.mem_unit > 0 && info.uptime > 0 && info.procs > 0);
    SHOW("sysinfo bad pointer", syscall(SYS_sysinfo, 8));
    printf("clock_getres without a result: %d\n", clock_getres(CLOCK_REALTIME, NULL));
    printf("monotonic resolution within 1 ms: %d\n",
           clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec <= 1000000);
    SHOW("clock_getres bad clock", clock_getres((clockid_t)12345, &res));
    struct timespec past = {1, 0};
    printf("clock_nanosleep until a past time: %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    SHOW("nanosleep bad pointer", syscall(SYS_nanosleep, 8, 0));
    printf("sched_getcpu answers: %d\n", sched_getcpu() >= 0);
    char link[64], pid[16];
    ssize_t n = readlink("/proc/self", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    snprintf(pid, sizeof pid, "%d", getpid());
    printf("/proc/self links to the pid: %d\n", !strcmp(link, pid));
    struct stat st;
    printf("/proc/self/exe is a link: %d, to a file: %d\n",
           lstat("/proc/self/exe", &st) == 0 && S_ISLNK(st.st_mode),
           stat("/proc/self/exe", &st) == 0 && S_ISREG(st.st_mode));
    char random[16];
    printf("getrandom: %ld\n", (long)syscall(SYS_getrandom, random, sizeof random, 0));
    return 3;
}
