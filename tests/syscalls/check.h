// SPDX-License-Identifier: MIT
// The differential system call tests' harness: each test asserts Linux's exact behaviour
// and the same binary must pass natively and under `bascule run` (a test that fails
// natively is a wrong test). Tests run one after another in one process, each in a fresh
// directory of its own, so a test that changes process-wide state (umask, signal
// actions, limits) puts it back before it returns.
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

typedef void (*check_test_fn)(void);
void check_register(const char *name, check_test_fn fn);
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// A pointer no program can read or write: the EFAULT cases use it.
#define BAD_PTR ((void *)16)

// TEST(name) { ... } defines and registers one test.
#define TEST(name)                                                                          \
    static void test_##name(void);                                                          \
    __attribute__((constructor)) static void register_##name(void) {                        \
        check_register(#name, test_##name);                                                 \
    }                                                                                       \
    static void test_##name(void)

// A condition that must hold.
#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond))                                                                        \
            check_fail(__FILE__, __LINE__, "%s", #cond);                                    \
    } while (0)

// Two integers that must be equal.
#define CHECK_EQ(actual, expected)                                                          \
    do {                                                                                    \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                     \
        if (a_ != e_)                                                                       \
            check_fail(__FILE__, __LINE__, "%s is %lld (%#llx), expected %s = %lld (%#llx)",  \
                       #actual, a_, (unsigned long long)a_, #expected, e_,                  \
                       (unsigned long long)e_);                                             \
    } while (0)

// A call that must succeed (not -1); evaluates to its result.
#define CHECK_OK(expr)                                                                      \
    ({                                                                                      \
        errno = 0;                                                                          \
        long long r_ = (long long)(expr);                                                   \
        if (r_ == -1)                                                                       \
            check_fail(__FILE__, __LINE__, "%s failed: %s", #expr, strerror(errno));         \
        r_;                                                                                 \
    })

// A call that must fail with -1 and errno `err`.
#define CHECK_ERR(expr, err)                                                                \
    do {                                                                                    \
        errno = 0;                                                                          \
        long long r_ = (long long)(expr);                                                   \
        int e_ = errno;                                                                     \
        if (r_ != -1 || e_ != (err))                                                        \
            check_fail(__FILE__, __LINE__, "%s gave %lld (%s), expected -1 (%s)", #expr, r_, \
                       r_ == -1 ? strerror(e_) : "no error", strerror(err));                \
    } while (0)

// Two byte strings that must be equal.
#define CHECK_MEM(actual, expected, size)                                                   \
    do {                                                                                    \
        if (memcmp((actual), (expected), (size)) != 0)                                      \
            check_fail(__FILE__, __LINE__, "%s differs from %s", #actual, #expected);       \
    } while (0)

// Two C strings that must be equal.
#define CHECK_STR(actual, expected)                                                         \
    do {                                                                                    \
        const char *a_ = (actual), *e_ = (expected);                                        \
        if (strcmp(a_, e_) != 0)                                                            \
            check_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #actual, a_, e_); \
    } while (0)

// The failures the running test has had so far: a child it forked exits with this.
int check_failure_count(void);

// Writes `text` to a new file `path` (mode 0644), failing the test if it cannot.
void check_write_file(const char *path, const char *text);

// Reads the whole file `path` (a small one: what fits in size - 1 bytes) into `buffer`,
// NUL-terminated: its length, or -1 if it cannot be opened.
ssize_t check_read_file(const char *path, char *buffer, size_t size);

// Runs in user mode until the process has used `ns` more nanoseconds of CPU time.
void check_burn_cpu(long long ns);

// Interrupts the process's blocking calls: from check_interrupts_start on, SIGALRM every
// `period_us` microseconds, caught by a handler that counts it (check_interrupts) and has
// `flags` (SA_RESTART or 0), until check_interrupts_stop stops the timer and gives SIGALRM
// its action back. The timer repeats: on a loaded machine a single expiry may come before
// the call waits, which then waits for ever.
void check_interrupts_start(long period_us, int flags);
void check_interrupts_stop(void);
// The SIGALRMs handled since check_interrupts_start.
int check_interrupts(void);

// Whether the process holds capability `cap` (CAP_SYS_NICE ...) in its effective set, read
// from /proc/self/status: 1, 0, or -1 if that cannot be read. Root may lack some (a
// container), so a test of a privilege asks this, not geteuid().
int check_capable(int cap);

// Held children. In a child, check_await_release blocks until the parent writes a byte to
// the pipe `release` or closes its write end. check_fork_held forks a child that does so
// and then returns 0 to carry on as fork's child would; the parent gets the child's pid
// (-1 if fork failed).
void check_await_release(int release[2]);
pid_t check_fork_held(int release[2]);

// Runs `body` in a child (fork) whose user and group ids are all 65534 (nobody), without
// supplementary groups or capabilities, and fails the test if the child's checks failed:
// for the cases an ordinary user's permissions decide. It needs the privilege to change
// ids (root): without it, it runs nothing and returns 0; else 1.
int check_in_child_as_nobody(void (*body)(void));
// Runs `body` in a child and fails the test if the child's checks failed (they are reported
// by the child, which exits non-zero).
void check_in_child(void (*body)(void));
// Whether /proc/self/mounts has a line with `dir` as its mount point and `type` (-1: not read).
int check_mounted(const char *dir, const char *type);
