// SPDX-License-Identifier: MIT
// The futex family: WAIT/WAKE (and the BITSET forms), REQUEUE, CMP_REQUEUE, WAKE_OP, and
// the priority-inheritance operations, on a single-threaded program.
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long futex(void *word, int op, uint32_t value, const void *timeout, void *word2,
                  uint32_t value3) {
    return syscall(SYS_futex, word, op, value, timeout, word2, value3);
}

static uint32_t my_tid(void) { return (uint32_t)syscall(SYS_gettid); }

TEST(futex_wait_value_mismatch_and_timeout) {
    uint32_t word = 1;
    struct timespec short_wait = {0, 1000000};
    CHECK_ERR(futex(&word, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1, &short_wait, NULL, 0), ETIMEDOUT);
    // WAIT_BITSET takes a deadline: one in the past times out at once.
    struct timespec past = {0, 1};
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, &past, NULL,
                    FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
}

TEST(futex_wait_bad_input) {
    uint32_t word[2] = {1, 1};
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(futex(BAD_PTR, FUTEX_WAIT, 1, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex((char *)word + 1, FUTEX_WAIT, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(word, FUTEX_WAIT, 1, &bad, NULL, 0), EINVAL);
    CHECK_ERR(futex(word, FUTEX_WAIT, 1, BAD_PTR, NULL, 0), EFAULT);
    CHECK_ERR(futex(word, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0), EINVAL); // empty bitset
    CHECK_ERR(futex(word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
    CHECK_ERR(futex(word, 99, 1, NULL, NULL, 0), ENOSYS);
}

TEST(futex_wake_nobody) {
    uint32_t word = 0;
    CHECK_EQ(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0), 0);
    CHECK_EQ(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY), 0);
    CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex((char *)&word + 2, FUTEX_WAKE, 1, NULL, NULL, 0), EINVAL);
    // A shared futex is keyed by its page, which must exist; a private one by its address.
    CHECK_ERR(futex(BAD_PTR, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);
    CHECK_EQ(futex(BAD_PTR, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
}

TEST(futex_requeue_and_cmp_requeue) {
    uint32_t a = 5, b = 0;
    CHECK_EQ(futex(&a, FUTEX_REQUEUE, 1, (void *)1, &b, 0), 0);
    CHECK_EQ(futex(&a, FUTEX_CMP_REQUEUE, 1, (void *)1, &b, 5), 0);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE, 1, (void *)1, &b, 6), EAGAIN);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE, (uint32_t)-1, (void *)1, &b, 5), EINVAL);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE, 1, (void *)-1, &b, 5), EINVAL);
    CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE, 1, (void *)1, (char *)&b + 1, 5), EINVAL);
    CHECK_ERR(futex(BAD_PTR, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &b, 5), EFAULT);
    CHECK_ERR(futex(&a, FUTEX_REQUEUE, 1, (void *)1, BAD_PTR, 0), EFAULT);
    CHECK_EQ(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, (void *)1, BAD_PTR, 0), 0);
}

#define WAKE_OP(op, oparg, cmp, cmparg) \
    (((op) << 28) | ((cmp) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

// FUTEX_WAKE_OP (`flags` added to it) waking one waiter of each word.
static long wake_op(uint32_t *first, int flags, void *second, uint32_t encoded) {
    return futex(first, FUTEX_WAKE_OP | flags, 1, (void *)1, second, encoded);
}

TEST(futex_wake_op_changes_the_second_word) {
    uint32_t a = 0, b = 10;
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 10)), 0);
    CHECK_EQ(b, 15);
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_SET, 3, FUTEX_OP_CMP_GT, 0)), 0);
    CHECK_EQ(b, 3);
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_OR, 4, FUTEX_OP_CMP_NE, 0)), 0);
    CHECK_EQ(b, 7);
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_ANDN, 1, FUTEX_OP_CMP_LT, 0)), 0);
    CHECK_EQ(b, 6);
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_XOR, 0xf, FUTEX_OP_CMP_GE, 0)), 0);
    CHECK_EQ(b, 9);
    // FUTEX_OP_OPARG_SHIFT: the argument is a bit number.
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_SET | 8, 4, FUTEX_OP_CMP_LE, 0)), 0);
    CHECK_EQ(b, 16);
    // A negative 12-bit argument is sign-extended.
    CHECK_EQ(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_ADD, -1, FUTEX_OP_CMP_EQ, 0)), 0);
    CHECK_EQ(b, 15);
}

