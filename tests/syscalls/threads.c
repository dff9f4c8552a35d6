// SPDX-License-Identifier: MIT
// Threads: clone and clone3 as pthread_create and raw callers use them, the tid
// registrations, exit of one thread, per-thread signal state, signals to a chosen thread
// and to the process, futex waits between threads (bitsets, requeue, PI hand-over),
// robust locks whose owner dies, and /proc's view of the threads. No test waits on time:
// each waits for the condition it needs.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(void *word, int op, uint32_t value, const void *timeout, void *word2,
                  uint32_t value3) {
    return syscall(SYS_futex, word, op, value, timeout, word2, value3);
}

static pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

// Waits until *flag is nonzero (a futex wait on it; the setter wakes).
static void wait_flag(atomic_int *flag) {
    while (!atomic_load(flag))
        futex(flag, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void set_flag(atomic_int *flag, int value) {
    atomic_store(flag, value);
    futex(flag, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

// ---- creating and ending threads -------------------------------------------------------

static void *report_ids(void *arg) {
    long *ids = arg;
    ids[0] = getpid();
    ids[1] = gettid_raw();
    return (void *)42;
}

TEST(pthread_create_and_join) {
    long ids[2];
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, report_ids, ids), 0);
    void *result;
    CHECK_EQ(pthread_join(thread, &result), 0);
    CHECK_EQ((long)result, 42);
    CHECK_EQ(ids[0], getpid());
    CHECK(ids[1] != getpid());
    CHECK(ids[1] > 0);
}

TEST(thread_ids_are_distinct) {
    enum { kThreads = 6 };
    long ids[kThreads][2];
    pthread_t threads[kThreads];
    for (int i = 0; i < kThreads; i++)
        CHECK_EQ(pthread_create(&threads[i], NULL, report_ids, ids[i]), 0);
    for (int i = 0; i < kThreads; i++)
        CHECK_EQ(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < kThreads; i++)
        for (int j = i + 1; j < kThreads; j++)
            CHECK(ids[i][1] != ids[j][1]);
}

// A raw clone through glibc's wrapper, with the tid registrations of its own.
struct RawChild {
    atomic_int parent_tid, child_tid, seen_tid, go;
};

static int raw_child(void *arg) {
    struct RawChild *c = arg;
    atomic_store(&c->seen_tid, (int)gettid_raw());
    wait_flag(&c->go);
    return 0; // glibc's wrapper calls exit
}

TEST(clone_tid_registrations) {
    static struct RawChild c;
    memset(&c, 0, sizeof c);
    size_t size = 256 * 1024;
    char *stack = malloc(size);
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    int tid = clone(raw_child, stack + size, flags, &c, &c.parent_tid, NULL, &c.child_tid);
    CHECK(tid > 0);
    CHECK_EQ(atomic_load(&c.parent_tid), tid); // written before clone returned
    while (atomic_load(&c.seen_tid) == 0)
        sched_yield();
    CHECK_EQ(atomic_load(&c.seen_tid), tid);
    // CLONE_CHILD_SETTID wrote the tid before the child ran its function.
    int word = atomic_load(&c.child_tid);
    CHECK(word == tid);
    set_flag(&c.go, 1);
    // CLONE_CHILD_CLEARTID: 0 and a futex wake as the thread ends.
    while ((word = atomic_load(&c.child_tid)) != 0)
        futex(&c.child_tid, FUTEX_WAIT, (uint32_t)word, NULL, NULL, 0);
    free(stack);
}

TEST(clone_flag_rules) {
    // In copy_process's order: CLONE_THREAD needs CLONE_SIGHAND, which needs CLONE_VM.
    CHECK_ERR(syscall(SYS_clone, CLONE_VM | CLONE_THREAD, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_clone, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_PIDFD |
                                     CLONE_DETACHED, 0, 0, 0, 0),
              EINVAL);
}

TEST(clone3_argument_rules) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    CHECK_ERR(syscall(SYS_clone3, &args, 63), EINVAL); // below CLONE_ARGS_SIZE_VER0
    CHECK_ERR(syscall(SYS_clone3, &args, 4097), E2BIG);
    CHECK_ERR(syscall(SYS_clone3, BAD_PTR, sizeof args), EFAULT);
    static char big[4096];
    memcpy(big, &args, sizeof args);
    big[sizeof args + 8] = 1; // a field this kernel does not know, not zero
    CHECK_ERR(syscall(SYS_clone3, big, sizeof big), E2BIG);
    struct clone_args bad = args;
    bad.exit_signal = SIGCHLD; // a thread has no exit signal
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.stack_size = 4096; // a size without a stack
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.stack = (uint64_t)(uintptr_t)big; // a stack without a size
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.flags |= 1ull << 40; // no such flag
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.flags |= SIGCHLD; // the signal has its own field in clone3
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.flags &= ~(uint64_t)CLONE_SIGHAND;
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.exit_signal = 65;
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad = args;
    bad.set_tid_size = 1; // no set_tid array
    CHECK_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
}

static void *exit_alone(void *arg) {
    (void)arg;
    syscall(SYS_exit, 7); // this thread only; the process goes on
    return NULL;
}

TEST(exit_ends_only_the_thread) {
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, exit_alone, NULL), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(getpid(), getpid()); // still here
}

