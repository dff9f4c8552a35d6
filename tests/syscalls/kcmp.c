// SPDX-License-Identifier: MIT
// kcmp: open files within a process and across a fork, what threads share, what a
// parent and child do not, the order of different objects, and the errors.
#include "check.h"
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y) {
    return syscall(SYS_kcmp, a, b, type, x, y);
}

// A new open file each time (one description per open).
static int scratch_file(void) { return open("/dev/null", O_RDONLY); }

TEST(kcmp_files_in_a_process) {
    pid_t self = getpid();
    int a = scratch_file(), b = scratch_file(), c = dup(a);
    CHECK(a >= 0 && b >= 0 && c >= 0);
    CHECK_EQ(kcmp(self, self, KCMP_FILE, a, a), 0);
    CHECK_EQ(kcmp(self, self, KCMP_FILE, a, c), 0); // dup: one open file
    long ab = kcmp(self, self, KCMP_FILE, a, b);
    CHECK(ab == 1 || ab == 2);                          // an order, fixed ...
    CHECK_EQ(kcmp(self, self, KCMP_FILE, b, a), 3 - ab); // ... and the other way round
    CHECK_ERR(kcmp(self, self, KCMP_FILE, a, 999), EBADF);
    CHECK_ERR(kcmp(self, self, KCMP_FILE, (1UL << 32) + 999, a), EBADF);
    CHECK_EQ(kcmp(self, self, KCMP_FILE, (1UL << 32) + a, a), 0); // an unsigned int
    close(a), close(b), close(c);
}

static void *thread_compares(void *unused) {
    (void)unused;
    pid_t self = getpid(), tid = (pid_t)syscall(SYS_gettid);
    long sum = 0;
    for (int type = KCMP_VM; type <= KCMP_SIGHAND; type++)
        sum += kcmp(self, tid, type, 0, 0) != 0;
    return (void *)sum;
}

TEST(kcmp_threads_share_everything) {
    pthread_t thread;
    void *different = (void *)-1L;
    CHECK_EQ(pthread_create(&thread, NULL, thread_compares, NULL), 0);
    CHECK_EQ(pthread_join(thread, &different), 0);
    CHECK(different == NULL);
}

TEST(kcmp_across_a_fork) {
    int shared = scratch_file();
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        pid_t self = getpid();
        int own = scratch_file();
        int bad = 0;
        bad |= kcmp(parent, self, KCMP_FILE, shared, shared) != 0;   // one open file
        bad |= kcmp(parent, self, KCMP_FILE, shared, own) == 0;
        bad |= kcmp(parent, self, KCMP_FILE, own, own) != -1;        // the parent has none
        for (int type = KCMP_VM; type <= KCMP_SIGHAND; type++)
            bad |= kcmp(parent, self, type, 0, 0) == 0 ? 2 : 0;       // a copy of each
        long vm = kcmp(parent, self, KCMP_VM, 0, 0);
        bad |= kcmp(self, parent, KCMP_VM, 0, 0) != 3 - vm ? 8 : 0;
        _exit(bad);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    close(shared);
}

TEST(kcmp_errors) {
    pid_t self = getpid();
    CHECK_ERR(kcmp(self, self, 99, 0, 0), EINVAL);
    CHECK_ERR(kcmp(self, self, -1, 0, 0), EINVAL);
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    CHECK_EQ(waitpid(gone, NULL, 0), gone);
    CHECK_ERR(kcmp(gone, self, KCMP_VM, 0, 0), ESRCH);
    CHECK_ERR(kcmp(self, gone, 99, 0, 0), ESRCH); // the tasks first
    CHECK_ERR(kcmp(self, 0, KCMP_VM, 0, 0), ESRCH);
    CHECK_ERR(kcmp(self, self, KCMP_FILE, 0, (unsigned)-1), EBADF);
}
