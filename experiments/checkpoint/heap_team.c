// SPDX-License-Identifier: MIT
// heap_counter (heap_counter.c) with its heap split among several threads of one process
// or among a small tree of processes, each part filled and ticked by its own thread or
// process, for checkpoint/restore measurements of multi-threaded and multi-process
// programs. Its standard output is the same whether or not it was checkpointed and
// restored on the way.
//
// Usage: heap_team (--threads N | --processes N) [--random] [--ticks N] [--period-ms T]
//                  [--log FILE] MIB
//
//   --threads N      N threads (the main one and N-1 started with pthread_create), each
//                    owning MIB/N of one anonymous mapping.
//   --processes N    the first process and N-1 children it forks before any heap exists;
//                    each maps and fills its own MIB/N. The children report to the first
//                    through one pipe: a record when their part is filled, one at every
//                    tick and one with their part's checksum at the end. Once all are
//                    ready, the first process reads the pipe again only when its own
//                    ticks are done, so the pipe holds bytes whenever the tree is
//                    captured mid-run.
//   --random, --ticks, --period-ms, --log: as heap_counter's; word i of the whole heap has
//                    the same pattern content as heap_counter's word i.
//
// Every thread or process ticks on its own absolute schedule (the same as heap_counter's)
// and changes one word of its part at each tick, updating the checksum it expects. Only
// the main thread or first process prints "counter K" and logs "tick K NS"; the others
// are silent. Once all have ticked, the main thread (first process) prints
// "checksum X expected Y ok" (or MISMATCH) for the whole heap, X and Y summed over the
// parts. It also checks, for --processes, that every child sent all its tick records and
// ended with status 0 (else "MISMATCH", exit status 1).
// Timing log as heap_counter's: "ready PID MIB random|pattern NS" once every part is
// filled (for --processes, then "child PID" for each child), "tick K NS" per tick.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

enum { kMaxMembers = 16 };


static void usage(void) {
    fprintf(stderr, "usage: heap_team (--threads N | --processes N) [--random] [--ticks N] "
                    "[--period-ms T] [--log FILE] MIB\n");
    exit(2);
}

static int random_content;
static long ticks = 200, period_ms = 10;

// One part of the heap: words [first, first + count) of the whole heap, at `words`.
struct part {
    int index;
    uint64_t *words;
    size_t first, count;
    uint64_t expected, actual; // checksums of the part (weights of the whole heap)
    pthread_t thread;
};

static void fill(struct part *p) {
    if (random_content) {
        size_t bytes = p->count * sizeof(uint64_t);
        for (size_t done = 0; done < bytes;) {
            ssize_t got = getrandom((char *)p->words + done, bytes - done, 0);
            if (got < 0 && errno != EINTR) {
                perror("getrandom");
                exit(2);
            }
            if (got > 0)
                done += (size_t)got;
        }
    } else {
        for (size_t k = 0; k < p->count; k++) {
            size_t i = p->first + k;
            p->words[k] = mix(((i >> 3) << 1) | (i & 1));
        }
    }
}

// Sum of word[i] * (2i + 1) over the part, i its index in the whole heap, modulo 2^64.
static uint64_t checksum(const struct part *p) {
    uint64_t sum = 0;
    for (size_t k = 0; k < p->count; k++)
        sum += p->words[k] * (2 * (uint64_t)(p->first + k) + 1);
    return sum;
}

// Waits for the next tick of the schedule `next` (absolute, CLOCK_MONOTONIC), as
// heap_counter does: a sleep cut short or a deadline long past starts a new schedule.
static void wait_tick(struct timespec *next) {
    next->tv_nsec += period_ms * 1000000;
    next->tv_sec += next->tv_nsec / 1000000000;
    next->tv_nsec %= 1000000000;
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
    int64_t now = now_ns(CLOCK_MONOTONIC);
    if (rc != 0 || now > (int64_t)next->tv_sec * 1000000000 + next->tv_nsec + period_ms * 1000000) {
        next->tv_sec = now / 1000000000;
        next->tv_nsec = now % 1000000000;
    }
}