// ---- robust lists ------------------------------------------------------------------------

static pthread_mutex_t robust;

static void *die_holding(void *arg) {
    (void)arg;
    pthread_mutex_lock(&robust);
    return NULL; // ends owning it
}

TEST(robust_mutex_owner_dies) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    CHECK_EQ(pthread_mutex_init(&robust, &attr), 0);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, die_holding, NULL), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(pthread_mutex_lock(&robust), EOWNERDEAD);
    CHECK_EQ(pthread_mutex_consistent(&robust), 0);
    CHECK_EQ(pthread_mutex_unlock(&robust), 0);
    CHECK_EQ(pthread_mutex_lock(&robust), 0);
    CHECK_EQ(pthread_mutex_unlock(&robust), 0);
    pthread_mutex_destroy(&robust);
}

struct RobustHead {
    void *next;
    long offset;
    void *pending;
};
static atomic_int robust_listed, robust_go;
static struct RobustHead *robust_head;

static void *register_list(void *arg) {
    (void)arg;
    static struct RobustHead head;
    head.next = &head;
    head.offset = 0;
    head.pending = NULL;
    syscall(SYS_set_robust_list, &head, sizeof head);
    robust_head = &head;
    set_flag(&robust_listed, gettid_raw());
    wait_flag(&robust_go);
    return NULL;
}

TEST(get_robust_list_of_another_thread) {
    atomic_store(&robust_listed, 0);
    atomic_store(&robust_go, 0);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, register_list, NULL), 0);
    wait_flag(&robust_listed);
    void *head = NULL;
    size_t size = 0;
    CHECK_OK(syscall(SYS_get_robust_list, atomic_load(&robust_listed), &head, &size));
    CHECK(head == robust_head);
    CHECK_EQ(size, sizeof(struct RobustHead));
    CHECK_ERR(syscall(SYS_get_robust_list, 0x3ffffff0, &head, &size), ESRCH);
    CHECK_ERR(syscall(SYS_get_robust_list, 0, BAD_PTR, &size), EFAULT);
    set_flag(&robust_go, 1);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

