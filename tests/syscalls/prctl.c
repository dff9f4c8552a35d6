// SPDX-License-Identifier: MIT
// prctl's options beyond the thread name and process settings (process.c): timer slack,
// THP, capabilities, seccomp, TSC, the tid address, machine-check policy, PR_SET_MM's size
// query, the I/O-flusher flag, and what a new thread or process inherits; seccomp's
// strict mode and its errors.
#include "check.h"
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

static long slack(void) { return prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0); }

static void *slack_in_thread(void *unused) {
    (void)unused;
    long inherited = slack();
    int signal = -1;
    prctl(PR_GET_PDEATHSIG, &signal);
    prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0); // back to its default: its creator's slack
    return (void *)(inherited == 70000 && slack() == 70000 && signal == 0 ? 1L : 0L);
}

TEST(prctl_timer_slack) {
    long initial = slack();
    CHECK(initial > 0);
    CHECK_OK(prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0));
    CHECK_EQ(slack(), 1);
    CHECK_OK(prctl(PR_SET_TIMERSLACK, 70000, 0, 0, 0));
    CHECK_EQ(slack(), 70000);
    CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1)); // a new thread or process does not inherit it
    pthread_t thread;
    void *ok = NULL;
    CHECK_EQ(pthread_create(&thread, NULL, slack_in_thread, NULL), 0);
    CHECK_EQ(pthread_join(thread, &ok), 0);
    CHECK(ok == (void *)1L);
    pid_t child = fork();
    if (child == 0) {
        int signal = -1;
        prctl(PR_GET_PDEATHSIG, &signal);
        long inherited = slack();
        prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
        _exit(inherited == 70000 && slack() == 70000 && signal == 0 ? 0 : 1);
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK_OK(prctl(PR_SET_PDEATHSIG, 0));
    CHECK_OK(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0)); // the default: what the creator had
    CHECK_EQ(slack(), initial);
}

TEST(prctl_thp_disable) {
    CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
    CHECK_OK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
    CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
    CHECK_OK(prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0));
    CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 3);
    CHECK_ERR(prctl(PR_SET_THP_DISABLE, 0, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_THP_DISABLE, 1, 4, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_THP_DISABLE, 1, 0, 1, 0), EINVAL);
    CHECK_ERR(prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL);
    CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 3); // a refused change changes nothing
    CHECK_OK(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
    CHECK_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
}

TEST(prctl_capabilities) {
    for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
        long held = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        CHECK(held == 0 || held == 1);
    }
    CHECK_ERR(prctl(PR_CAPBSET_READ, CAP_LAST_CAP + 1, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
    errno = 0;
    CHECK_EQ(prctl(PR_CAPBSET_DROP, CAP_LAST_CAP + 1, 0, 0, 0), -1);
    CHECK(errno == EINVAL || errno == EPERM); // EPERM first without CAP_SETPCAP
    CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 0);
    CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_LAST_CAP + 1, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 1, 0), EINVAL);
    CHECK_ERR(prctl(PR_CAP_AMBIENT, 9, CAP_CHOWN, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
    CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)); // already empty
    CHECK_OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_CHOWN, 0, 0));
    // Raising needs the capability inheritable, which a process starts without.
    CHECK_ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0), EPERM);
}

#ifndef SECBIT_KEEP_CAPS
#define SECBIT_KEEP_CAPS (1 << 4)
#define SECBIT_KEEP_CAPS_LOCKED (1 << 5)
#endif

// A child's capability sets after it leaves root (65534 for every user id), with
// KEEPCAPS set or not: its exit status, 0 if they are what Linux leaves.
static int leave_root(int keep) {
    pid_t pid = fork();
    if (pid == 0) {
        if (prctl(PR_SET_KEEPCAPS, keep, 0, 0, 0) != 0 || setresuid(65534, 65534, 65534) != 0)
            _exit(10);
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2];
        if (syscall(SYS_capget, &header, data) != 0)
            _exit(11);
        int kept = data[0].permitted != 0; // the sets a root process holds
        _exit(data[0].effective == 0 && kept == keep && prctl(PR_GET_KEEPCAPS) == keep ? 0 : 12);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return status;
}

static void *keep_caps_of_a_thread(void *unused) {
    (void)unused;
    long inherited = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0); // its own: the creator's stays
    return (void *)(inherited == 1 && prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0 ? 1L : 0L);
}

