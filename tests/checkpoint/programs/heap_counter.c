// SPDX-License-Identifier: MIT
// A checkpoint test workload: a heap of known content and a counter.
//   heap_counter HEAP_MIB TICKS INTERVAL_MS [TOUCH_PERCENT]
// Fills HEAP_MIB of heap with a pattern (neither zero nor random), then prints "tick N" TICKS times, INTERVAL_MS apart, each time
// rewriting TOUCH_PERCENT of the heap's pages (default 0), and ends with a digest of the
// heap. The output depends only on the arguments, so an interrupted, checkpointed and
// restored run must print exactly what an uninterrupted one does.
#include <stdint.h>
#include "hold.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// Every 64-byte line is one word, a hash of the line's index, repeated: each line differs
// from the next, yet a heap of them compresses the way real heaps do (several times).
static uint64_t pattern(uint64_t index, uint64_t tick) {
    uint64_t x = ((index >> 3) + 1) * 0x9e3779b97f4a7c15ull + tick;
    return (x ^ (x >> 29)) & 0x0f0f0f0f0f0f0f0full;
}

static uint64_t digest(const uint64_t *words, size_t count) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < count; i++)
        h = (h ^ words[i]) * 1099511628211ull;
    return h;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HEAP_MIB TICKS INTERVAL_MS [TOUCH_PERCENT]\n", argv[0]);
        return 2;
    }
    size_t words = (size_t)strtoull(argv[1], NULL, 10) << 17; // MiB / 8 bytes
    int ticks = atoi(argv[2]);
    long interval_ms = atol(argv[3]);
    int touch_percent = argc > 4 ? atoi(argv[4]) : 0;
    uint64_t *heap = malloc(words * sizeof *heap);
    if (!heap) {
        perror("malloc");
        return 1;
    }
    for (size_t i = 0; i < words; i++)
        heap[i] = pattern(i, 0);
    printf("filled %zu MiB\n", words >> 17);
    fflush(stdout);
    size_t page_words = 4096 / sizeof *heap, pages = words / page_words;
    size_t touched = pages * (size_t)touch_percent / 100;
    for (int tick = 1; tick <= ticks; tick++) {
        struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
        for (size_t p = 0; p < touched; p++) // a different slice of pages every tick
            heap[((p + (size_t)tick * touched) % pages) * page_words] = pattern(p, (uint64_t)tick);
        printf("tick %d\n", tick);
        fflush(stdout);
        hold(tick);
    }
    printf("digest %016llx\n", (unsigned long long)digest(heap, words));
    return 0;
}