// Pid 1 (root's init) asked by a caller that dropped root: EPERM, the ptrace check's
// answer; the process exists, so not ESRCH (LTP get_robust_list01).
TEST(get_robust_list_without_permission) {
    if (getuid() != 0 || check_capable(CAP_SETUID) != 1)
        return;
    pid_t child = fork();
    if (child == 0) {
        void *head = NULL;
        size_t size = 0;
        if (setuid(65534) != 0)
            _exit(2);
        errno = 0;
        long r = syscall(SYS_get_robust_list, 1, &head, &size);
        _exit(r == -1 && errno == EPERM ? 0 : 1);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
}

static atomic_int sleeper_tid, sleeper_go;

static void *sleep_on_flag(void *arg) {
    (void)arg;
    set_flag(&sleeper_tid, gettid_raw());
    wait_flag(&sleeper_go);
    return NULL;
}

// The state letter of /proc/self/task/TID/stat.
static char task_state(int tid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    const char *after = strrchr(text, ')');
    return after && after[1] == ' ' ? after[2] : 0;
}

// /proc/self/task/TID/stat shows each thread's own state: S for one waiting on a futex,
// R for the one reading it (LTP futex_wake02 waits for its threads to sleep so).
TEST(task_state_of_a_sleeping_thread) {
    atomic_store(&sleeper_tid, 0);
    atomic_store(&sleeper_go, 0);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, sleep_on_flag, NULL), 0);
    wait_flag(&sleeper_tid);
    int tid = atomic_load(&sleeper_tid);
    char state = 0;
    for (int tries = 0; tries < 500 && (state = task_state(tid)) != 'S'; tries++)
        usleep(10000);
    CHECK_EQ(state, 'S');
    CHECK_EQ(task_state(gettid_raw()), 'R');
    set_flag(&sleeper_go, 1);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}

// ---- futexes between threads -------------------------------------------------------------

struct Waiter {
    uint32_t *word;
    uint32_t bitset;
    atomic_int done;
    long result;
};

static void *wait_bitset(void *arg) {
    struct Waiter *w = arg;
    w->result = futex(w->word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, w->bitset);
    set_flag(&w->done, 1);
    return NULL;
}

TEST(wake_bitset_wakes_only_matching_waiters) {
    static uint32_t word;
    struct Waiter a = {&word, 1, 0, -2}, b = {&word, 2, 0, -2};
    pthread_t ta, tb;
    CHECK_EQ(pthread_create(&ta, NULL, wait_bitset, &a), 0);
    CHECK_EQ(pthread_create(&tb, NULL, wait_bitset, &b), 0);
    // Wakes b once it waits (0 until then); a, with another bitset, never.
    while (futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 2) == 0)
        sched_yield();
    wait_flag(&b.done);
    CHECK_EQ(b.result, 0);
    CHECK_EQ(atomic_load(&a.done), 0);
    while (futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 1) == 0)
        sched_yield();
    wait_flag(&a.done);
    CHECK_EQ(a.result, 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

static void *wait_plain(void *arg) {
    struct Waiter *w = arg;
    w->result = futex(w->word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    set_flag(&w->done, 1);
    return NULL;
}

TEST(cmp_requeue_moves_a_waiter) {
    static uint32_t from, to;
    struct Waiter w = {&from, 0, 0, -2};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, wait_plain, &w), 0);
    CHECK_ERR(futex(&from, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &to, 5), EAGAIN);
    CHECK_ERR(futex(&from, FUTEX_CMP_REQUEUE_PRIVATE, (uint32_t)-1, (void *)1, &to, 0), EINVAL);
    // Moves it once it waits: wakes none, requeues one.
    while (futex(&from, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &to, 0) == 0)
        sched_yield();
    CHECK_EQ(futex(&from, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0); // no one left there
    CHECK_EQ(atomic_load(&w.done), 0);
    CHECK_EQ(futex(&to, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    wait_flag(&w.done);
    CHECK_EQ(w.result, 0);
    pthread_join(thread, NULL);
}

TEST(wake_counts_what_it_woke) {
    enum { kWaiters = 3 };
    static uint32_t word;
    struct Waiter w[kWaiters];
    pthread_t threads[kWaiters];
    for (int i = 0; i < kWaiters; i++) {
        w[i] = (struct Waiter){&word, 0, 0, -2};
        CHECK_EQ(pthread_create(&threads[i], NULL, wait_plain, &w[i]), 0);
    }
    int woken = 0;
    while (woken < kWaiters) {
        long n = futex(&word, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0);
        CHECK(n >= 0 && n <= 2);
        woken += (int)n;
        if (!n)
            sched_yield();
    }
    for (int i = 0; i < kWaiters; i++) {
        pthread_join(threads[i], NULL);
        CHECK_EQ(w[i].result, 0);
    }
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
}

struct PiLocker {
    uint32_t *word;
    atomic_int tid, done, go;
    long result;
};

static void *lock_pi(void *arg) {
    struct PiLocker *l = arg;
    atomic_store(&l->tid, (int)gettid_raw());
    l->result = futex(l->word, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0);
    set_flag(&l->done, 1);
    wait_flag(&l->go); // lives on as the lock's owner
    return NULL;
}

TEST(unlock_pi_hands_the_lock_to_its_waiter) {
    static uint32_t word;
    word = (uint32_t)gettid_raw(); // held by this thread, taken in user space
    struct PiLocker l = {&word, 0, 0, 0, -2};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, lock_pi, &l), 0);
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
    while (!(__atomic_load_n(&word, __ATOMIC_SEQ_CST) & FUTEX_WAITERS))
        sched_yield(); // the waiter marks the word before it sleeps
    CHECK_EQ(atomic_load(&l.done), 0);
    CHECK_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    wait_flag(&l.done);
    CHECK_EQ(l.result, 0);
    CHECK_EQ(word, (uint32_t)atomic_load(&l.tid) | FUTEX_WAITERS);
    // Owned by a live thread: TRYLOCK_PI is EAGAIN, UNLOCK_PI by a non-owner EPERM.
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);
    set_flag(&l.go, 1);
    pthread_join(thread, NULL);
}