TEST(futex_wake_op_bad_input) {
    uint32_t a = 0, b = 1;
    CHECK_ERR(wake_op(&a, 0, &b, WAKE_OP(5, 1, FUTEX_OP_CMP_EQ, 0)), ENOSYS);
    CHECK_EQ(b, 1);
    // An unknown comparison fails after the change is made.
    CHECK_ERR(wake_op(&a, 0, &b, WAKE_OP(FUTEX_OP_SET, 2, 9, 0)), ENOSYS);
    CHECK_EQ(b, 2);
    CHECK_ERR(wake_op(&a, FUTEX_PRIVATE_FLAG, BAD_PTR, WAKE_OP(FUTEX_OP_SET, 2, 0, 0)), EFAULT);
    CHECK_ERR(wake_op(&a, 0, (char *)&b + 1, WAKE_OP(FUTEX_OP_SET, 2, 0, 0)), EINVAL);
}

TEST(futex_lock_pi_takes_a_free_word) {
    uint32_t word = 0;
    CHECK_OK(futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    CHECK_EQ(word, my_tid());
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EDEADLK);
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EDEADLK);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI2, 0, NULL, NULL, 0), EDEADLK);
    CHECK_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    CHECK_EQ(word, 0);
    CHECK_OK(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    CHECK_EQ(word, my_tid());
    CHECK_OK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    // A word with only FUTEX_WAITERS set and no waiter is free; FUTEX_OWNER_DIED stays.
    word = FUTEX_WAITERS;
    CHECK_OK(futex(&word, FUTEX_LOCK_PI2, 0, NULL, NULL, 0));
    CHECK_EQ(word, my_tid());
    word = FUTEX_OWNER_DIED;
    CHECK_OK(futex(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0));
    CHECK_EQ(word, FUTEX_OWNER_DIED | my_tid());
    // Unlocking clears the waiters and owner-died bits too.
    word |= FUTEX_WAITERS;
    CHECK_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    CHECK_EQ(word, 0);
}

TEST(futex_pi_owned_by_a_thread_that_does_not_exist) {
    uint32_t word = 0x3ffffff0;
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI, 0, NULL, NULL, 0), ESRCH);
    CHECK_EQ(word, 0x3ffffff0 | FUTEX_WAITERS); // marked before the owner is looked up
    word = 0x3ffffff0;
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), ESRCH);
    CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM);
    uint32_t free_word = FUTEX_WAITERS;
    CHECK_ERR(futex(&free_word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EPERM);
    CHECK_EQ(free_word, FUTEX_WAITERS);
}

TEST(futex_pi_bad_input) {
    uint32_t word = 0;
    struct timespec bad = {0, 2000000000};
    CHECK_ERR(futex(BAD_PTR, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex(BAD_PTR, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex(BAD_PTR, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex((char *)&word + 1, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI, 0, BAD_PTR, NULL, 0), EFAULT);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI, 0, &bad, NULL, 0), EINVAL);
    CHECK_EQ(word, 0); // the timeout is checked before the word is touched
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0), ENOSYS);
    CHECK_OK(futex(&word, FUTEX_LOCK_PI2 | FUTEX_CLOCK_REALTIME, 0, NULL, NULL, 0));
    CHECK_OK(futex(&word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    // A read-only word cannot be taken.
    static const uint32_t read_only = 0;
    CHECK_ERR(futex((void *)&read_only, FUTEX_LOCK_PI, 0, NULL, NULL, 0), EFAULT);
}

TEST(futex_requeue_pi) {
    uint32_t cond = 5, mutex = 0;
    CHECK_EQ(futex(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &mutex, 5), 0);
    CHECK_ERR(futex(&cond, FUTEX_CMP_REQUEUE_PI, 2, (void *)1, &mutex, 5), EINVAL);
    CHECK_ERR(futex(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &cond, 5), EINVAL);
    CHECK_ERR(futex(&cond, FUTEX_CMP_REQUEUE_PI, 1, (void *)1, &mutex, 6), EAGAIN);
    CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI, 6, NULL, &mutex, 0), EAGAIN);
    CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI, 5, NULL, &cond, 0), EINVAL);
    struct timespec past = {0, 1000};
    CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI, 5, &past, &mutex, 0), ETIMEDOUT);
    CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI | FUTEX_CLOCK_REALTIME, 5, &past, &mutex, 0),
              ETIMEDOUT);
    CHECK_ERR(futex(BAD_PTR, FUTEX_WAIT_REQUEUE_PI, 5, &past, &mutex, 0), EFAULT);
}

