// SPDX-License-Identifier: MIT
// The sched family: processor affinity, scheduling policies and parameters, nice values
// (getpriority/setpriority), sched_yield.
#include "check.h"

#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>


TEST(sched_getaffinity_mask_and_size) {
    unsigned long mask[128] = {0};
    long size = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    CHECK(size >= 8 && size % 8 == 0);
    cpu_set_t set;
    CHECK_OK(sched_getaffinity(0, sizeof set, &set));
    CHECK(CPU_COUNT(&set) >= 1);
    CHECK(mask[0] != 0);
    unsigned long again[128];
    CHECK_EQ(syscall(SYS_sched_getaffinity, getpid(), sizeof again, again), size);
    CHECK_EQ(syscall(SYS_sched_getaffinity, syscall(SYS_gettid), sizeof again, again), size);
    CHECK_MEM(again, mask, size);
}

TEST(sched_getaffinity_edge_cases) {
    unsigned long mask[128];
    CHECK_ERR(syscall(SYS_sched_getaffinity, -1, sizeof mask, mask), ESRCH);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0x3ffffff0, sizeof mask, mask), ESRCH);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 7, mask), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 12, mask), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 0, mask), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getaffinity, -1, 7, mask), EINVAL); // the size first
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, sizeof mask, BAD_PTR), EFAULT);
}

TEST(sched_setaffinity_to_the_current_mask) {
    cpu_set_t set, now;
    CHECK_OK(sched_getaffinity(0, sizeof set, &set));
    CHECK_OK(sched_setaffinity(0, sizeof set, &set));
    CHECK_OK(sched_getaffinity(0, sizeof now, &now));
    CHECK(CPU_EQUAL(&set, &now));
    // A single processor of the mask, then the whole mask back.
    int first = 0;
    while (!CPU_ISSET(first, &set))
        first++;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    CHECK_OK(sched_setaffinity(0, sizeof one, &one));
    CHECK_OK(sched_getaffinity(0, sizeof now, &now));
    CHECK(CPU_EQUAL(&one, &now));
    CHECK_EQ(sched_getcpu(), first); // it runs there now
    CHECK_OK(sched_setaffinity(0, sizeof set, &set));
}

TEST(sched_setaffinity_edge_cases) {
    cpu_set_t set;
    CHECK_OK(sched_getaffinity(0, sizeof set, &set));
    cpu_set_t none;
    CPU_ZERO(&none);
    CHECK_ERR(sched_setaffinity(0, sizeof none, &none), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setaffinity, 0, sizeof set, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sched_setaffinity, -1, sizeof set, &set), ESRCH);
    CHECK_ERR(syscall(SYS_sched_setaffinity, 0x3ffffff0, sizeof set, &set), ESRCH);
    CHECK_ERR(syscall(SYS_sched_setaffinity, 0x3ffffff0, sizeof set, BAD_PTR), EFAULT);
}

// Another process's affinity, asked by a caller of another user (a root child, the
// parent's effective user changed): EPERM, not the ESRCH of a pid nobody has (LTP
// sched_setaffinity01).
TEST(sched_setaffinity_of_another_users_process) {
    if (getuid() != 0 || check_capable(CAP_SETUID) != 1)
        return;
    int release[2];
    CHECK_OK(pipe(release));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        char byte;
        close(release[1]);
        read(release[0], &byte, 1);
        _exit(0);
    }
    close(release[0]);
    cpu_set_t set;
    CHECK_OK(sched_getaffinity(0, sizeof set, &set));
    CHECK_OK(seteuid(65534));
    CHECK_ERR(sched_setaffinity(child, sizeof set, &set), EPERM);
    CHECK_ERR(syscall(SYS_sched_setaffinity, child, sizeof set, BAD_PTR), EFAULT); // read first
    CHECK_OK(seteuid(0));
    close(release[1]);
    CHECK_EQ(waitpid(child, NULL, 0), child);
}

TEST(sched_policy_of_an_ordinary_process) {
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
    CHECK_EQ(sched_getscheduler(getpid()), SCHED_OTHER);
    struct sched_param param = {-1};
    CHECK_OK(sched_getparam(0, &param));
    CHECK_EQ(param.sched_priority, 0);
    CHECK_ERR(sched_getscheduler(-1), EINVAL);
    CHECK_ERR(sched_getscheduler(0x3ffffff0), ESRCH);
    CHECK_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getparam, -1, &param), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getparam, 0, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sched_getparam, 0x3ffffff0, &param), ESRCH);
}