static pthread_mutex_t pi_mutex;
static atomic_int pi_holder_ready, pi_release;

static void *hold_pi(void *arg) {
    (void)arg;
    pthread_mutex_lock(&pi_mutex);
    set_flag(&pi_holder_ready, 1);
    wait_flag(&pi_release);
    pthread_mutex_unlock(&pi_mutex);
    return NULL;
}

TEST(prio_inherit_mutex_between_threads) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    CHECK_EQ(pthread_mutex_init(&pi_mutex, &attr), 0);
    atomic_store(&pi_holder_ready, 0);
    atomic_store(&pi_release, 0);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, hold_pi, NULL), 0);
    wait_flag(&pi_holder_ready);
    CHECK_EQ(pthread_mutex_trylock(&pi_mutex), EBUSY);
    set_flag(&pi_release, 1);
    CHECK_EQ(pthread_mutex_lock(&pi_mutex), 0); // waits for the holder's unlock
    CHECK_EQ(pthread_mutex_unlock(&pi_mutex), 0);
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&pi_mutex);
}

// ---- signals and threads -----------------------------------------------------------------

static atomic_int handled_by;

static void record_thread(int sig) {
    (void)sig;
    set_flag(&handled_by, (int)gettid_raw());
}

struct SignalTarget {
    atomic_int tid, go;
    sigset_t block;
};

static void *signal_target(void *arg) {
    struct SignalTarget *t = arg;
    pthread_sigmask(SIG_SETMASK, &t->block, NULL);
    set_flag(&t->tid, (int)gettid_raw());
    wait_flag(&t->go); // woken by the main thread after the handler ran
    return NULL;
}

static void install(int sig, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigaction(sig, &action, NULL);
}

TEST(tgkill_reaches_the_chosen_thread) {
    install(SIGUSR1, record_thread);
    atomic_store(&handled_by, 0);
    struct SignalTarget t = {0};
    sigemptyset(&t.block);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, signal_target, &t), 0);
    wait_flag(&t.tid);
    int tid = atomic_load(&t.tid);
    CHECK_OK(syscall(SYS_tgkill, getpid(), tid, 0)); // the probe
    CHECK_ERR(syscall(SYS_tgkill, getpid() + 100000, tid, SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), 0, SIGUSR1), EINVAL);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), 0x3ffffff0, SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tkill, 0x3ffffff0, SIGUSR1), ESRCH);
    CHECK_ERR(syscall(SYS_tgkill, getpid(), tid, 65), EINVAL);
    CHECK_OK(syscall(SYS_tgkill, getpid(), tid, SIGUSR1));
    wait_flag(&handled_by);
    CHECK_EQ(atomic_load(&handled_by), tid);
    set_flag(&t.go, 1);
    pthread_join(thread, NULL);
    install(SIGUSR1, SIG_DFL);
}

