// SPDX-License-Identifier: MIT
// A checkpoint test workload with threads: WORKERS threads add to counters of their own
// in steps, in step with the main thread through two barriers; after each step the main
// thread prints the total and is held there (hold.h) while the workers wait at the next
// barrier. The output depends only on the arguments.
//   thread_ticker WORKERS TICKS STEP
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hold.h"

enum { kMaxWorkers = 16 };

static pthread_barrier_t step_start, step_done;
static uint64_t counters[kMaxWorkers];
static int ticks;
static long step;

static void *worker(void *arg) {
    uint64_t *counter = arg;
    for (int tick = 1; tick <= ticks; tick++) {
        pthread_barrier_wait(&step_start);
        for (long i = 0; i < step; i++)
            *counter += (uint64_t)(i % 7) + (uint64_t)tick;
        pthread_barrier_wait(&step_done);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s WORKERS TICKS STEP\n", argv[0]);
        return 2;
    }
    int workers = atoi(argv[1]);
    ticks = atoi(argv[2]);
    step = atol(argv[3]);
    if (workers < 1 || workers > kMaxWorkers) {
        fprintf(stderr, "WORKERS must be 1 to %d\n", kMaxWorkers);
        return 2;
    }
    pthread_barrier_init(&step_start, NULL, (unsigned)workers + 1);
    pthread_barrier_init(&step_done, NULL, (unsigned)workers + 1);
    pthread_t threads[kMaxWorkers];
    for (int w = 0; w < workers; w++)
        if (pthread_create(&threads[w], NULL, worker, &counters[w]) != 0) {
            perror("pthread_create");
            return 1;
        }
    for (int tick = 1; tick <= ticks; tick++) {
        pthread_barrier_wait(&step_start);
        pthread_barrier_wait(&step_done);
        uint64_t total = 0;
        for (int w = 0; w < workers; w++)
            total += counters[w];
        printf("tick %d total %llu\n", tick, (unsigned long long)total);
        fflush(stdout);
        hold(tick);
    }
    for (int w = 0; w < workers; w++)
        pthread_join(threads[w], NULL);
    printf("done\n");
    return 0;
}