// PR_GET/SET_KEEPCAPS and PR_GET/SET_SECUREBITS: the calling thread's bits (a new thread
// takes its creator's), KEEPCAPS keeps the permitted set across a change of ids away
// from root, a locked bit stays, SECUREBITS needs CAP_SETPCAP.
TEST(prctl_keepcaps_and_securebits) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
        CHECK(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0) == -1 && errno == EINVAL);
        CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
        CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
        CHECK(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) == SECBIT_KEEP_CAPS);
        pthread_t thread;
        void *right = NULL;
        CHECK(pthread_create(&thread, NULL, keep_caps_of_a_thread, NULL) == 0);
        CHECK(pthread_join(thread, &right) == 0 && right == (void *)1L);
        CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
        CHECK(prctl(PR_SET_SECUREBITS, 1L << 30, 0, 0, 0) == -1 && errno == EPERM);
        if (check_capable(CAP_SETPCAP) == 1) {
            CHECK(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED, 0,
                              0, 0) == 0);
            CHECK(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1 && errno == EPERM);
            CHECK(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0) == -1 &&
                        errno == EPERM);
        }
        _exit(check_failure_count());
    }
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    if (check_capable(CAP_SETUID) == 1) {
        CHECK_EQ(leave_root(0), 0);
        CHECK_EQ(leave_root(1), 0);
    }
}

// The half of prctl_keepcaps_cleared_by_exec that runs in the new program (alone it finds
// the bit clear as every process starts).
TEST(prctl_keepcaps_after_exec) { CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0); }

// execve clears SECBIT_KEEP_CAPS.
TEST(prctl_keepcaps_cleared_by_exec) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char *argv[] = {"syscalls_prctl", "prctl_keepcaps_after_exec", NULL};
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0)
            execv("/proc/self/exe", argv);
        _exit(99);
    }
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

TEST(prctl_seccomp) {
    CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
    CHECK_ERR(prctl(PR_SET_SECCOMP, 3, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, BAD_PTR, 0, 0), EFAULT);
    struct sock_fprog empty = {0, NULL};
    CHECK_ERR(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &empty, 0, 0), EINVAL);
    CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}

TEST(prctl_tsc_timing_and_perf) {
    unsigned mode = 0;
    CHECK_OK(prctl(PR_GET_TSC, &mode, 0, 0, 0));
    CHECK_EQ(mode, PR_TSC_ENABLE);
    CHECK_ERR(prctl(PR_GET_TSC, BAD_PTR, 0, 0, 0), EFAULT);
    CHECK_OK(prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0));
    CHECK_ERR(prctl(PR_SET_TSC, 7, 0, 0, 0), EINVAL);
    CHECK_EQ(prctl(PR_GET_TIMING, 0, 0, 0, 0), PR_TIMING_STATISTICAL);
    CHECK_OK(prctl(PR_SET_TIMING, PR_TIMING_STATISTICAL, 0, 0, 0));
    CHECK_ERR(prctl(PR_SET_TIMING, PR_TIMING_TIMESTAMP, 0, 0, 0), EINVAL);
    CHECK_OK(prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0));
    CHECK_OK(prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0));
    CHECK_ERR(prctl(PR_GET_UNALIGN, &mode, 0, 0, 0), EINVAL); // other architectures' options
    CHECK_ERR(prctl(PR_SET_FP_MODE, 0, 0, 0, 0), EINVAL);
}

static void on_timestamp_fault(int sig, siginfo_t *info, void *context) {
    (void)context;
    _exit(sig == SIGSEGV && info->si_code == SI_KERNEL && info->si_addr == NULL ? 42 : 1);
}

static void read_timestamp(void) {
    unsigned low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
}

// How a child that runs `body` ends: its exit code, or 128 + the signal that killed it.
static int child_ends(void (*body)(void)) {
    pid_t child = fork();
    if (child == 0) {
        body();
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child)
        return -1;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void timestamp_faults(void) {
    unsigned mode = 0;
    prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
    prctl(PR_GET_TSC, &mode, 0, 0, 0);
    if (mode != PR_TSC_SIGSEGV)
        _exit(2);
    struct sigaction action = {.sa_sigaction = on_timestamp_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &action, NULL);
    read_timestamp();
}

static void timestamp_faults_unhandled(void) {
    prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
    read_timestamp();
}

static void timestamp_enabled_again(void) {
    prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
    prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
    read_timestamp();
}

// Some hypervisors accept PR_SET_TSC and let rdtsc run anyway (0 below), Linux and the
// LibOS alike; where it faults, it is SIGSEGV with SI_KERNEL, as Linux's #GP.
TEST(prctl_tsc_sigsegv) {
    int faults = child_ends(timestamp_faults);
    CHECK(faults == 42 || faults == 0);
    CHECK_EQ(child_ends(timestamp_faults_unhandled), faults ? 128 + SIGSEGV : 0);
    CHECK_EQ(child_ends(timestamp_enabled_again), 0);
}

static int strict_pipe[2];

// In strict mode: write works, getpid kills the thread (here the process) with SIGKILL.
static void strict_by_prctl(void) {
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) != 0)
        _exit(2);
    syscall(SYS_write, strict_pipe[1], "a", 1);
    syscall(SYS_getpid);
    syscall(SYS_exit, 3);
}