TEST(process_signal_runs_in_a_thread_that_does_not_block_it) {
    install(SIGUSR2, record_thread);
    atomic_store(&handled_by, 0);
    sigset_t usr2, old;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, &old);
    struct SignalTarget t = {0};
    sigemptyset(&t.block); // the thread takes it
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, signal_target, &t), 0);
    wait_flag(&t.tid);
    CHECK_OK(kill(getpid(), SIGUSR2));
    wait_flag(&handled_by);
    CHECK_EQ(atomic_load(&handled_by), atomic_load(&t.tid));
    set_flag(&t.go, 1);
    pthread_join(thread, NULL);
    sigset_t pending;
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR2));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    install(SIGUSR2, SIG_DFL);
}

static void *report_mask_and_stack(void *arg) {
    long *out = arg;
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    out[0] = sigismember(&mask, SIGUSR1);
    stack_t stack;
    sigaltstack(NULL, &stack);
    out[1] = stack.ss_flags;
    sigset_t more;
    sigemptyset(&more);
    sigaddset(&more, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &more, NULL); // its own: the creator's stays
    return NULL;
}

TEST(signal_mask_inherited_alternate_stack_not) {
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old);
    static char alternate[65536];
    stack_t stack = {.ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0}, old_stack;
    CHECK_OK(sigaltstack(&stack, &old_stack));
    long out[2] = {-1, -1};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, report_mask_and_stack, out), 0);
    pthread_join(thread, NULL);
    CHECK_EQ(out[0], 1);           // the mask comes along
    CHECK_EQ(out[1], SS_DISABLE);  // the alternate stack does not (CLONE_VM)
    sigset_t now;
    pthread_sigmask(SIG_BLOCK, NULL, &now);
    CHECK(!sigismember(&now, SIGUSR2));
    CHECK_OK(sigaltstack(&old_stack, NULL));
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

struct SignalfdWaiter {
    int fd;
    atomic_int done;
    uint32_t signo;
};

static void *read_signalfd(void *arg) {
    struct SignalfdWaiter *w = arg;
    struct pollfd p = {w->fd, POLLIN, 0};
    poll(&p, 1, -1);
    struct signalfd_siginfo info;
    if (read(w->fd, &info, sizeof info) == sizeof info)
        w->signo = info.ssi_signo;
    set_flag(&w->done, 1);
    return NULL;
}

TEST(signalfd_in_one_thread_sees_a_signal_sent_from_another) {
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, &old); // blocked in both threads
    struct SignalfdWaiter w = {signalfd(-1, &usr1, SFD_CLOEXEC), 0, 0};
    CHECK(w.fd >= 0);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, read_signalfd, &w), 0);
    CHECK_OK(kill(getpid(), SIGUSR1));
    wait_flag(&w.done);
    CHECK_EQ(w.signo, SIGUSR1);
    pthread_join(thread, NULL);
    close(w.fd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

struct EpollWaiter {
    int epoll;
    atomic_int done;
    int count;
};

static void *wait_epoll(void *arg) {
    struct EpollWaiter *w = arg;
    struct epoll_event event;
    w->count = epoll_wait(w->epoll, &event, 1, -1);
    set_flag(&w->done, 1);
    return NULL;
}

TEST(eventfd_write_wakes_epoll_in_another_thread) {
    int efd = eventfd(0, EFD_CLOEXEC);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.fd = efd};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &event));
    struct EpollWaiter w = {ep, 0, -2};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, wait_epoll, &w), 0);
    uint64_t one = 1;
    CHECK_EQ(write(efd, &one, sizeof one), 8);
    wait_flag(&w.done);
    CHECK_EQ(w.count, 1);
    pthread_join(thread, NULL);
    close(ep);
    close(efd);
}

