// SPDX-License-Identifier: MIT
// Prints what differs from run to run: the clocks, random bytes, with --rdtsc the time
// stamp counter, with --alarms how many system calls a loop made before five SIGALRMs
// of a 1 ms interval timer came, and with --posix-timer the same for five signals of a
// 1 ms POSIX timer, with their overruns. A replay must print the same.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static volatile sig_atomic_t alarms, overruns;

static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

static void on_timer(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    overruns += info->si_overrun;
    alarms++;
}

// A periodic POSIX timer's signals (SIGUSR1): its expiries and overruns are asynchronous
// inputs as an interval timer's are.
static int count_timer_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_timer;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &action, NULL);
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGUSR1;
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &event, &timer))
        return 1;
    struct itimerspec every_ms = {{0, 1000000}, {0, 1000000}};
    timer_settime(timer, 0, &every_ms, NULL);
    long calls = 0;
    while (alarms < 5) {
        getppid();
        calls++;
    }
    printf("five timer signals after %ld calls, %d overruns\n", calls, (int)overruns);
    return 0;
}

static int given(int argc, char **argv, const char *option) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], option) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    struct timespec real, mono;
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    printf("realtime %ld.%09ld monotonic %ld.%09ld\n", (long)real.tv_sec, real.tv_nsec,
           (long)mono.tv_sec, mono.tv_nsec);
    if (given(argc, argv, "--rdtsc"))
        printf("rdtsc %llu\n", (unsigned long long)__rdtsc());
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes)
        return 1;
    printf("random");
    for (size_t i = 0; i < sizeof bytes; i++)
        printf(" %02x", bytes[i]);
    printf("\n");
    if (given(argc, argv, "--posix-timer"))
        return count_timer_signals();
    if (!given(argc, argv, "--alarms"))
        return 0;
    signal(SIGALRM, on_alarm);
    struct itimerval every_ms = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every_ms, NULL);
    long calls = 0;
    while (alarms < 5) {
        getppid();
        calls++;
    }
    printf("five alarms after %ld calls\n", calls);
    return 0;
}