TEST(pthread_priority_inheritance_mutex) {
    pthread_mutexattr_t attributes;
    pthread_mutex_t mutex;
    CHECK_EQ(pthread_mutexattr_init(&attributes), 0);
    CHECK_EQ(pthread_mutexattr_setprotocol(&attributes, PTHREAD_PRIO_INHERIT), 0);
    CHECK_EQ(pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ERRORCHECK), 0);
    CHECK_EQ(pthread_mutex_init(&mutex, &attributes), 0);
    CHECK_EQ(pthread_mutex_lock(&mutex), 0);
    CHECK_EQ(pthread_mutex_lock(&mutex), EDEADLK);
    CHECK_EQ(pthread_mutex_trylock(&mutex), EDEADLK); // an error-checking PI mutex says so
    CHECK_EQ(pthread_mutex_unlock(&mutex), 0);
    CHECK_EQ(pthread_mutex_unlock(&mutex), EPERM);
    CHECK_EQ(pthread_mutex_trylock(&mutex), 0);
    CHECK_EQ(pthread_mutex_unlock(&mutex), 0);
    CHECK_EQ(pthread_mutex_destroy(&mutex), 0);
    pthread_mutexattr_destroy(&attributes);
}

static uint32_t interrupted_word;
static volatile int alarms;

// The second alarm changes the word: a wait that starts again after the first one (or
// that began after it) ends at the second.
static void count_alarm(int sig) {
    (void)sig;
    if (++alarms >= 2)
        interrupted_word = 1;
}

// Waits on interrupted_word (0) while SIGALRM, handled with `flags`, comes every 10 ms.
static long wait_for_alarms(int flags, const struct timespec *timeout) {
    struct sigaction action = {0}, old;
    action.sa_handler = count_alarm;
    action.sa_flags = flags;
    sigaction(SIGALRM, &action, &old);
    long r;
    do { // two alarms before the wait began (a loaded machine): try again
        interrupted_word = 0;
        alarms = 0;
        struct itimerval every = {{0, 10000}, {0, 10000}}, off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &every, NULL);
        r = futex(&interrupted_word, FUTEX_WAIT_PRIVATE, 0, timeout, NULL, 0);
        setitimer(ITIMER_REAL, &off, NULL);
    } while (r == -1 && errno == EAGAIN && alarms >= 2 && !(flags & SA_RESTART));
    sigaction(SIGALRM, &old, NULL);
    return r;
}

// A handled signal ends a wait with EINTR; after an SA_RESTART handler an untimed wait
// starts again (and ends when the second alarm changes the word), a timed one does not.
TEST(futex_wait_interrupted_by_a_signal) {
    CHECK_ERR(wait_for_alarms(0, NULL), EINTR);
    CHECK_ERR(wait_for_alarms(SA_RESTART, NULL), EAGAIN);
    CHECK(alarms >= 2);
    struct timespec long_wait = {100, 0};
    CHECK_ERR(wait_for_alarms(SA_RESTART, &long_wait), EINTR);
}

// futex_waitv (5.16): a vector of 32-bit words, woken by a wake of any of them.
static long futex_waitv(struct futex_waitv *waiters, unsigned count, unsigned flags,
                        const struct timespec *deadline, clockid_t clock) {
    return syscall(SYS_futex_waitv, waiters, count, flags, deadline, clock);
}

static struct timespec deadline_in(long ms) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_sec += ms / 1000;
    now.tv_nsec += ms % 1000 * 1000000;
    if (now.tv_nsec >= 1000000000) {
        now.tv_sec++;
        now.tv_nsec -= 1000000000;
    }
    return now;
}

static void set_waiter(struct futex_waitv *w, uint32_t *word, uint64_t value, uint32_t flags) {
    w->uaddr = (uintptr_t)word;
    w->val = value;
    w->flags = flags;
    w->__reserved = 0;
}