// ---- names, /proc, and what threads share ------------------------------------------------

struct Named {
    atomic_int tid, go;
};

static void *named_thread(void *arg) {
    struct Named *n = arg;
    prctl(PR_SET_NAME, "worker-1");
    set_flag(&n->tid, (int)gettid_raw());
    wait_flag(&n->go);
    return NULL;
}

static int count_tasks(void) {
    DIR *dir = opendir("/proc/self/task");
    if (!dir)
        return -1;
    int count = 0;
    for (struct dirent *e; (e = readdir(dir));)
        if (e->d_name[0] != '.')
            count++;
    closedir(dir);
    return count;
}

static void read_text(const char *path, char *text, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, size - 1) : -1;
    text[n > 0 ? n : 0] = 0;
    if (fd >= 0)
        close(fd);
}

TEST(names_and_proc_task_per_thread) {
    char before[16], after[16];
    prctl(PR_GET_NAME, before);
    struct Named n = {0};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, named_thread, &n), 0);
    wait_flag(&n.tid);
    prctl(PR_GET_NAME, after);
    CHECK_STR(after, before); // the thread renamed itself only
    while (count_tasks() > 2)
        sched_yield(); // a thread an earlier test joined may linger a moment in Linux
    CHECK_EQ(count_tasks(), 2);
    char path[64], text[4096];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", atomic_load(&n.tid));
    read_text(path, text, sizeof text);
    CHECK_STR(text, "worker-1\n");
    read_text("/proc/self/status", text, sizeof text);
    CHECK(strstr(text, "\nThreads:\t2\n") != NULL);
    snprintf(path, sizeof path, "/proc/self/task/%d", 0x3ffffff0);
    CHECK_ERR(open(path, O_RDONLY | O_DIRECTORY), ENOENT);
    set_flag(&n.go, 1);
    pthread_join(thread, NULL);
    while (count_tasks() > 1)
        sched_yield();
}

static void *open_a_file(void *arg) {
    int *fd = arg;
    *fd = open("shared", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    return NULL;
}

TEST(threads_share_descriptors) {
    int fd = -1;
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, open_a_file, &fd), 0);
    pthread_join(thread, NULL);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "x", 1), 1); // the thread's descriptor is the process's
    CHECK_OK(close(fd));
}

struct SharedFile {
    atomic_int fd, stop, wrong;
};

// Reads, stats and seeks whatever the shared descriptor is now: every answer must be the
// file's (the same bytes in each file opened there) or EBADF, never another's or garbage.
static void *use_the_shared_file(void *arg) {
    struct SharedFile *shared = arg;
    while (!atomic_load(&shared->stop)) {
        int fd = atomic_load(&shared->fd);
        char bytes[6] = {0};
        struct stat st;
        ssize_t n = pread(fd, bytes, 5, 0);
        if ((n < 0 && errno != EBADF) || (n >= 0 && (n != 5 || strcmp(bytes, "fives") != 0)))
            atomic_store(&shared->wrong, 1);
        if (fstat(fd, &st) != 0 ? errno != EBADF : st.st_size != 5 || !S_ISREG(st.st_mode))
            atomic_store(&shared->wrong, 1);
        off_t at = lseek(fd, 2, SEEK_SET);
        if (at < 0 ? errno != EBADF : at != 2)
            atomic_store(&shared->wrong, 1);
    }
    return NULL;
}

