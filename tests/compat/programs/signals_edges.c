// SPDX-License-Identifier: MIT
// Edge cases of signals, printed so a run under bascule can be compared with a native
// one: a handler run by raise (SI_TKILL), a blocked kill delivered on unblock, a SIGSEGV
// handler leaving by siglongjmp with its siginfo, an ignored signal, the alternate signal
// stack (sigaltstack, SA_ONSTACK, a stack overflow caught on it), SA_RESTART and the calls
// a handler interrupts (read, nanosleep, poll, sigsuspend, ppoll), and death by the
// default action (the shell sees 128+15).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "show.h"
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31) // Linux's, which glibc's headers do not name
#endif
static volatile int got;
static sigjmp_buf jb;

static char alternate[1 << 16];
static volatile int on_alternate, in_handler_flags, change_errno, interrupted_flags;

static int on_alternate_stack(const void *p) {
    return (const char *)p >= alternate && (const char *)p < alternate + sizeof alternate;
}

// Where the handler runs, what sigaltstack says there, and that changing it is refused.
static void on_probe(int sig, siginfo_t *si, void *context) {
    (void)sig, (void)si;
    char probe = 0;
    stack_t now, other = {alternate, 0, sizeof alternate};
    sigaltstack(NULL, &now);
    on_alternate = on_alternate_stack(&probe);
    in_handler_flags = now.ss_flags;
    change_errno = sigaltstack(&other, NULL) == -1 ? errno : 0;
    interrupted_flags = ((ucontext_t *)context)->uc_stack.ss_flags;
}

static void probe_with(const char *what, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_probe;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(SIGUSR2, &sa, 0);
    raise(SIGUSR2);
    printf("%s: on the alternate stack %d, ss_flags %d, change errno %d, uc_stack flags %d\n",
           what, on_alternate, in_handler_flags, change_errno, interrupted_flags);
}

static volatile int overflow_on_alternate;
static void on_overflow(int sig) {
    char probe = 0;
    (void)sig;
    overflow_on_alternate = on_alternate_stack(&probe);
    siglongjmp(jb, 1);
}

static int __attribute__((noinline)) recurse(int depth) {
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth > 1000000000) // never: keeps the compiler from calling this endless
        return pad[0];
    return recurse(depth + 1) + pad[0];
}

static void alternate_stack_cases(void) {
    stack_t ss, old;
    SHOW("sigaltstack query", sigaltstack(NULL, &old));
    printf("initially: ss_flags %d, size %zu\n", old.ss_flags, old.ss_size);
    ss = (stack_t){alternate, 0, 2047}; // the kernel's MINSIGSTKSZ is 2048 (glibc's may be more)
    SHOW("sigaltstack below MINSIGSTKSZ", sigaltstack(&ss, NULL));
    ss = (stack_t){alternate, 0x10, sizeof alternate};
    SHOW("sigaltstack bad flags", sigaltstack(&ss, NULL));
    SHOW("sigaltstack bad pointer", sigaltstack((stack_t *)8, NULL));
    ss = (stack_t){alternate, 0, sizeof alternate};
    SHOW("sigaltstack set", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("set: ss_flags %d, size %zu, at ours %d\n", old.ss_flags, old.ss_size,
           old.ss_sp == alternate);
    probe_with("SA_ONSTACK handler", SA_ONSTACK);
    probe_with("handler without SA_ONSTACK", 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_overflow;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &sa, 0);
    if (!sigsetjmp(jb, 1))
        recurse(0);
    printf("stack overflow caught on the alternate stack: %d\n", overflow_on_alternate);

    ss = (stack_t){alternate, SS_AUTODISARM, sizeof alternate};
    SHOW("sigaltstack SS_AUTODISARM", sigaltstack(&ss, NULL));
    probe_with("SS_AUTODISARM handler", SA_ONSTACK);
    sigaltstack(NULL, &old);
    printf("after it: ss_flags %#x, size %zu\n", (unsigned)old.ss_flags, old.ss_size);
    ss = (stack_t){NULL, SS_DISABLE, 0};
    SHOW("sigaltstack SS_DISABLE", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("disabled: ss_flags %d, size %zu\n", old.ss_flags, old.ss_size);
}

static int fds[2];
static volatile int alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
    write(fds[1], "x", 1); // what the restarted read then reads
}

// SIGALRM in 50 ms, handled with `flags`.
static void alarm_soon(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, 0);
    struct itimerval soon = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &soon, 0);
}

static void on_usr1_count(int sig) {
    (void)sig;
    got++;
}

static void restart_cases(void) {
    char c = 0;
    pipe(fds);
    alarm_soon(0);
    SHOW("read, handler without SA_RESTART", read(fds[0], &c, 1));
    read(fds[0], &c, 1); // the handler's byte
    alarm_soon(SA_RESTART);
    SHOW("read, handler with SA_RESTART", read(fds[0], &c, 1));
    printf("the restarted read got the handler's byte: %c\n", c);
    alarm_soon(SA_RESTART);
    // Long enough that the alarm comes first on however loaded a machine.
    struct timespec ten = {10, 0}, left = {0, 0};
    SHOW("nanosleep, SA_RESTART handler", nanosleep(&ten, &left));
    printf("nanosleep left some of the 10 s: %d\n",
           left.tv_sec < 10 && (left.tv_sec > 0 || left.tv_nsec > 0));
    read(fds[0], &c, 1);
    alarm_soon(SA_RESTART);
    struct pollfd p = {fds[0], POLLIN, 0};
    SHOW("poll, SA_RESTART handler", poll(&p, 1, 2000));
    read(fds[0], &c, 1);
    printf("alarms handled: %d\n", alarms);

    signal(SIGUSR1, on_usr1_count);
    sigset_t usr1, none, pending, now;
    sigemptyset(&usr1);
    sigemptyset(&none);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, 0);
    got = 0;
    raise(SIGUSR1);
    sigpending(&pending);
    printf("SIGUSR1 pending while blocked: %d\n", sigismember(&pending, SIGUSR1));
    SHOW("sigsuspend with an empty mask", sigsuspend(&none));
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("handler ran %d, still blocked after: %d\n", got, sigismember(&now, SIGUSR1));
    raise(SIGUSR1);
    struct timespec second = {1, 0};
    SHOW("ppoll with an empty mask", ppoll(NULL, 0, &second, &none));
    sigprocmask(SIG_BLOCK, 0, &now);
    printf("handler ran %d, still blocked after: %d\n", got, sigismember(&now, SIGUSR1));
    struct timespec zero = {0, 0};
    SHOW("ppoll timeout 0, signal blocked", (raise(SIGUSR1), ppoll(NULL, 0, &zero, NULL)));
    sigprocmask(SIG_UNBLOCK, &usr1, 0);
    printf("delivered on unblock: %d\n", got);
}
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
    alternate_stack_cases();
    restart_cases();
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored ok\n");
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    printf("not reached\n");
    return 0;
}
