// SPDX-License-Identifier: MIT
// What heap_counter.c and heap_team.c share: their content's mixing function, their
// common options, and the timing log compare.sh reads ("ready ...", "tick K NS":
// CLOCK_REALTIME nanoseconds, one write(2) a line).
#pragma once

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

// The options both take: [--random] [--ticks N] [--period-ms T] [--log FILE] MIB.
struct workload_options {
    int random_content;
    long ticks, period_ms, mib;
    const char *log_path;
};
#define WORKLOAD_DEFAULTS {.random_content = 0, .ticks = 200, .period_ms = 10, .mib = -1, .log_path = NULL}

// Takes argv[*i] (and its value) if it is one of them: 1, else 0.
static inline int workload_option(int argc, char **argv, int *i, struct workload_options *o) {
    if (!strcmp(argv[*i], "--random"))
        o->random_content = 1;
    else if (!strcmp(argv[*i], "--ticks") && *i + 1 < argc)
        o->ticks = atol(argv[++*i]);
    else if (!strcmp(argv[*i], "--period-ms") && *i + 1 < argc)
        o->period_ms = atol(argv[++*i]);
    else if (!strcmp(argv[*i], "--log") && *i + 1 < argc)
        o->log_path = argv[++*i];
    else if (argv[*i][0] != '-' && o->mib < 0)
        o->mib = atol(argv[*i]);
    else
        return 0;
    return 1;
}

// Whether they make sense (if not, `usage` says how, and exits), then opens the log
// (O_APPEND, by the program itself, so that a restore opens it again by its path): 0, or
// 2 if it cannot be opened (said on standard error).
static inline int workload_start(const struct workload_options *o, void (*usage)(void)) {
    if (o->mib <= 0 || o->ticks < 0 || o->period_ms < 0)
        usage();
    if (o->log_path) {
        log_fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) {
            perror(o->log_path);
            return 2;
        }
    }
    return 0;
}
