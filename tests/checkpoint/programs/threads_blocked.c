// SPDX-License-Identifier: MIT
// A checkpoint test workload: five threads blocked in five kinds of call when the capture
// comes — a futex wait on a word, a read of an empty pipe, a nanosleep of 1.5 s, an
// accept on a TCP listener, an epoll_wait on one end of a socket pair — and the main
// thread held (hold.h). After the release the main thread sets the word and wakes the
// waiter, writes into the pipe and the socket pair, and connects to the listener; each
// thread reports what its call answered.
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
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hold.h"

static atomic_int word;
static int ends[2];
static int listener, pair[2], epoll;
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

static void *acceptor(void *unused) {
    (void)unused;
    atomic_fetch_add(&started, 1);
    int client = accept(listener, NULL, NULL);
    return (void *)(intptr_t)(client >= 0 ? 1 : -errno);
}

static void *epoll_waiter(void *unused) {
    (void)unused;
    atomic_fetch_add(&started, 1);
    struct epoll_event event;
    int n = epoll_wait(epoll, &event, 1, -1);
    return (void *)(intptr_t)(n == 1 && event.data.fd == pair[0] ? 1 : n < 0 ? -errno : 0);
}

// The listener on a port of the loopback interface, the socket pair and the epoll set.
static int make_sockets(struct sockaddr_in *address) {
    socklen_t length = sizeof *address;
    *address = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    listener = socket(AF_INET, SOCK_STREAM, 0);
    struct epoll_event interest = {.events = EPOLLIN};
    if (listener < 0 || bind(listener, (struct sockaddr *)address, sizeof *address) != 0 ||
        listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)address, &length) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0 || (epoll = epoll_create1(0)) < 0)
        return -1;
    interest.data.fd = pair[0];
    return epoll_ctl(epoll, EPOLL_CTL_ADD, pair[0], &interest);
}

int main(void) {
    struct sockaddr_in address;
    if (pipe(ends) != 0 || make_sockets(&address) != 0) {
        perror("pipe or sockets");
        return 1;
    }
    void *(*bodies[5])(void *) = {futex_waiter, pipe_reader, sleeper, acceptor, epoll_waiter};
    pthread_t threads[5];
    for (int i = 0; i < 5; i++)
        if (pthread_create(&threads[i], NULL, bodies[i], NULL) != 0) {
            perror("pthread_create");
            return 1;
        }
    while (atomic_load(&started) < 5)
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
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (write(pair[1], "x", 1) != 1 || client < 0 ||
        connect(client, (struct sockaddr *)&address, sizeof address) != 0) {
        perror("write or connect");
        return 1;
    }
    void *answers[5];
    for (int i = 0; i < 5; i++)
        pthread_join(threads[i], &answers[i]);
    printf("futex waiter: %ld\n", (long)(intptr_t)answers[0]);
    printf("pipe reader: %ld bytes: %s\n", (long)(intptr_t)answers[1], got);
    printf("sleeper: %ld\n", (long)(intptr_t)answers[2]);
    printf("acceptor: %ld\n", (long)(intptr_t)answers[3]);
    printf("epoll waiter: %ld\n", (long)(intptr_t)answers[4]);
    return 0;
}