// One thread closes and opens the file again and again while two others use the
// descriptor: closing waits for none of them, and none sees a closed file's leftovers.
TEST(descriptor_closed_while_other_threads_use_it) {
    check_write_file("shared", "fives");
    struct SharedFile shared = {0};
    atomic_store(&shared.fd, CHECK_OK(open("shared", O_RDONLY)));
    pthread_t users[2];
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&users[i], NULL, use_the_shared_file, &shared), 0);
    for (int round = 0; round < 2000; round++) {
        CHECK_OK(close(atomic_load(&shared.fd)));
        atomic_store(&shared.fd, CHECK_OK(open("shared", O_RDONLY)));
    }
    atomic_store(&shared.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(users[i], NULL);
    CHECK_EQ(atomic_load(&shared.wrong), 0);
    CHECK_OK(close(atomic_load(&shared.fd)));
}

struct Burner {
    atomic_int ready, go;
};

static void *burn_then_wait(void *arg) {
    struct Burner *b = arg;
    check_burn_cpu(20 * 1000 * 1000); // 20 ms of CPU time
    set_flag(&b->ready, 1);
    wait_flag(&b->go);
    return NULL;
}

// Another thread's CPU clock (pthread_getcpuclockid): read while it lives, EINVAL once it
// has ended; its resolution is the caller's own thread clock's.
TEST(cpu_clock_of_another_thread) {
    struct Burner b = {0};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, burn_then_wait, &b), 0);
    wait_flag(&b.ready);
    clockid_t clock;
    CHECK_EQ(pthread_getcpuclockid(thread, &clock), 0);
    struct timespec theirs, mine, resolution, own_resolution;
    CHECK_OK(clock_gettime(clock, &theirs));
    CHECK(theirs.tv_sec > 0 || theirs.tv_nsec >= 5 * 1000 * 1000); // most of the 20 ms
    CHECK_OK(clock_getres(clock, &resolution));
    CHECK_OK(clock_getres(CLOCK_THREAD_CPUTIME_ID, &own_resolution));
    CHECK_EQ(resolution.tv_nsec, own_resolution.tv_nsec);
    CHECK_OK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mine));
    set_flag(&b.go, 1);
    pthread_join(thread, NULL);
    // Linux lets the joiner go before the thread is quite gone: its clock ends soon after.
    while (clock_gettime(clock, &theirs) == 0)
        sched_yield();
    CHECK_EQ(errno, EINVAL);
}

struct AffinityTarget {
    atomic_int tid, go;
    cpu_set_t seen;
};

static void *report_affinity(void *arg) {
    struct AffinityTarget *t = arg;
    set_flag(&t->tid, (int)gettid_raw());
    wait_flag(&t->go);
    sched_getaffinity(0, sizeof t->seen, &t->seen);
    return NULL;
}

// Another thread's processors: inherited, read and set by its tid; the caller's stay.
TEST(affinity_of_another_thread) {
    cpu_set_t mine, theirs, one;
    CHECK_OK(sched_getaffinity(0, sizeof mine, &mine));
    struct AffinityTarget t = {0};
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, report_affinity, &t), 0);
    wait_flag(&t.tid);
    int tid = atomic_load(&t.tid);
    CHECK_OK(sched_getaffinity(tid, sizeof theirs, &theirs));
    CHECK(CPU_EQUAL(&mine, &theirs)); // inherited
    int first = 0;
    while (!CPU_ISSET(first, &mine))
        first++;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    CHECK_OK(sched_setaffinity(tid, sizeof one, &one));
    CHECK_OK(sched_getaffinity(tid, sizeof theirs, &theirs));
    CHECK(CPU_EQUAL(&theirs, &one));
    CHECK_OK(sched_getaffinity(0, sizeof theirs, &theirs));
    CHECK(CPU_EQUAL(&theirs, &mine)); // the caller's own is unchanged
    CHECK_ERR(sched_getaffinity(0x3ffffff0, sizeof theirs, &theirs), ESRCH);
    set_flag(&t.go, 1);
    pthread_join(thread, NULL);
    CHECK(CPU_EQUAL(&t.seen, &one)); // what the thread itself sees
    while (sched_setaffinity(tid, sizeof one, &one) == 0)
        sched_yield(); // gone a moment after the join, as above
    CHECK_EQ(errno, ESRCH);
}
