// SPDX-License-Identifier: MIT
// A checkpoint test workload: three threads blocked in three kinds of call when the
// capture comes — a futex wait on a word, a read of an empty pipe, a nanosleep of 1.5 s —
// and the main thread held (hold.h). After the release the main thread sets the word and
// wakes the waiter, and writes into the pipe; each thread reports what its call answered.
// The output is the same whatever the timing: a call that surfaced EINTR, returned early
// or lost the pipe's bytes would change it.
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hold.h"

static atomic_int word;
static int ends[2];
static atomic_int started;
static char got[64];

static void *futex_waiter(void *unused) {
    (void)unused;
    atomic_fetch_add(&started, 1);
    long answer = 0;
    while (atomic_load(&word) == 0)
        answer = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    // 0 (woken) or EAGAIN (the word was set first): never EINTR.
    return (void *)(intptr_t)(answer == 0 || errno == EAGAIN ? atomic_load(&word) : -errno);
}

static void *pipe_reader(void *unused) {
    (void)unused;
    atomic_fetch_add(&started, 1);
    ssize_t n = read(ends[0], got, sizeof got - 1);
    return (void *)(intptr_t)(n < 0 ? -errno : n);
}

static void *sleeper(void *unused) {
    (void)unused;
    atomic_fetch_add(&started, 1);
    struct timespec pause = {1, 500 * 1000 * 1000};
    return (void *)(intptr_t)(nanosleep(&pause, NULL) == 0 ? 0 : -errno);
}

int main(void) {
    if (pipe(ends) != 0) {
        perror("pipe");
        return 1;
    }
    void *(*bodies[3])(void *) = {futex_waiter, pipe_reader, sleeper};
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        if (pthread_create(&threads[i], NULL, bodies[i], NULL) != 0) {
            perror("pthread_create");
            return 1;
        }
    while (atomic_load(&started) < 3)
        sched_yield();
    const struct timespec settle = {0, 100 * 1000 * 1000}; // into their calls
    nanosleep(&settle, NULL);
    printf("threads blocked\n");
    fflush(stdout);
    hold(1);
    atomic_store(&word, 42);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    const char message[] = "through the pipe";
    if (write(ends[1], message, strlen(message)) != (ssize_t)strlen(message)) {
        perror("write");
        return 1;
    }
    void *answers[3];
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], &answers[i]);
    printf("futex waiter: %ld\n", (long)(intptr_t)answers[0]);
    printf("pipe reader: %ld bytes: %s\n", (long)(intptr_t)answers[1], got);
    printf("sleeper: %ld\n", (long)(intptr_t)answers[2]);
    return 0;
}
