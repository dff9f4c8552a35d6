// SPDX-License-Identifier: MIT
// A checkpoint test workload: an epoll watching an eventfd and a pipe, a periodic timerfd,
// a signalfd with a pending signal and a periodic POSIX timer, across a capture. Sets them
// up, ticks TICKS times INTERVAL_MS apart, then says what each one shows.
//   events_holder TICKS INTERVAL_MS
#include "hold.h"
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s TICKS INTERVAL_MS\n", argv[0]);
        return 2;
    }
    int ticks = atoi(argv[1]);
    long interval_ms = atol(argv[2]);
    int ep = epoll_create1(0), ev = eventfd(5, EFD_NONBLOCK), ends[2];
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    int signals = signalfd(-1, &usr1, SFD_NONBLOCK);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
    timer_t posix_timer;
    if (timer_create(CLOCK_MONOTONIC, &event, &posix_timer) != 0) {
        perror("timer_create");
        return 1;
    }
    struct itimerspec every_10ms = {{0, 10000000}, {0, 10000000}};
    timer_settime(posix_timer, 0, &every_10ms, NULL);
    if (ep < 0 || ev < 0 || timer < 0 || signals < 0 || pipe(ends) != 0) {
        perror("setup");
        return 1;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 0x1111};
    epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
    e.data.u64 = 0x2222;
    epoll_ctl(ep, EPOLL_CTL_ADD, ends[0], &e);
    struct itimerspec period = {{3600, 0}, {3600, 0}};
    timerfd_settime(timer, 0, &period, NULL);
    raise(SIGUSR1);
    printf("set up\n");
    fflush(stdout);
    for (int tick = 1; tick <= ticks; tick++) {
        struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
        printf("tick %d\n", tick);
        fflush(stdout);
        hold(tick);
    }
    struct epoll_event out[4];
    int n = epoll_wait(ep, out, 4, 0);
    printf("epoll: %d ready, data %#llx\n", n, n == 1 ? (unsigned long long)out[0].data.u64 : 0);
    if (write(ends[1], "x", 1) == 1 && epoll_wait(ep, out, 4, -1) == 2)
        printf("epoll: the pipe joins\n");
    uint64_t value = 0;
    printf("eventfd: %lld\n", read(ev, &value, 8) == 8 ? (long long)value : -1);
    struct itimerspec now;
    timerfd_gettime(timer, &now);
    printf("timerfd: interval %lld s, next within it: %s\n", (long long)now.it_interval.tv_sec,
           now.it_value.tv_sec <= 3600 && (now.it_value.tv_sec || now.it_value.tv_nsec) ? "yes"
                                                                                       : "no");
    struct signalfd_siginfo info;
    printf("signalfd: %s\n", read(signals, &info, sizeof info) == sizeof info &&
                                     info.ssi_signo == SIGUSR1
                                 ? "SIGUSR1"
                                 : "nothing");
    // The POSIX timer's signal, taken twice: the second comes from its re-arming.
    int taken = 0;
    for (int i = 0; i < 2; i++) {
        siginfo_t timer_info;
        struct timespec ten = {10, 0};
        if (sigtimedwait(&usr2, &timer_info, &ten) == SIGUSR2 && timer_info.si_code == SI_TIMER)
            taken++;
    }
    timer_gettime(posix_timer, &now);
    printf("posix timer: %d signals, interval %ld ms\n", taken, now.it_interval.tv_nsec / 1000000);
    return 0;
}
