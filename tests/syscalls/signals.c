// SPDX-License-Identifier: MIT
// The signals family: rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend,
// rt_sigreturn, sigaltstack, pause, kill, tkill, tgkill, rt_sigtimedwait; handler
// semantics, the siginfo of sent signals and faults, a fault while a handler's frame is
// pushed, and interval timer signals that arrive faster than they are handled.
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

// The kernel's struct sigaction, for the raw rt_sigaction cases.
struct kernel_sigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

static volatile sig_atomic_t handled, handled_signo, handled_code, nested_blocked;
static volatile long handled_pid, handled_uid;
static volatile unsigned long handled_addr;

static void on_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    handled++;
    handled_signo = sig;
    handled_code = info->si_code;
    handled_pid = info->si_pid;
    handled_uid = info->si_uid;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    nested_blocked = sigismember(&now, sig);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    CHECK_OK(sigaction(sig, &sa, NULL));
}

static void reset(int sig) { signal(sig, SIG_DFL); }

static void reset_counts(void) {
    handled = handled_signo = handled_code = nested_blocked = 0;
    handled_pid = handled_uid = -1;
}

TEST(rt_sigaction_normal) {
    install(SIGUSR1, on_signal, SA_RESTART);
    struct sigaction old;
    CHECK_OK(sigaction(SIGUSR1, NULL, &old));
    CHECK(old.sa_sigaction == on_signal);
    CHECK(old.sa_flags & SA_RESTART);
    CHECK(old.sa_flags & SA_SIGINFO);
    struct kernel_sigaction raw;
    CHECK_OK(syscall(SYS_rt_sigaction, SIGKILL, NULL, &raw, 8)); // reading it is fine
    CHECK(raw.handler == SIG_DFL);
    reset(SIGUSR1);
}

TEST(rt_sigaction_edges) {
    struct kernel_sigaction act = {SIG_IGN, 0, NULL, 0}, old;
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGKILL, &act, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGSTOP, &act, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 0, &act, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, 65, NULL, &old, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, &act, NULL, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, BAD_PTR, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigaction, 0, BAD_PTR, NULL, 8), EFAULT); // read before checked
    // The new action is set even when the old one cannot be written back.
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, &act, BAD_PTR, 8), EFAULT);
    CHECK_OK(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 8));
    CHECK(old.handler == SIG_IGN);
    reset(SIGUSR1);
}

TEST(rt_sigprocmask_normal_and_edges) {
    sigset_t set, old, now;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGKILL);
    sigaddset(&set, SIGSTOP);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR1));
    CHECK(!sigismember(&now, SIGKILL)); // never blocked
    CHECK(!sigismember(&now, SIGSTOP));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(!sigismember(&now, SIGUSR1));
    CHECK_ERR(syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8), EINVAL);
    CHECK_OK(syscall(SYS_rt_sigprocmask, 99, NULL, &now, 8)); // no set: `how` is not read
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD_PTR, NULL, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BAD_PTR, 8), EFAULT);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(rt_sigpending_and_blocked_delivery) {
    reset_counts();
    install(SIGUSR1, on_signal, 0);
    sigset_t set, old, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(handled, 0);
    CHECK_OK(sigpending(&pending));
    CHECK(sigismember(&pending, SIGUSR1));
    CHECK_ERR(syscall(SYS_rt_sigpending, &pending, 16), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigpending, BAD_PTR, 8), EFAULT);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL)); // delivered as it is unblocked
    CHECK_EQ(handled, 1);
    CHECK_OK(sigpending(&pending));
    CHECK(!sigismember(&pending, SIGUSR1));
    reset(SIGUSR1);
}

TEST(kill_and_tgkill_siginfo) {
    reset_counts();
    install(SIGUSR2, on_signal, 0);
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_EQ(handled, 1);
    CHECK_EQ(handled_code, SI_USER);
    CHECK_EQ(handled_pid, getpid());
    CHECK_EQ(handled_uid, getuid());
    CHECK_EQ(nested_blocked, 1); // blocked while its handler runs
    CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
    CHECK_EQ(handled, 2);
    CHECK_EQ(handled_code, SI_TKILL);
    CHECK_EQ(handled_pid, getpid());
    CHECK_OK(syscall(SYS_tkill, gettid(), SIGUSR2));
    CHECK_EQ(handled, 3);
    CHECK_EQ(handled_code, SI_TKILL);
    reset(SIGUSR2);
}

