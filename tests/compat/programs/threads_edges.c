// SPDX-License-Identifier: MIT
// Edge cases of POSIX threads, printed so a run under bascule can be compared with a
// native one: mutexes (error-checking, recursive, robust with a dead owner, priority
// inheritance), condition variables with a timeout on both clocks, a barrier, a
// read-write lock, semaphores, thread-local storage and keys with destructors,
// cancellation at a cancellation point, pthread_kill, a signal sent to the process that
// only one thread can take, a thread ending by pthread_exit while others run, and a
// fault in a thread killing the whole process (the shell sees 128+11).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "show.h"

static pid_t tid(void) { return (pid_t)syscall(SYS_gettid); }

static pthread_mutex_t robust;
static void *die_holding(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL;
}

static void mutexes(void) {
    pthread_mutexattr_t attr;
    pthread_mutex_t m;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &attr);
    int r[4];
    r[0] = pthread_mutex_lock(&m);
    r[1] = pthread_mutex_lock(&m);
    r[2] = pthread_mutex_unlock(&m);
    r[3] = pthread_mutex_unlock(&m);
    printf("errorcheck: lock %d, again %d, unlock %d, unlock again %d\n", r[0], r[1], r[2], r[3]);
    pthread_mutex_destroy(&m);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&m, &attr);
    r[0] = pthread_mutex_lock(&m);
    r[1] = pthread_mutex_lock(&m);
    r[2] = pthread_mutex_unlock(&m);
    r[3] = pthread_mutex_unlock(&m);
    printf("recursive: %d %d %d %d\n", r[0], r[1], r[2], r[3]);
    pthread_mutex_destroy(&m);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_DEFAULT);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &attr);
    pthread_t t;
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    r[0] = pthread_mutex_lock(&robust);
    r[1] = pthread_mutex_consistent(&robust);
    r[2] = pthread_mutex_unlock(&robust);
    printf("robust: %s, consistent %d, unlock %d\n", r[0] == EOWNERDEAD ? "EOWNERDEAD" : "?",
           r[1], r[2]);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_STALLED);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&m, &attr);
    r[0] = pthread_mutex_lock(&m);
    r[1] = pthread_mutex_trylock(&m);
    r[2] = pthread_mutex_unlock(&m);
    printf("prio-inherit: lock %d, trylock %d, unlock %d\n", r[0], r[1], r[2]);
    pthread_mutex_destroy(&m);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void *signal_ready(void *arg) {
    pthread_mutex_lock(&lock);
    ready = 1;
    pthread_cond_signal(arg);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void conditions(void) {
    struct timespec soon;
    clock_gettime(CLOCK_REALTIME, &soon);
    soon.tv_nsec += 20 * 1000 * 1000;
    if (soon.tv_nsec >= 1000000000) {
        soon.tv_sec++;
        soon.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int timed_out = pthread_cond_timedwait(&cond, &lock, &soon);
    pthread_mutex_unlock(&lock);
    printf("cond timedwait on nothing: %s\n", timed_out == ETIMEDOUT ? "ETIMEDOUT" : "?");
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_t monotonic;
    pthread_cond_init(&monotonic, &attr);
    clock_gettime(CLOCK_MONOTONIC, &soon);
    soon.tv_sec += 30; // far: the other thread signals first
    pthread_t t;
    pthread_mutex_lock(&lock);
    pthread_create(&t, NULL, signal_ready, &monotonic);
    int result = 0;
    while (!ready && result == 0)
        result = pthread_cond_timedwait(&monotonic, &lock, &soon);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("cond signalled: ready %d result %d\n", ready, result);
    pthread_cond_destroy(&monotonic);
}

static pthread_barrier_t barrier;
static atomic_int serial_threads, arrived;

static void *at_barrier(void *arg) {
    (void)arg;
    atomic_fetch_add(&arrived, 1);
    if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
        atomic_fetch_add(&serial_threads, 1);
    return NULL;
}

static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static atomic_int readers_inside, most_readers;

static void *reader(void *arg) {
    (void)arg;
    pthread_rwlock_rdlock(&rwlock);
    int now = atomic_fetch_add(&readers_inside, 1) + 1;
    int seen = atomic_load(&most_readers);
    while (now > seen && !atomic_compare_exchange_weak(&most_readers, &seen, now))
        ;
    pthread_barrier_wait(&barrier); // all readers inside at once
    atomic_fetch_sub(&readers_inside, 1);
    pthread_rwlock_unlock(&rwlock);
    return NULL;
}

static void barriers_and_rwlocks(void) {
    pthread_barrier_init(&barrier, NULL, 4);
    pthread_t t[4];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, at_barrier, NULL);
    at_barrier(NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("barrier: arrived %d, serial threads %d\n", atomic_load(&arrived),
           atomic_load(&serial_threads));
    pthread_barrier_destroy(&barrier);
    pthread_barrier_init(&barrier, NULL, 3);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, reader, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    int wrlock = pthread_rwlock_wrlock(&rwlock);
    int tryrdlock = pthread_rwlock_tryrdlock(&rwlock);
    int unlock = pthread_rwlock_unlock(&rwlock);
    printf("rwlock: readers together %d, wrlock %d, tryrdlock while written %d, unlock %d\n",
           atomic_load(&most_readers), wrlock, tryrdlock, unlock);
    pthread_barrier_destroy(&barrier);
}

static sem_t semaphore;
static void *post_twice(void *arg) {
    (void)arg;
    sem_post(&semaphore);
    sem_post(&semaphore);
    return NULL;
}

static void semaphores(void) {
    sem_init(&semaphore, 0, 0);
    SHOW("sem_trywait on 0", sem_trywait(&semaphore));
    pthread_t t;
    pthread_create(&t, NULL, post_twice, NULL);
    sem_wait(&semaphore);
    sem_wait(&semaphore);
    pthread_join(t, NULL);
    int value = -1;
    sem_getvalue(&semaphore, &value);
    printf("semaphore after two posts and two waits: %d\n", value);
    sem_destroy(&semaphore);
}

static __thread int per_thread = 5;
static pthread_key_t key;
static atomic_int destructor_runs;
static void destroy_value(void *value) {
    if (value == (void *)7)
        atomic_fetch_add(&destructor_runs, 1);
}
static void *use_tls(void *arg) {
    per_thread += (int)(long)arg;
    pthread_setspecific(key, (void *)7);
    return (void *)(long)per_thread;
}

static void thread_local_storage(void) {
    pthread_key_create(&key, destroy_value);
    pthread_t t;
    void *value;
    pthread_create(&t, NULL, use_tls, (void *)10);
    pthread_join(t, &value);
    printf("tls: thread saw %ld, main keeps %d, destructor ran %d\n", (long)value, per_thread,
           atomic_load(&destructor_runs));
    pthread_key_delete(key);
}

static void *wait_forever(void *arg) {
    (void)arg;
    for (;;)
        pause(); // a cancellation point
    return NULL;
}

static atomic_int kill_tid;
static void on_usr1(int sig) {
    (void)sig;
    atomic_store(&kill_tid, tid());
}
static void *sleep_for_signal(void *arg) {
    atomic_int *my_tid = arg;
    atomic_store(my_tid, tid());
    while (atomic_load(&kill_tid) == 0)
        pause();
    return NULL;
}

static void cancellation_and_kill(void) {
    pthread_t t;
    void *result;
    pthread_create(&t, NULL, wait_forever, NULL);
    int cancel = pthread_cancel(t);
    int joined = pthread_join(t, &result);
    printf("cancel: %d, joined %d, canceled %d\n", cancel, joined, result == PTHREAD_CANCELED);
    signal(SIGUSR1, on_usr1);
    atomic_int target = 0;
    pthread_create(&t, NULL, sleep_for_signal, &target);
    while (atomic_load(&target) == 0)
        sched_yield();
    printf("pthread_kill: %d\n", pthread_kill(t, SIGUSR1));
    pthread_join(t, NULL);
    printf("handled in the target thread: %d\n", atomic_load(&kill_tid) == atomic_load(&target));
    atomic_store(&kill_tid, 0);
    // A signal for the process while only the other thread leaves it unblocked.
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    atomic_store(&target, 0);
    pthread_create(&t, NULL, sleep_for_signal, &target);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    while (atomic_load(&target) == 0)
        sched_yield();
    kill(getpid(), SIGUSR1);
    pthread_join(t, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    printf("process signal taken by the unblocking thread: %d\n",
           atomic_load(&kill_tid) == atomic_load(&target));
}

static void *exit_early(void *arg) {
    (void)arg;
    pthread_exit((void *)99);
}

static void *fault(void *arg) {
    (void)arg;
    fflush(stdout);
    volatile int *nowhere = (volatile int *)(uintptr_t)atoi("16");
    *nowhere = 1; // SIGSEGV with no handler: the whole process ends
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    mutexes();
    conditions();
    barriers_and_rwlocks();
    semaphores();
    thread_local_storage();
    cancellation_and_kill();
    pthread_t t;
    void *result;
    pthread_create(&t, NULL, exit_early, NULL);
    pthread_join(t, &result);
    printf("pthread_exit value: %ld\n", (long)result);
    pthread_create(&t, NULL, fault, NULL);
    pthread_join(t, NULL);
    printf("not reached\n");
    return 0;
}