TEST(sched_setscheduler_rules) {
    struct sched_param zero = {0}, bad = {5};
    CHECK_OK(sched_setscheduler(0, SCHED_OTHER, &zero));
    CHECK_OK(sched_setparam(0, &zero));
    CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &bad), EINVAL);
    CHECK_ERR(sched_setscheduler(0, 42, &zero), EINVAL);
    CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &zero), EINVAL); // 1..99
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &zero), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0x3ffffff0, SCHED_OTHER, &zero), ESRCH);
    // A negative policy is refused first, before the pid, the parameter and the process.
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0x3ffffff0, -1, &zero), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setscheduler, 0, -1, BAD_PTR), EINVAL);
    CHECK_ERR(sched_setparam(0, &bad), EINVAL);
    struct rlimit rtprio;
    getrlimit(RLIMIT_RTPRIO, &rtprio);
    if (check_capable(CAP_SYS_NICE) == 0 && rtprio.rlim_cur == 0) {
        struct sched_param rt = {10};
        CHECK_ERR(sched_setscheduler(0, SCHED_FIFO, &rt), EPERM);
    }
    // SCHED_BATCH and back.
    CHECK_OK(sched_setscheduler(0, SCHED_BATCH, &zero));
    CHECK_EQ(sched_getscheduler(0), SCHED_BATCH);
    CHECK_OK(sched_setscheduler(0, SCHED_OTHER, &zero));
    // Only the privileged may clear SCHED_RESET_ON_FORK once set (the test ends here).
    CHECK_OK(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &zero));
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER | SCHED_RESET_ON_FORK);
    if (check_capable(CAP_SYS_NICE) == 0)
        CHECK_ERR(sched_setscheduler(0, SCHED_OTHER, &zero), EPERM);
    else if (check_capable(CAP_SYS_NICE) == 1)
        CHECK_OK(sched_setscheduler(0, SCHED_OTHER, &zero));
}

TEST(sched_priority_range) {
    CHECK_EQ(sched_get_priority_min(SCHED_FIFO), 1);
    CHECK_EQ(sched_get_priority_max(SCHED_FIFO), 99);
    CHECK_EQ(sched_get_priority_min(SCHED_RR), 1);
    CHECK_EQ(sched_get_priority_max(SCHED_RR), 99);
    CHECK_EQ(sched_get_priority_min(SCHED_OTHER), 0);
    CHECK_EQ(sched_get_priority_max(SCHED_BATCH), 0);
    CHECK_EQ(sched_get_priority_max(SCHED_IDLE), 0);
    CHECK_EQ(sched_get_priority_max(6 /* SCHED_DEADLINE */), 0);
    CHECK_ERR(sched_get_priority_max(42), EINVAL);
    CHECK_ERR(sched_get_priority_min(-1), EINVAL);
}

TEST(sched_rr_get_interval_of_an_ordinary_process) {
    struct timespec interval = {-1, -1};
    CHECK_OK(sched_rr_get_interval(0, &interval));
    CHECK_EQ(interval.tv_sec, 0);
    CHECK(interval.tv_nsec >= 0 && interval.tv_nsec < 1000000000);
    CHECK_ERR(syscall(SYS_sched_rr_get_interval, -1, &interval), EINVAL);
    CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0x3ffffff0, &interval), ESRCH);
    CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0, BAD_PTR), EFAULT);
}

TEST(nice_values) {
    errno = 0;
    int start = getpriority(PRIO_PROCESS, 0);
    CHECK_EQ(errno, 0);
    CHECK_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 20 - start);
    CHECK_OK(setpriority(PRIO_PROCESS, 0, start + 1));
    CHECK_EQ(getpriority(PRIO_PROCESS, getpid()), start + 1);
    // Lowering the nice value needs the privilege (or RLIMIT_NICE).
    struct rlimit nice_limit;
    getrlimit(RLIMIT_NICE, &nice_limit);
    int capable = check_capable(CAP_SYS_NICE);
    if (capable == 0 && nice_limit.rlim_cur < (rlim_t)(20 - start))
        CHECK_ERR(setpriority(PRIO_PROCESS, 0, start), EACCES);
    else if (capable == 1)
        CHECK_OK(setpriority(PRIO_PROCESS, 0, start));
    // Out of range values are clamped.
    int now = getpriority(PRIO_PROCESS, 0);
    CHECK_OK(setpriority(PRIO_PROCESS, 0, 100));
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), 19);
    if (capable == 1)
        CHECK_OK(setpriority(PRIO_PROCESS, 0, now));
}