TEST(kill_and_tgkill_edges) {
    CHECK_OK(kill(getpid(), 0));
    CHECK_OK(kill(0, 0));
    CHECK_OK(syscall(SYS_tgkill, getpid(), gettid(), 0));
    CHECK_ERR(kill(getpid(), 65), EINVAL);
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_ERR(kill(0x3ffffff0, SIGUSR1), ESRCH); // above any pid_max
    CHECK_ERR(kill(0x3ffffff0, 65), ESRCH);      // found first, then checked
    CHECK_ERR(syscall(SYS_tgkill, getpid(), gettid(), 65), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, 0, gettid(), SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), 0x3ffffff0, SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, 0x3ffffff0, gettid(), SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tkill, 0x3ffffff0, SIGUSR1), ESRCH);
}

TEST(handler_flags_resethand_nodefer_mask) {
    reset_counts();
    install(SIGUSR1, on_signal, SA_RESETHAND);
    raise(SIGUSR1);
    CHECK_EQ(handled, 1);
    struct sigaction now;
    CHECK_OK(sigaction(SIGUSR1, NULL, &now));
    CHECK(now.sa_handler == SIG_DFL);
    install(SIGUSR1, on_signal, SA_NODEFER);
    raise(SIGUSR1);
    CHECK_EQ(handled, 2);
    CHECK_EQ(nested_blocked, 0);
    reset(SIGUSR1);
}

// A handler may change the context it returns to: rt_sigreturn restores the frame's
// registers and mask, not those from before the signal.
static void on_rewrite(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)info;
    ucontext_t *uc = context;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    uc->uc_mcontext.gregs[REG_RBX] = 0x5eed;
}

TEST(rt_sigreturn_restores_the_frame) {
    install(SIGUSR1, on_rewrite, 0);
    sigset_t old, now;
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
    long rbx;
    asm volatile("xor %%ebx, %%ebx\n\t"
                 "syscall\n\t"
                 "mov %%rbx, %0"
                 : "=r"(rbx)
                 : "a"(SYS_tgkill), "D"((long)getpid()), "S"((long)gettid()), "d"(SIGUSR1)
                 : "rbx", "rcx", "r11", "memory");
    CHECK_EQ(rbx, 0x5eed);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR2));
    CHECK(!sigismember(&now, SIGUSR1)); // the handler's own block ended with it
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    reset(SIGUSR1);
}

static sigjmp_buf fault_jump;
static volatile unsigned long fault_stack; // where the last handler ran

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)context;
    char here;
    fault_stack = (unsigned long)&here;
    handled_signo = sig;
    handled_code = info->si_code;
    handled_addr = (unsigned long)info->si_addr;
    siglongjmp(fault_jump, 1);
}

TEST(fault_siginfo) {
    reset_counts();
    install(SIGSEGV, on_fault, 0);
    if (sigsetjmp(fault_jump, 1) == 0)
        *(volatile int *)0x1008 = 1;
    CHECK_EQ(handled_signo, SIGSEGV);
    CHECK_EQ(handled_code, SEGV_MAPERR);
    CHECK_EQ(handled_addr, 0x1008);
    char *volatile ro = (char *)(unsigned long)on_fault; // code: mapped, not writable
    if (sigsetjmp(fault_jump, 1) == 0)
        *(volatile char *)ro = 1;
    CHECK_EQ(handled_code, SEGV_ACCERR);
    CHECK_EQ(handled_addr, (unsigned long)ro);
    install(SIGFPE, on_fault, 0);
    if (sigsetjmp(fault_jump, 1) == 0) {
        int divisor = 0;
        asm volatile("cltd\n\tidivl %1" : "+a"(divisor) : "r"(divisor) : "rdx");
    }
    CHECK_EQ(handled_signo, SIGFPE);
    CHECK_EQ(handled_code, FPE_INTDIV);
    reset(SIGSEGV), reset(SIGFPE);
}

static char alternate[1 << 16];
static volatile int change_errno;

static int on_alternate_stack(unsigned long at) {
    return at >= (unsigned long)alternate && at < (unsigned long)alternate + sizeof alternate;
}

static void on_alternate(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)info, (void)context;
    stack_t other = {alternate, 0, sizeof alternate};
    change_errno = sigaltstack(&other, NULL) == -1 ? errno : 0;
    char here;
    fault_stack = (unsigned long)&here;
}