// sys_futex_waitv's order: flags, count and array, clock, timeout, then each entry, then
// every key (alignment) before any value is compared.
TEST(futex_waitv_bad_input) {
    uint32_t words[2] = {0, 0};
    struct futex_waitv w[2];
    struct timespec soon = deadline_in(1000), bad = {0, 1000000000};
    const uint32_t kPrivate = FUTEX_32 | FUTEX_PRIVATE_FLAG;
    set_waiter(&w[0], &words[0], 0, kPrivate);
    CHECK_ERR(futex_waitv(w, 1, 1, &soon, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR(futex_waitv(w, 0, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR(futex_waitv(w, FUTEX_WAITV_MAX + 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR(futex_waitv(NULL, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_TAI), EINVAL);
    CHECK_ERR(futex_waitv(w, 1, 0, BAD_PTR, CLOCK_MONOTONIC), EFAULT);
    CHECK_ERR(futex_waitv(w, 1, 0, &bad, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR(futex_waitv(BAD_PTR, 1, 0, &soon, CLOCK_MONOTONIC), EFAULT);
    set_waiter(&w[0], &words[0], 0, FUTEX_PRIVATE_FLAG); // no size
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    set_waiter(&w[0], &words[0], 0, 3 | FUTEX_PRIVATE_FLAG); // 64 bits: not implemented
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    set_waiter(&w[0], &words[0], 0, kPrivate | 0x100);
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    set_waiter(&w[0], &words[0], 1ull << 32, kPrivate); // does not fit 32 bits
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    set_waiter(&w[0], &words[0], 0, kPrivate);
    w[0].__reserved = 1;
    CHECK_ERR(futex_waitv(w, 1, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    // A misaligned second word wins over the first's mismatch: keys come first.
    set_waiter(&w[0], &words[0], 1, kPrivate);
    set_waiter(&w[1], (uint32_t *)((char *)&words[1] + 1), 0, kPrivate);
    CHECK_ERR(futex_waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), EINVAL);
    set_waiter(&w[1], NULL, 0, kPrivate); // a private null word: EFAULT at its value
    CHECK_ERR(futex_waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), EAGAIN);
    set_waiter(&w[0], &words[0], 0, kPrivate);
    CHECK_ERR(futex_waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), EFAULT);
    set_waiter(&w[1], BAD_PTR, 0, FUTEX_32); // a shared word in no mapping: at its key
    CHECK_ERR(futex_waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), EFAULT);
}

TEST(futex_waitv_times_out_on_either_clock) {
    uint32_t words[2] = {0, 0};
    struct futex_waitv w[2];
    set_waiter(&w[0], &words[0], 0, FUTEX_32 | FUTEX_PRIVATE_FLAG);
    set_waiter(&w[1], &words[1], 0, FUTEX_32);
    struct timespec soon = deadline_in(10), past = {0, 1};
    CHECK_ERR(futex_waitv(w, 2, 0, &soon, CLOCK_MONOTONIC), ETIMEDOUT);
    CHECK_ERR(futex_waitv(w, 2, 0, &past, CLOCK_REALTIME), ETIMEDOUT);
    // Without a timeout the clock is not looked at.
    words[1] = 5;
    CHECK_ERR(futex_waitv(w, 2, 0, NULL, 12345), EAGAIN);
}

static uint32_t waitv_words[3];

static void *wake_third_word(void *arg) {
    (void)arg;
    // Until the waiter is queued on it (a wake before finds nobody).
    while (syscall(SYS_futex, &waitv_words[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) < 1)
        sched_yield();
    return NULL;
}

// The index of the word whose wake ended the wait.
TEST(futex_waitv_returns_the_woken_index) {
    struct futex_waitv w[3];
    for (int i = 0; i < 3; i++)
        set_waiter(&w[i], &waitv_words[i], 0, FUTEX_32 | FUTEX_PRIVATE_FLAG);
    pthread_t thread;
    CHECK_EQ(pthread_create(&thread, NULL, wake_third_word, NULL), 0);
    struct timespec deadline = deadline_in(10000);
    CHECK_EQ(futex_waitv(w, 3, 0, &deadline, CLOCK_MONOTONIC), 2);
    CHECK_EQ(pthread_join(thread, NULL), 0);
}