TEST(priority_bad_input) {
    CHECK_ERR(getpriority(3, 0), EINVAL);
    CHECK_ERR(setpriority(-1, 0, 0), EINVAL);
    CHECK_ERR(getpriority(PRIO_PROCESS, 0x3ffffff0), ESRCH);
    CHECK_ERR(setpriority(PRIO_PROCESS, 0x3ffffff0, 0), ESRCH);
    CHECK_ERR(getpriority(PRIO_PGRP, 0x3ffffff0), ESRCH);
}

// struct sched_attr as of its second version (SCHED_ATTR_SIZE_VER1).
struct sched_attributes {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
};
#define RESET_ON_FORK_FLAG 0x01
#define KEEP_POLICY_FLAG 0x08
#define KEEP_PARAMS_FLAG 0x10

static long get_attributes(pid_t pid, void *attributes, unsigned size) {
    return syscall(SYS_sched_getattr, pid, attributes, size, 0);
}

static long set_attributes(pid_t pid, struct sched_attributes *attributes) {
    return syscall(SYS_sched_setattr, pid, attributes, 0);
}

// The flag a test before may have left set, which an unprivileged process cannot clear.
static uint64_t kept_reset_flag(void) {
    return sched_getscheduler(0) & SCHED_RESET_ON_FORK ? RESET_ON_FORK_FLAG : 0;
}

TEST(sched_getattr_reports_the_policy) {
    struct sched_attributes a;
    memset(&a, 0xff, sizeof a);
    CHECK_OK(get_attributes(0, &a, sizeof a));
    CHECK_EQ(a.size, sizeof a);
    CHECK_EQ(a.policy, SCHED_OTHER);
    CHECK_EQ(a.flags & ~(uint64_t)RESET_ON_FORK_FLAG, 0);
    CHECK_EQ(a.nice, getpriority(PRIO_PROCESS, 0));
    CHECK_EQ(a.priority, 0);
    CHECK(a.runtime > 0); // a fair task's time slice (EEVDF's base slice)
    CHECK_EQ(a.deadline | a.period, 0);
    // The first version's 48 bytes: the rest is not written.
    memset(&a, 0xff, sizeof a);
    CHECK_OK(get_attributes(getpid(), &a, 48));
    CHECK_EQ(a.size, 48);
    CHECK_EQ(a.util_min, 0xffffffffu);
    // A longer buffer gets the kernel's structure, and its size.
    unsigned char longer[72];
    memset(longer, 0xab, sizeof longer);
    CHECK_OK(get_attributes(0, longer, sizeof longer));
    CHECK_EQ(((struct sched_attributes *)longer)->size, sizeof a);
    CHECK_EQ(longer[sizeof a], 0); // the tail is zeroed
    CHECK_ERR(get_attributes(0, &a, 47), EINVAL);
    CHECK_ERR(get_attributes(0, &a, 4097), EINVAL);
    CHECK_ERR(syscall(SYS_sched_getattr, 0, &a, sizeof a, 1), EINVAL);
    CHECK_ERR(get_attributes(0, NULL, sizeof a), EINVAL);
    CHECK_ERR(get_attributes(-1, &a, sizeof a), EINVAL);
    CHECK_ERR(get_attributes(0x3ffffff0, &a, sizeof a), ESRCH);
    CHECK_ERR(get_attributes(0, BAD_PTR, sizeof a), EFAULT);
}

