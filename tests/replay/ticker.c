// SPDX-License-Identifier: MIT
// A program that ticks twenty times, a tenth of a second apart, adding each tick to a total
// (gdb_from_image.sh captures it while it is recorded, then debugs the replay from there).
// Built -g -O0, so that gdb finds its function, lines and locals.
#include <stdio.h>
#include <time.h>

static long total;

static void tick(int n) {
    total += n;
    printf("tick %d total %ld\n", n, total);
    fflush(stdout);
}

int main(void) {
    for (int n = 1; n <= 20; n++) {
        tick(n);
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return 0;
}
