// SPDX-License-Identifier: MIT
// What heap_counter.c and heap_team.c share: their content's mixing function and the
// timing log compare.sh reads ("ready ...", "tick K NS": CLOCK_REALTIME nanoseconds, one
// write(2) a line).
#pragma once

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t mix(uint64_t x) { // splitmix64's finaliser
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

static inline int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int log_fd = 2; // --log FILE, else standard error

static inline void log_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static inline void log_line(const char *format, ...) {
    char line[160];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (n > 0 && write(log_fd, line, (size_t)n) != n) {
        // Nothing better to do: the timing log is advisory.
    }
}