static void strict_by_seccomp_then_exit(void) {
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
        _exit(2);
    syscall(SYS_write, strict_pipe[1], "b", 1);
    syscall(SYS_exit, 7);
}

static void strict_then_timestamp(void) {
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL) != 0)
        _exit(2);
    read_timestamp(); // strict mode disables the time stamp counter too
    syscall(SYS_exit, 4);
}

TEST(seccomp_strict_mode) {
    CHECK_OK(pipe(strict_pipe));
    char byte = 0;
    CHECK_EQ(child_ends(strict_by_prctl), 128 + SIGKILL);
    CHECK_EQ(read(strict_pipe[0], &byte, 1), 1);
    CHECK_EQ(byte, 'a');
    CHECK_EQ(child_ends(strict_by_seccomp_then_exit), 7);
    CHECK_EQ(read(strict_pipe[0], &byte, 1), 1);
    CHECK_EQ(byte, 'b');
    int timestamp = child_ends(strict_then_timestamp); // as prctl_tsc_sigsegv: may not fault
    CHECK(timestamp == 128 + SIGSEGV || timestamp == 4);
    close(strict_pipe[0]), close(strict_pipe[1]);
}

TEST(seccomp_errors) {
    CHECK_ERR(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, BAD_PTR), EINVAL);
    CHECK_ERR(syscall(SYS_seccomp, 99, 0, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0x40, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BAD_PTR), EFAULT);
    struct sock_fprog empty = {0, NULL};
    CHECK_ERR(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &empty), EINVAL);
    CHECK_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
}

TEST(prctl_tid_address) {
    static int word;
    int *address = NULL;
    CHECK_OK(prctl(PR_GET_TID_ADDRESS, &address, 0, 0, 0));
    CHECK(address != NULL); // glibc's, in the thread's descriptor
    int *saved = address;
    CHECK_EQ(syscall(SYS_set_tid_address, &word), getpid());
    CHECK_OK(prctl(PR_GET_TID_ADDRESS, &address, 0, 0, 0));
    CHECK(address == &word);
    CHECK_ERR(prctl(PR_GET_TID_ADDRESS, BAD_PTR, 0, 0, 0), EFAULT);
    syscall(SYS_set_tid_address, saved);
}

TEST(prctl_machine_check_policy) {
    CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
    CHECK_OK(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
    CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);
    CHECK_ERR(prctl(PR_MCE_KILL_GET, 1, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_MCE_KILL, 5, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 1, 0), EINVAL);
    // An unknown policy is refused after the thread's own policy is marked: late.
    CHECK_ERR(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 9, 0, 0), EINVAL);
    CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_EARLY);
    CHECK_OK(prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0));
    CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_LATE);
    CHECK_OK(prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0));
    CHECK_EQ(prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
}

TEST(prctl_set_mm_and_io_flusher) {
    unsigned size = 0;
    CHECK_OK(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0));
    CHECK_EQ(size, 104); // sizeof(struct prctl_mm_map)
    CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, BAD_PTR, 0, 0), EFAULT);
    CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 1), EINVAL);
    CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x1000, 1, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_MAP, &size, 8, 0), EINVAL); // not a prctl_mm_map
    // PR_GET_IO_FLUSHER needs CAP_SYS_RESOURCE; with it, the flag is the thread's.
    long flusher = prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0);
    if (flusher == -1) {
        CHECK_EQ(errno, EPERM);
        CHECK_ERR(prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0), EPERM);
        return;
    }
    CHECK_EQ(flusher, 0);
    CHECK_ERR(prctl(PR_SET_IO_FLUSHER, 2, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_GET_IO_FLUSHER, 1, 0, 0, 0), EINVAL);
    CHECK_OK(prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0));
    CHECK_EQ(prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), 1);
    CHECK_OK(prctl(PR_SET_IO_FLUSHER, 0, 0, 0, 0));
}

TEST(prctl_option_is_an_int) {
    // The option's upper 32 bits are not part of it (an int in Linux's prototype).
    CHECK_EQ(syscall(SYS_prctl, (1UL << 32) | PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    CHECK_ERR(prctl(0x7fffffff, 0, 0, 0, 0), EINVAL);
}