// Tick k of part p: one word changes, the expected checksum with it.
static void change_word(struct part *p, long k) {
    size_t j = (size_t)(mix((uint64_t)k * kMaxMembers + (uint64_t)p->index) % p->count);
    uint64_t old = p->words[j], new = old ^ mix(~(uint64_t)k);
    p->words[j] = new;
    p->expected += (new - old) * (2 * (uint64_t)(p->first + j) + 1);
}

// Ticks part p on its own schedule, one word changed a tick, calling `after` (if any)
// after each; then takes its checksum.
typedef void tick_action(struct part *p, long k, void *context);
static void tick_part(struct part *p, tick_action *after, void *context) {
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long k = 0; k < ticks; k++) {
        wait_tick(&next);
        change_word(p, k);
        if (after)
            after(p, k, context);
    }
    p->actual = checksum(p);
}

// The main thread's or first process's tick: logged and printed.
static void leader_tick(struct part *p, long k, void *context) {
    (void)p, (void)context;
    log_line("tick %ld %" PRId64 "\n", k, now_ns(CLOCK_REALTIME));
    printf("counter %ld\n", k);
    fflush(stdout);
}

// ---- threads -------------------------------------------------------------------------
static pthread_barrier_t filled;

static void *worker(void *arg) {
    struct part *p = arg;
    fill(p);
    p->expected = checksum(p);
    pthread_barrier_wait(&filled);
    tick_part(p, NULL, NULL);
    return NULL;
}