TEST(sigaltstack_normal_and_edges) {
    stack_t set = {alternate, 0, sizeof alternate}, got;
    CHECK_OK(sigaltstack(&set, NULL));
    CHECK_OK(sigaltstack(NULL, &got));
    CHECK(got.ss_sp == alternate);
    CHECK_EQ(got.ss_size, sizeof alternate);
    CHECK_EQ(got.ss_flags, 0);
    install(SIGUSR1, on_alternate, SA_ONSTACK);
    raise(SIGUSR1);
    CHECK(on_alternate_stack(fault_stack));
    CHECK_EQ(change_errno, EPERM); // not while running on it
    stack_t small = {alternate, 0, 1024}, bad = {alternate, 42, sizeof alternate};
    CHECK_ERR(sigaltstack(&small, NULL), ENOMEM);
    CHECK_ERR(sigaltstack(&bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_sigaltstack, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_sigaltstack, NULL, BAD_PTR), EFAULT);
    stack_t off = {NULL, SS_DISABLE, 0};
    CHECK_OK(sigaltstack(&off, NULL));
    CHECK_OK(sigaltstack(NULL, &got));
    CHECK_EQ(got.ss_flags, SS_DISABLE);
    reset(SIGUSR1);
}

// A handler's frame cannot be pushed on a stack pointer that points nowhere: the kernel
// forces SIGSEGV (SI_KERNEL), which its SA_ONSTACK handler takes on the alternate stack.
TEST(fault_while_pushing_a_frame) {
    reset_counts();
    stack_t set = {alternate, 0, sizeof alternate}, off = {NULL, SS_DISABLE, 0};
    CHECK_OK(sigaltstack(&set, NULL));
    install(SIGSEGV, on_fault, SA_ONSTACK);
    install(SIGUSR1, on_signal, SA_RESETHAND);
    fault_stack = 0;
    if (sigsetjmp(fault_jump, 1) == 0) {
        long pid = getpid(), tid = gettid();
        asm volatile("mov %%rsp, %%r12\n\t"
                     "mov $0x10, %%rsp\n\t"
                     "syscall\n\t"
                     "mov %%r12, %%rsp"
                     :
                     : "a"(SYS_tgkill), "D"(pid), "S"(tid), "d"(SIGUSR1)
                     : "r12", "rcx", "r11", "memory");
    }
    CHECK_EQ(handled, 0);
    CHECK_EQ(handled_signo, SIGSEGV);
    CHECK_EQ(handled_code, SI_KERNEL);
    CHECK_EQ(handled_addr, 0);
    CHECK(on_alternate_stack(fault_stack));
    struct sigaction now;
    CHECK_OK(sigaction(SIGUSR1, NULL, &now));
    CHECK(now.sa_handler == SIG_DFL); // SA_RESETHAND took effect all the same
    CHECK_OK(sigaction(SIGSEGV, NULL, &now));
    CHECK(now.sa_sigaction == on_fault); // SIGSEGV's own handler stays
    CHECK_OK(sigaltstack(&off, NULL));
    reset(SIGSEGV);
}

static void on_alarm(int sig) {
    (void)sig;
    handled++;
}

// A SIGALRM handler that uses the vector registers the interrupted loop keeps its sum in.
static void on_alarm_with_vectors(int sig) {
    (void)sig;
    volatile double x = 3.25;
    double y = x * x + 0.5;
    asm volatile("movsd %0, %%xmm0\n\tmovsd %0, %%xmm1" : : "x"(y) : "xmm0", "xmm1");
    handled++;
}

TEST(rt_sigsuspend_and_pause) {
    reset_counts();
    install(SIGUSR1, on_signal, 0);
    sigset_t block, old, wait_mask, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
    raise(SIGUSR1);
    sigemptyset(&wait_mask);
    CHECK_ERR(sigsuspend(&wait_mask), EINTR);
    CHECK_EQ(handled, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR1)); // the mask from before the call is back
    CHECK_ERR(syscall(SYS_rt_sigsuspend, &wait_mask, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigsuspend, BAD_PTR, 8), EFAULT);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    // pause returns once a handled signal arrives. The timer repeats: under bascule a
    // signal raised just before pause blocks waits for the next one (README, "Not yet").
    reset_counts();
    signal(SIGALRM, on_alarm);
    struct itimerval every = {{0, 1000}, {0, 1000}}, off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &every, NULL));
    CHECK_ERR(pause(), EINTR);
    CHECK(handled >= 1);
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    reset(SIGALRM), reset(SIGUSR1);
}

// An interval timer much faster than its handler can keep up with on a loaded machine:
// expirations that pile up coalesce into one pending SIGALRM, and nothing else happens
// (the runtime once died here when several copies ran at once: tests/integration). The
// loop's sum lives in a vector register the handler overwrites: every interrupted
// context gets its own extended state back.
TEST(interval_timer_storm) {
    reset_counts();
    signal(SIGALRM, on_alarm_with_vectors);
    struct itimerval fast = {{0, 100}, {0, 100}}, off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &fast, NULL));
    double sum = 0;
    long iterations = 0;
    while (handled < 100) {
        asm volatile("addsd %1, %0" : "+x"(sum) : "x"(1.0));
        iterations++;
    }
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    CHECK(sum == (double)iterations);
    reset(SIGALRM);
}

