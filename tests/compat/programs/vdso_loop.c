// SPDX-License-Identifier: MIT
// glibc's time calls, many times over (clock_gettime in a loop, gettimeofday, time,
// sched_getcpu, clock_getres), printing facts that hold on any run. glibc serves them
// from the vDSO, so under `bascule run --strace` none may show as a system call
// (vdso_strace.sh). Then one write(2) call site of glibc's, run often enough that the
// LibOS patches it (core/libos/README.md, "Patched system call sites").
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum { kRounds = 2000 };

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    printf("a vDSO: %d\n", getauxval(AT_SYSINFO_EHDR) != 0);
    struct timespec last, now;
    int backwards = 0, failures = 0;
    clock_gettime(CLOCK_MONOTONIC, &last);
    for (int i = 0; i < kRounds; i++) {
        failures += clock_gettime(i % 2 ? CLOCK_MONOTONIC : CLOCK_REALTIME, &now) != 0;
        if (i % 2) {
            backwards += ns(now) < ns(last);
            last = now;
        }
        struct timeval tv;
        struct timezone tz;
        failures += gettimeofday(&tv, &tz) != 0;
        failures += time(NULL) < 1600000000;
        failures += sched_getcpu() < 0;
        failures += clock_getres(CLOCK_MONOTONIC, &now) != 0;
    }
    printf("%d rounds, %d failures, monotonic went back %d times\n", kRounds, failures,
           backwards);
    fflush(stdout);
    for (int i = 0; i < 64; i++)
        failures += write(1, i == 63 ? "\n" : ".", 1) != 1;
    return failures != 0;
}
