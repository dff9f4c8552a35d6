// SPDX-License-Identifier: MIT
// Edge cases of signals, printed so a run under bascule can be compared with a native
// one: a handler run by raise (SI_TKILL), a blocked kill delivered on unblock, a SIGSEGV
// handler leaving by siglongjmp with its siginfo, an ignored signal, and death by the
// default action (the shell sees 128+15).
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static volatile int got;
static sigjmp_buf jb;
static double keep = 1.5;
static void on_usr1(int sig, siginfo_t *si, void *uc) {
    got = sig * 100 + si->si_code;
    (void)uc;
}
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("segv %d addr %p code %d\n", sig, si->si_addr, si->si_code);
    siglongjmp(jb, 1);
}
int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, 0);
    raise(SIGUSR1);
    printf("after raise: got %d, fp %.2f\n", got, keep * 2);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, 0);
    got = 0;
    kill(getpid(), SIGUSR1);
    printf("blocked: got %d\n", got);
    sigprocmask(SIG_UNBLOCK, &s, 0);
    printf("unblocked: got %d\n", got);
    sa.sa_sigaction = on_segv;
    sigaction(SIGSEGV, &sa, 0);
    volatile unsigned long bad_address = 8; // volatile: hidden from the compiler
    if (!sigsetjmp(jb, 1))
        *(volatile int *)bad_address = 1;
    printf("recovered\n");
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored ok\n");
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