static int run_threads(int members, size_t n, long mib) {
    uint64_t *heap = mmap(NULL, n * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    struct part parts[kMaxMembers];
    size_t each = n / (size_t)members;
    pthread_barrier_init(&filled, NULL, (unsigned)members);
    for (int t = 0; t < members; t++) {
        parts[t] = (struct part){.index = t, .words = heap + (size_t)t * each,
                                 .first = (size_t)t * each,
                                 .count = t == members - 1 ? n - (size_t)t * each : each};
        if (t > 0 && pthread_create(&parts[t].thread, NULL, worker, &parts[t]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 2;
        }
    }
    struct part *own = &parts[0];
    fill(own);
    own->expected = checksum(own);
    pthread_barrier_wait(&filled);
    log_line("ready %d %ld %s %" PRId64 "\n", getpid(), mib, random_content ? "random" : "pattern",
             now_ns(CLOCK_REALTIME));
    tick_part(own, leader_tick, NULL);
    uint64_t actual = own->actual, expected = own->expected;
    for (int t = 1; t < members; t++) {
        pthread_join(parts[t].thread, NULL);
        actual += parts[t].actual;
        expected += parts[t].expected;
    }
    printf("checksum %016" PRIx64 " expected %016" PRIx64 " %s\n", actual, expected,
           actual == expected ? "ok" : "MISMATCH");
    return actual == expected ? 0 : 1;
}

// ---- processes -----------------------------------------------------------------------
// What a child sends through the pipe: 32 bytes, so every write is atomic.
enum { kReady = 1, kTick = 2, kDone = 3 };
struct record {
    uint32_t kind, member;
    uint64_t tick, actual, expected;
};

static int map_part(struct part *p) {
    p->words = mmap(NULL, p->count * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p->words == MAP_FAILED) {
        perror("mmap");
        return -1;
    }
    fill(p);
    p->expected = checksum(p);
    return 0;
}

static void send_record(int fd, const struct record *r) {
    if (write(fd, r, sizeof *r) != (ssize_t)sizeof *r) {
        perror("write to the pipe");
        _exit(3);
    }
}

// A child's tick: reported to the first process.
static void child_tick(struct part *p, long k, void *out) {
    send_record(*(int *)out, &(struct record){.kind = kTick, .member = (uint32_t)p->index,
                                              .tick = (uint64_t)k});
}

static int child(struct part *p, int out) {
    if (map_part(p) != 0)
        return 2;
    send_record(out, &(struct record){.kind = kReady, .member = (uint32_t)p->index});
    tick_part(p, child_tick, &out);
    send_record(out, &(struct record){.kind = kDone, .member = (uint32_t)p->index,
                                      .actual = p->actual, .expected = p->expected});
    return 0;
}

// Reads one record (blocking); 0 at the end of the pipe.
static int receive_record(int fd, struct record *r) {
    size_t got = 0;
    while (got < sizeof *r) {
        ssize_t n = read(fd, (char *)r + got, sizeof *r - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                perror("read from the pipe");
            return 0;
        }
        got += (size_t)n;
    }
    return 1;
}

// What the first process has received from its children.
struct tally {
    int ready, done, bad; // bad: a record out of order or from no child
    long ticks_seen[kMaxMembers];
    uint64_t actual, expected; // sums of the children's checksums
};

static void count_record(struct tally *tally, const struct record *r, int members) {
    if (r->member < 1 || r->member >= (uint32_t)members) {
        tally->bad = 1;
        return;
    }
    switch (r->kind) {
    case kReady:
        tally->ready++;
        break;
    case kTick:
        if (r->tick != (uint64_t)tally->ticks_seen[r->member])
            tally->bad = 1;
        tally->ticks_seen[r->member]++;
        break;
    case kDone:
        tally->actual += r->actual;
        tally->expected += r->expected;
        tally->done++;
        break;
    default:
        tally->bad = 1;
    }
}

static int run_processes(int members, size_t n, long mib) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 2;
    }
    struct part parts[kMaxMembers];
    pid_t pids[kMaxMembers];
    size_t each = n / (size_t)members;
    for (int t = 0; t < members; t++)
        parts[t] = (struct part){.index = t, .first = (size_t)t * each,
                                 .count = t == members - 1 ? n - (size_t)t * each : each};
    fflush(stdout);
    for (int t = 1; t < members; t++) {
        pids[t] = fork();
        if (pids[t] < 0) {
            perror("fork");
            return 2;
        }
        if (pids[t] == 0) {
            close(fds[0]);
            _exit(child(&parts[t], fds[1]));
        }
    }
    close(fds[1]);
    struct part *own = &parts[0];
    if (map_part(own) != 0)
        return 2;
    // A child that is ready ticks at once: its tick records may come before the others'
    // ready records.
    struct record r;
    struct tally tally = {0};
    while (tally.ready < members - 1) {
        if (!receive_record(fds[0], &r)) {
            fprintf(stderr, "heap_team: a child ended before reporting ready\n");
            return 2;
        }
        count_record(&tally, &r, members);
    }
    log_line("ready %d %ld %s %" PRId64 "\n", getpid(), mib, random_content ? "random" : "pattern",
             now_ns(CLOCK_REALTIME));
    for (int t = 1; t < members; t++)
        log_line("child %d\n", (int)pids[t]);
    tick_part(own, leader_tick, NULL);
    while (receive_record(fds[0], &r))
        count_record(&tally, &r, members);
    uint64_t actual = own->actual + tally.actual, expected = own->expected + tally.expected;
    int ok = !tally.bad;
    for (int t = 1; t < members; t++) {
        int status;
        if (waitpid(pids[t], &status, 0) != pids[t] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0 || tally.ticks_seen[t] != ticks)
            ok = 0;
    }
    ok = ok && tally.done == members - 1 && actual == expected;
    printf("checksum %016" PRIx64 " expected %016" PRIx64 " %s\n", actual, expected,
           ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    struct workload_options options = WORKLOAD_DEFAULTS;
    long threads = 0, processes = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = atol(argv[++i]);
        else if (!strcmp(argv[i], "--processes") && i + 1 < argc)
            processes = atol(argv[++i]);
        else if (!workload_option(argc, argv, &i, &options))
            usage();
    }
    if ((threads > 0) == (processes > 0) || threads > kMaxMembers || processes > kMaxMembers)
        usage();
    if (workload_start(&options, usage) != 0)
        return 2;
    random_content = options.random_content;
    ticks = options.ticks;
    period_ms = options.period_ms;
    long mib = options.mib;
    size_t n = ((size_t)mib << 20) / sizeof(uint64_t);
    return threads > 0 ? run_threads((int)threads, n, mib) : run_processes((int)processes, n, mib);
}