TEST(sched_setattr_changes_policy_and_nice) {
    int now = getpriority(PRIO_PROCESS, 0);
    int higher = now < 19 ? now + 1 : 19, highest = higher < 19 ? higher + 1 : 19;
    uint64_t reset = kept_reset_flag();
    struct sched_attributes a = {.size = 48, .policy = SCHED_BATCH, .flags = reset, .nice = higher};
    CHECK_OK(set_attributes(0, &a));
    CHECK_EQ(sched_getscheduler(0) & ~SCHED_RESET_ON_FORK, SCHED_BATCH);
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), higher);
    // SCHED_FLAG_KEEP_PARAMS: the policy and the nice value stay (only the flags change);
    // _KEEP_POLICY: the policy does. A fair task's own slice is kept within 0.1..100 ms.
    a = (struct sched_attributes){.size = 48, .policy = SCHED_OTHER, .flags = reset | KEEP_PARAMS_FLAG, .nice = 19};
    CHECK_OK(set_attributes(0, &a));
    CHECK_EQ(sched_getscheduler(0) & ~SCHED_RESET_ON_FORK, SCHED_BATCH);
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), higher);
    a = (struct sched_attributes){.size = 0, .policy = SCHED_IDLE, .flags = reset | KEEP_POLICY_FLAG, .nice = highest, .runtime = 1000};
    CHECK_OK(set_attributes(0, &a));
    CHECK_EQ(sched_getscheduler(0) & ~SCHED_RESET_ON_FORK, SCHED_BATCH);
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), highest);
    CHECK_OK(get_attributes(0, &a, sizeof a));
    CHECK_EQ(a.runtime, 100000);
    a = (struct sched_attributes){.size = 48, .policy = SCHED_OTHER, .flags = reset, .nice = highest};
    CHECK_OK(set_attributes(0, &a));
    CHECK_EQ(sched_getscheduler(0) & ~SCHED_RESET_ON_FORK, SCHED_OTHER);
    // Sizes: below the first version or above a page, or a tail that is not zero: E2BIG,
    // with the kernel's size written back.
    a = (struct sched_attributes){.size = 47};
    CHECK_ERR(set_attributes(0, &a), E2BIG);
    CHECK_EQ(a.size, sizeof a);
    unsigned char longer[72] = {0};
    struct sched_attributes *head = (struct sched_attributes *)longer;
    head->size = sizeof longer;
    head->flags = reset;
    head->nice = highest;
    CHECK_OK(set_attributes(0, head));
    longer[sizeof a + 3] = 1;
    CHECK_ERR(set_attributes(0, head), E2BIG);
    CHECK_EQ(head->size, sizeof a);
    // The request before the process, the process before the permission.
    a = (struct sched_attributes){.size = 48, .policy = 42, .flags = reset};
    CHECK_ERR(set_attributes(0, &a), EINVAL);
    a.policy = (uint32_t)-1;
    CHECK_ERR(set_attributes(0x3ffffff0, &a), EINVAL);
    a.policy = SCHED_OTHER;
    a.priority = 5;
    CHECK_ERR(set_attributes(0, &a), EINVAL);
    a.priority = 0;
    a.flags = reset | (1u << 20);
    CHECK_ERR(set_attributes(0, &a), EINVAL);
    a = (struct sched_attributes){.size = 48, .policy = 6 /* SCHED_DEADLINE */, .flags = reset};
    CHECK_ERR(set_attributes(0, &a), EINVAL); // no runtime, deadline or period
    a = (struct sched_attributes){.size = 48, .policy = SCHED_OTHER, .flags = reset, .nice = highest};
    CHECK_ERR(syscall(SYS_sched_setattr, 0, &a, 1), EINVAL);
    CHECK_ERR(syscall(SYS_sched_setattr, 0, NULL, 0), EINVAL);
    CHECK_ERR(set_attributes(-1, &a), EINVAL);
    CHECK_ERR(set_attributes(0x3ffffff0, &a), ESRCH);
    CHECK_ERR(set_attributes(0, BAD_PTR), EFAULT);
}

// Another process's scheduling is seen as it set it; a change to it is checked before
// the permission is.
TEST(scheduling_of_another_process) {
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        struct sched_param zero = {0};
        char ok = sched_setscheduler(0, SCHED_BATCH | (sched_getscheduler(0) & SCHED_RESET_ON_FORK), &zero) == 0 &&
                  setpriority(PRIO_PROCESS, 0, 19) == 0;
        if (write(ready[1], &ok, 1) != 1 || read(release[0], &ok, 1) < 0)
            _exit(2);
        _exit(0);
    }
    char ok = 0;
    CHECK_EQ(read(ready[0], &ok, 1), 1);
    CHECK(ok);
    CHECK_EQ(sched_getscheduler(child) & ~SCHED_RESET_ON_FORK, SCHED_BATCH);
    struct sched_param param = {-1};
    CHECK_OK(sched_getparam(child, &param));
    CHECK_EQ(param.sched_priority, 0);
    errno = 0;
    CHECK_EQ(getpriority(PRIO_PROCESS, child), 19);
    CHECK_EQ(errno, 0);
    struct sched_attributes a;
    CHECK_OK(get_attributes(child, &a, sizeof a));
    CHECK_EQ(a.policy, SCHED_BATCH);
    CHECK_EQ(a.nice, 19);
    struct sched_param zero = {0}, five = {5};
    CHECK_ERR(sched_setscheduler(child, 42, &zero), EINVAL);
    CHECK_ERR(sched_setscheduler(child, SCHED_OTHER, &five), EINVAL);
    CHECK_ERR(sched_setparam(child, &five), EINVAL);
    CHECK_EQ(write(release[1], "x", 1), 1);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    close(ready[0]), close(ready[1]), close(release[0]), close(release[1]);
}

