// SPDX-License-Identifier: MIT
// A program that aborts two calls below main, with a second thread waiting in pause(): its core
// file, read by gdb, must show both threads' backtraces (coredump_gdb.sh).
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static int ready[2];

static void *waiting_thread(void *unused) {
    (void)unused;
    write(ready[1], "r", 1);
    for (;;)
        pause();
    return NULL;
}

__attribute__((noinline)) static void abort_here(void) { abort(); }

__attribute__((noinline)) static void call_abort_here(void) { abort_here(); }

int main(void) {
    pthread_t thread;
    char c;
    if (pipe(ready) != 0 || pthread_create(&thread, NULL, waiting_thread, NULL) != 0 ||
        read(ready[0], &c, 1) != 1)
        return 1;
    usleep(10000); // the thread is in pause()
    call_abort_here();
    return 0;
}