// The same storm over a loop of system calls: a signal that comes as a call returns (in
// the LibOS, or as the runtime resumes the program) is delivered in the program, and the
// sum each call leaves in a vector register survives both the call and the handler.
TEST(interval_timer_storm_across_system_calls) {
    reset_counts();
    signal(SIGALRM, on_alarm_with_vectors);
    long parent = getppid();
    struct itimerval fast = {{0, 100}, {0, 100}}, off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &fast, NULL));
    double sum = 0;
    long iterations = 0;
    while (handled < 100) {
        long result;
        asm volatile("addsd %[one], %[sum]\n\tsyscall"
                     : [sum] "+x"(sum), "=a"(result)
                     : [one] "x"(1.0), "a"((long)SYS_getppid)
                     : "rcx", "r11", "memory");
        iterations++;
        if (result != parent)
            CHECK_EQ(result, parent);
    }
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    CHECK(sum == (double)iterations);
    reset(SIGALRM);
}

// A one-shot timer that expires as setitimer returns, or just after: its signal ends a
// loop that makes no system call at all. Under bascule an interrupt that lands in the
// LibOS after its last look at pending signals must not leave the signal to a next call
// that never comes (the loop's bound, some seconds, only turns such a loss into a
// failure rather than a hang).
TEST(one_shot_timer_ends_a_loop_without_system_calls) {
    reset_counts();
    signal(SIGALRM, on_alarm);
    for (int round = 0; round < 2000; round++) {
        int before = handled;
        struct itimerval once = {{0, 0}, {0, 1 + round % 40}};
        CHECK_OK(setitimer(ITIMER_REAL, &once, NULL));
        long spins = 0;
        while (handled == before && spins < 4000000000l)
            spins++;
        if (handled == before) {
            check_fail(__FILE__, __LINE__, "round %d: SIGALRM never came", round);
            break;
        }
    }
    reset(SIGALRM);
}