// SCHED_RESET_ON_FORK: the child starts with a nice value of at least 0 and without the
// flag, as its parent sees it at once.
static void reset_seen_in_child(void) {
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER);
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), 0);
}

TEST(reset_on_fork_resets_the_child) {
    if (check_capable(CAP_SYS_NICE) != 1)
        return; // a negative nice value needs the privilege
    int now = getpriority(PRIO_PROCESS, 0);
    struct sched_attributes a = {.size = 48, .policy = SCHED_OTHER, .flags = RESET_ON_FORK_FLAG, .nice = -5};
    CHECK_OK(set_attributes(0, &a));
    int release[2];
    CHECK_OK(pipe(release));
    pid_t child = CHECK_OK(check_fork_held(release));
    if (child == 0)
        _exit(0);
    CHECK_EQ(sched_getscheduler(child), SCHED_OTHER);
    CHECK_EQ(getpriority(PRIO_PROCESS, child), 0);
    close(release[0]), close(release[1]);
    CHECK_EQ(waitpid(child, NULL, 0), child);
    CHECK_EQ(getpriority(PRIO_PROCESS, 0), -5);
    CHECK_EQ(sched_getscheduler(0), SCHED_OTHER | SCHED_RESET_ON_FORK);
    check_in_child(reset_seen_in_child);
    a = (struct sched_attributes){.size = 48, .policy = SCHED_OTHER, .nice = now};
    CHECK_OK(set_attributes(0, &a));
}

TEST(sched_yield_returns) { CHECK_OK(sched_yield()); }

// ioprio_get / ioprio_set on the calling thread (IOPRIO_WHO_PROCESS 0, its pid or tid):
// the value's class and level checked first (EINVAL, EPERM), then the target (ESRCH).
// In a child, so that the test process keeps its priority.
static void ioprio_in_child(void) {
    const long who_process = 1, who_pgrp = 2;
    const long best_effort_3 = (2 << 13) | 3, idle = 3 << 13;
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), 0); // class NONE until set
    CHECK_OK(syscall(SYS_ioprio_set, who_process, 0, best_effort_3));
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), best_effort_3);
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, getpid()), best_effort_3);
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, gettid()), best_effort_3);
    CHECK_OK(setpgid(0, 0)); // a group of its own: of this one thread
    CHECK_EQ(syscall(SYS_ioprio_get, who_pgrp, 0), best_effort_3);
    CHECK_EQ(syscall(SYS_ioprio_get, who_pgrp, getpid()), best_effort_3);
    CHECK_OK(syscall(SYS_ioprio_set, who_process, getpid(), idle));
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), idle);
    CHECK_OK(syscall(SYS_ioprio_set, who_process, 0, (2 << 13) | (1 << 3) | 7)); // a hint
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), (2 << 13) | (1 << 3) | 7);
    CHECK_OK(syscall(SYS_ioprio_set, who_process, 0, 0));
    CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), 0);
    CHECK_ERR(syscall(SYS_ioprio_set, who_process, 0, 1), EINVAL); // NONE with a level
    CHECK_ERR(syscall(SYS_ioprio_set, who_process, 0, 4 << 13), EINVAL); // no such class
    CHECK_ERR(syscall(SYS_ioprio_set, who_process, 0, -1), EINVAL);
    CHECK_ERR(syscall(SYS_ioprio_set, who_process, -5, 5 << 13), EINVAL); // value first
    CHECK_ERR(syscall(SYS_ioprio_set, who_process, -5, idle), ESRCH);
    CHECK_ERR(syscall(SYS_ioprio_get, who_process, -5), ESRCH);
    CHECK_ERR(syscall(SYS_ioprio_get, 0, 0), EINVAL); // no such `which`
    CHECK_ERR(syscall(SYS_ioprio_get, 4, 0), EINVAL);
    CHECK_ERR(syscall(SYS_ioprio_set, 4, 0, idle), EINVAL);
    CHECK_ERR(syscall(SYS_ioprio_set, 4, 0, 6 << 13), EINVAL);
    if (check_capable(CAP_SYS_ADMIN) == 1) {
        CHECK_OK(syscall(SYS_ioprio_set, who_process, 0, (1 << 13) | 4)); // real time
        CHECK_EQ(syscall(SYS_ioprio_get, who_process, 0), (1 << 13) | 4);
    }
}

TEST(ioprio_get_and_set) {
    pid_t child = fork();
    if (child == 0) {
        ioprio_in_child();
        _exit(check_failure_count());
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
