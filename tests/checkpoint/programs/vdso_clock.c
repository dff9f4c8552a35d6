// SPDX-License-Identifier: MIT
// A checkpoint test workload that lives in the vDSO:
//   vdso_clock TICKS INTERVAL_MS
// Prints "tick N" TICKS times, INTERVAL_MS apart, timing each interval by calling
// clock_gettime through the vDSO in a loop (so a capture almost always lands in a vDSO
// call), and checks each tick that the vDSO is still where AT_SYSINFO_EHDR says, listed
// as [vdso], and that its functions (found with dlvsym, version LINUX_2.6, and through
// glibc) agree with the system calls. The output depends only on the arguments.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hold.h"

typedef int (*clock_fn)(clockid_t, struct timespec *);
typedef int (*timeofday_fn)(struct timeval *, struct timezone *);

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long syscall_ns(clockid_t clock) {
    struct timespec t;
    syscall(SYS_clock_gettime, clock, &t);
    return ns(t);
}

// Whether maps lists [vdso] starting at `base`.
static int listed_at(uintptr_t base) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps && fgets(line, sizeof line, maps))
        found |= strtoull(line, NULL, 16) == base && strstr(line, " [vdso]\n") != NULL;
    if (maps)
        fclose(maps);
    return found;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s TICKS INTERVAL_MS\n", argv[0]);
        return 2;
    }
    int ticks = atoi(argv[1]);
    long long interval = atoll(argv[2]) * 1000000;
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    void *vdso = dlopen("linux-vdso.so.1", RTLD_NOW | RTLD_NOLOAD);
    clock_fn gettime = vdso ? (clock_fn)dlvsym(vdso, "__vdso_clock_gettime", "LINUX_2.6") : 0;
    timeofday_fn timeofday =
        vdso ? (timeofday_fn)dlvsym(vdso, "__vdso_gettimeofday", "LINUX_2.6") : 0;
    printf("a vDSO with clock_gettime and gettimeofday: %d\n", base && gettime && timeofday);
    fflush(stdout);
    if (!gettime || !timeofday)
        return 1;
    for (int tick = 1; tick <= ticks; tick++) {
        struct timespec start, now;
        long long calls = 0, backwards = 0, last;
        gettime(CLOCK_MONOTONIC, &start);
        last = ns(start);
        do {
            gettime(CLOCK_MONOTONIC, &now);
            backwards += ns(now) < last;
            last = ns(now);
            calls++;
        } while (ns(now) - ns(start) < interval);
        long long before = syscall_ns(CLOCK_REALTIME);
        struct timespec real;
        int result = clock_gettime(CLOCK_REALTIME, &real); // glibc, through the vDSO
        struct timeval tv;
        timeofday(&tv, NULL);
        long long after = syscall_ns(CLOCK_REALTIME);
        int agrees = result == 0 && before <= ns(real) && ns(real) <= after &&
                     before / 1000 <= tv.tv_sec * 1000000LL + tv.tv_usec &&
                     tv.tv_sec * 1000000LL + tv.tv_usec <= after / 1000;
        int in_place = memcmp((const void *)base, ELFMAG, SELFMAG) == 0 && listed_at(base);
        printf("tick %d: vDSO in place %d, agrees with the system call %d, went back %lld "
               "times, called %s\n",
               tick, in_place, agrees, backwards, calls > 1 ? "many times" : "once");
        fflush(stdout);
        hold(tick);
    }
    return 0;
}