// rt_sigtimedwait takes a signal of its set that another process sends, even one that is
// not blocked and has a handler: the handler does not run for it and the call does not
// fail with EINTR. The child sends until its parent has taken one.
TEST(rt_sigtimedwait_takes_a_signal_another_process_sends) {
    reset_counts();
    install(SIGUSR1, on_signal, 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pid_t parent = getpid(), child = CHECK_OK(fork());
    if (child == 0) {
        for (int i = 0; i < 2000; i++) { // 20 s at most
            kill(parent, SIGUSR1);
            usleep(10000);
        }
        _exit(0);
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int before = handled;
    CHECK_EQ(sigwaitinfo(&set, &info), SIGUSR1);
    CHECK_EQ(info.si_signo, SIGUSR1);
    CHECK_EQ(info.si_code, SI_USER);
    CHECK_EQ(info.si_pid, child);
    CHECK(handled >= before); // handlers may have run before the wait, not for this one
    CHECK_OK(kill(child, SIGKILL));
    CHECK_EQ(CHECK_OK(waitpid(child, NULL, 0)), child);
    reset(SIGUSR1);
}

// A standard signal pending already is not queued again: its first sender's siginfo
// stays (legacy_queue), so a handler that answers si_pid answers the first (LTP kill10).
TEST(pending_standard_signal_keeps_its_first_siginfo) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(kill(getpid(), SIGUSR2));
    pid_t parent = getpid(), child = CHECK_OK(fork());
    if (child == 0)
        _exit(kill(parent, SIGUSR2) == 0 ? 0 : 1);
    int status;
    CHECK_EQ(CHECK_OK(waitpid(child, &status, 0)), child);
    CHECK_EQ(status, 0);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    struct timespec none = {0, 0};
    CHECK_EQ(sigtimedwait(&set, &info, &none), SIGUSR2);
    CHECK_EQ(info.si_pid, parent); // the first, not the child's
    CHECK_ERR(sigtimedwait(&set, &info, &none), EAGAIN); // one instance only
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

// Another process sends more signals than a small queue would hold at once, each a
// different one, while they are blocked: every one is pending afterwards, as Linux keeps
// a signal pending even when it cannot queue its siginfo (LTP sigrelse01).
TEST(many_signals_from_another_process_all_arrive) {
    static const int standard[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,
                                   SIGALRM, SIGTERM, SIGURG, SIGWINCH};
    sigset_t wanted, old, pending;
    sigemptyset(&wanted);
    for (unsigned i = 0; i < sizeof standard / sizeof *standard; i++)
        sigaddset(&wanted, standard[i]);
    for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
        sigaddset(&wanted, sig);
    CHECK_OK(sigprocmask(SIG_BLOCK, &wanted, &old));
    pid_t parent = getpid();
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        for (int sig = 1; sig <= SIGRTMAX; sig++)
            if (sigismember(&wanted, sig) == 1 && kill(parent, sig) != 0)
                _exit(1);
        _exit(0);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_OK(sigpending(&pending));
    for (int sig = 1; sig <= SIGRTMAX; sig++)
        if (sigismember(&wanted, sig) == 1 && sigismember(&pending, sig) != 1)
            check_fail(__FILE__, __LINE__, "signal %d is not pending", sig);
    // Take them, then put the mask back.
    struct timespec now = {0, 0};
    while (sigtimedwait(&wanted, NULL, &now) > 0) {
    }
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    CHECK_ERR(kill(parent, 65), EINVAL);
}

// RLIMIT_SIGPENDING 0: no signal can be queued, so tgkill of a real-time signal is
// EAGAIN (LTP tgkill02); kill's, and a standard signal, are pending all the same.
TEST(tgkill_past_rlimit_sigpending) {
    struct rlimit old, none;
    CHECK_OK(getrlimit(RLIMIT_SIGPENDING, &old));
    sigset_t wanted, previous, pending;
    sigemptyset(&wanted);
    sigaddset(&wanted, SIGRTMIN);
    sigaddset(&wanted, SIGRTMIN + 1);
    sigaddset(&wanted, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &wanted, &previous));
    none = old;
    none.rlim_cur = 0;
    CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &none));
    pid_t tid = (pid_t)syscall(SYS_gettid);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, SIGRTMIN), EAGAIN);
    CHECK_OK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1)); // its siginfo lost only
    CHECK_OK(kill(getpid(), SIGRTMIN + 1));
    CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 65), EINVAL);
    CHECK_OK(setrlimit(RLIMIT_SIGPENDING, &old));
    CHECK_OK(sigpending(&pending));
    CHECK(!sigismember(&pending, SIGRTMIN));
    CHECK(sigismember(&pending, SIGUSR1));
    CHECK(sigismember(&pending, SIGRTMIN + 1));
    struct timespec now = {0, 0};
    while (sigtimedwait(&wanted, NULL, &now) > 0) {
    }
    CHECK_OK(sigprocmask(SIG_SETMASK, &previous, NULL));
}

TEST(rt_sigtimedwait_edges) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    struct timespec zero = {0, 0}, bad = {0, 1000000000};
    CHECK_ERR(sigtimedwait(&set, NULL, &zero), EAGAIN); // nothing pending
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 4), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, BAD_PTR, NULL, &zero, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, NULL, BAD_PTR, 8), EFAULT);
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, NULL, &bad, 8), EINVAL);
    // A bad siginfo pointer: EFAULT, and the signal is taken all the same.
    CHECK_OK(raise(SIGUSR2));
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &set, BAD_PTR, &zero, 8), EFAULT);
    CHECK_ERR(sigtimedwait(&set, NULL, &zero), EAGAIN);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
}

static volatile sig_atomic_t flood_count;
static void on_flood(int sig) {
    (void)sig;
    flood_count++;
}

// Many processes signal one at once, faster than it runs: a standard signal is pending
// once however often it is sent, and the process takes them and keeps running.
TEST(a_flood_of_signals_from_many_processes) {
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_flood;
    sa.sa_flags = SA_RESTART;
    CHECK_OK(sigaction(SIGUSR1, &sa, &old_sa));
    flood_count = 0;
    pid_t parent = getpid();
    enum { kSenders = 8, kSends = 3000 };
    pid_t children[kSenders];
    for (int i = 0; i < kSenders; i++) {
        children[i] = CHECK_OK(fork());
        if (children[i] == 0) {
            for (int n = 0; n < kSends; n++)
                if (kill(parent, SIGUSR1) != 0)
                    _exit(1);
            _exit(0);
        }
    }
    for (int i = 0; i < kSenders; i++) {
        int status = -1;
        CHECK_EQ(waitpid(children[i], &status, 0), children[i]); // SA_RESTART: no EINTR
        CHECK_EQ(status, 0);
    }
    CHECK(flood_count >= 1);
    CHECK_OK(sigaction(SIGUSR1, &old_sa, NULL));
}
