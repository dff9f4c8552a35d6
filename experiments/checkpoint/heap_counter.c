// SPDX-License-Identifier: MIT
// A workload for checkpoint/restore measurements: a heap of N MiB with known content,
// then a counter printed every T ms for a bounded number of ticks, then a checksum of
// the heap. Its standard output is the same whether or not it was checkpointed and
// restored on the way (with --random, the content differs between runs, but the
// checksum line still says whether the heap survived).
//
// Usage: heap_counter [--random] [--ticks N] [--period-ms T] [--log FILE] MIB
//
//   default content  word i of the heap = mix(2 * (i / 8) + i % 2): every 64-byte line
//                    holds two pseudo-random words four times over. No zero page, no
//                    two lines alike, about 3x smaller under LZ4 -1 (zstd -1: 3.9x).
//   --random         the heap is filled from getrandom(2): incompressible.
//   --ticks N        ticks before the checksum (default 200)
//   --period-ms T    time between ticks (default 10)
//   --log FILE       where the timing lines go (default standard error), opened with
//                    O_APPEND by the program itself so a restore re-opens it by path.
//
// Standard output: "counter K" at every tick, then "checksum X expected Y ok" (or
// MISMATCH, exit status 1). At every tick one heap word is changed and the expected
// checksum updated to match, so the pages written after a restore count too.
// Timing log, one line each, written with a single write(2):
//   "ready PID MIB random|pattern NS"   once the heap is filled
//   "tick K NS"                         at every tick
// NS is CLOCK_REALTIME in nanoseconds, comparable with `date +%s%N`. Ticks are kept to
// an absolute schedule (clock_nanosleep TIMER_ABSTIME), and a sleep that returns early
// (EINTR after a restore) or a deadline already past lets the next tick come at once,
// so the first tick after a restore marks when the program runs again.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

// Sum of word[i] * (2i + 1), modulo 2^64: changing one word changes it by a known amount.
static uint64_t checksum(const uint64_t *words, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += words[i] * (2 * (uint64_t)i + 1);
    return sum;
}

static void usage(void) {
    fprintf(stderr,
            "usage: heap_counter [--random] [--ticks N] [--period-ms T] [--log FILE] MIB\n");
    exit(2);
}

int main(int argc, char **argv) {
    struct workload_options options = WORKLOAD_DEFAULTS;
    for (int i = 1; i < argc; i++)
        if (!workload_option(argc, argv, &i, &options))
            usage();
    if (workload_start(&options, usage) != 0)
        return 2;
    const int random_content = options.random_content;
    const long ticks = options.ticks, period_ms = options.period_ms, mib = options.mib;

    size_t bytes = (size_t)mib << 20, n = bytes / sizeof(uint64_t);
    uint64_t *heap = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    if (random_content) {
        for (size_t done = 0; done < bytes;) {
            ssize_t got = getrandom((char *)heap + done, bytes - done, 0);
            if (got < 0 && errno != EINTR) {
                perror("getrandom");
                return 2;
            }
            if (got > 0)
                done += (size_t)got;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            heap[i] = mix(((i >> 3) << 1) | (i & 1));
    }
    uint64_t expected = checksum(heap, n);
    log_line("ready %d %ld %s %" PRId64 "\n", getpid(), mib, random_content ? "random" : "pattern",
             now_ns(CLOCK_REALTIME));

    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long k = 0; k < ticks; k++) {
        next.tv_nsec += period_ms * 1000000;
        next.tv_sec += next.tv_nsec / 1000000000;
        next.tv_nsec %= 1000000000;
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        int64_t now = now_ns(CLOCK_MONOTONIC);
        if (rc != 0 || now > (int64_t)next.tv_sec * 1000000000 + next.tv_nsec + period_ms * 1000000) {
            // Interrupted or late by more than a period (frozen, or restored): start a
            // new schedule from now rather than printing the missed ticks in a burst.
            next.tv_sec = now / 1000000000;
            next.tv_nsec = now % 1000000000;
        }
        size_t j = (size_t)(mix((uint64_t)k) % n);
        uint64_t old = heap[j], new = old ^ mix(~(uint64_t)k);
        heap[j] = new;
        expected += (new - old) * (2 * (uint64_t)j + 1);
        log_line("tick %ld %" PRId64 "\n", k, now_ns(CLOCK_REALTIME));
        printf("counter %ld\n", k);
        fflush(stdout);
    }
    uint64_t actual = checksum(heap, n);
    printf("checksum %016" PRIx64 " expected %016" PRIx64 " %s\n", actual, expected,
           actual == expected ? "ok" : "MISMATCH");
    return actual == expected ? 0 : 1;
}
