// SPDX-License-Identifier: MIT
// Four threads take a glibc mutex in turns and sleep for random short times between, so
// the order in which they append their letters differs from run to run; they first wait
// for a flag with a system call the LibOS answers without a downcall (getppid), which a
// recording can only let the others pass at a switch point. A replay prints the same.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kThreads = 4, kRounds = 40 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char order[kThreads * kRounds + 1];
static int used;
static volatile int go;

static void *work(void *arg) {
    long id = (long)arg;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)id;
    while (!go)
        syscall(SYS_getppid);
    for (int i = 0; i < kRounds; i++) {
        pthread_mutex_lock(&lock);
        order[used++] = (char)('a' + id);
        pthread_mutex_unlock(&lock);
        struct timespec pause = {0, (rand_r(&seed) % 3) * 10000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

int main(void) {
    pthread_t threads[kThreads];
    for (long i = 0; i < kThreads; i++)
        if (pthread_create(&threads[i], NULL, work, (void *)i) != 0)
            return 1;
    go = 1;
    for (int i = 0; i < kThreads; i++)
        pthread_join(threads[i], NULL);
    printf("%s\n", order);
    return 0;
}
