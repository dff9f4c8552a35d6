// SPDX-License-Identifier: MIT
// process_vm_readv and process_vm_writev: another process's memory and the caller's own,
// several segments on each side, a range that runs into an unmapped page, and the
// errors in mm/process_vm_access.c's order.
#include "check.h"
#include <limits.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static char shared_text[64] = "the quick brown fox jumps over the lazy dog";

// A child that waits until `release` closes, then exits 0 if its shared_text reads
// `expected` (or with 1).
static pid_t holding_child(int release[2], const char *expected) {
    if (pipe(release) != 0)
        return -1;
    pid_t child = check_fork_held(release);
    if (child == 0)
        _exit(strcmp(shared_text, expected) == 0 ? 0 : 1);
    close(release[0]);
    return child;
}

static int child_status(pid_t child, int release[2]) {
    close(release[1]);
    int status = -1;
    waitpid(child, &status, 0);
    return status;
}

TEST(process_vm_readv_another_process) {
    int release[2];
    pid_t child = holding_child(release, shared_text);
    strcpy(shared_text, "changed in the parent only"); // the child keeps its own copy
    char first[10] = {0}, second[40] = {0};
    struct iovec local[2] = {{first, 9}, {second, 30}};
    struct iovec remote[2] = {{shared_text, 4}, {shared_text + 10, 20}};
    CHECK_EQ(process_vm_readv(child, local, 2, remote, 2, 0), 24);
    CHECK(memcmp(first, "the brown", 9) == 0); // the segments fill in order
    CHECK(memcmp(second, " fox jumps over", 15) == 0);
    CHECK_EQ(child_status(child, release), 0);
    strcpy(shared_text, "the quick brown fox jumps over the lazy dog");
}

TEST(process_vm_writev_another_process) {
    int release[2];
    pid_t child = holding_child(release, "written by the parent");
    char text[] = "written by the parent";
    struct iovec local[2] = {{text, 8}, {text + 8, sizeof text - 8}};
    struct iovec remote = {shared_text, sizeof text};
    CHECK_EQ(process_vm_writev(child, local, 2, &remote, 1, 0), (ssize_t)sizeof text);
    CHECK_EQ(child_status(child, release), 0);
    CHECK(strcmp(shared_text, "written by the parent") != 0); // the parent's is its own
}

TEST(process_vm_own_memory_and_faults) {
    char out[16] = {0};
    struct iovec local = {out, 9};
    struct iovec remote = {shared_text, 9};
    CHECK_EQ(process_vm_readv(getpid(), &local, 1, &remote, 1, 0), 9);
    CHECK(memcmp(out, "the quick", 9) == 0);
    // A remote range that runs into an unmapped page: what came before it.
    long page = sysconf(_SC_PAGESIZE);
    char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(two != MAP_FAILED);
    CHECK_OK(munmap(two + page, page));
    memset(two, 'x', page);
    char big[64];
    struct iovec wide = {big, sizeof big}, edge = {two + page - 16, 64};
    CHECK_EQ(process_vm_readv(getpid(), &wide, 1, &edge, 1, 0), 16);
    struct iovec beyond = {two + page, 8};
    CHECK_ERR(process_vm_readv(getpid(), &wide, 1, &beyond, 1, 0), EFAULT);
    CHECK_ERR(process_vm_writev(getpid(), &wide, 1, &beyond, 1, 0), EFAULT);
    CHECK_OK(munmap(two, page));
}

TEST(process_vm_errors) {
    char buffer[8];
    struct iovec local = {buffer, sizeof buffer}, remote = {shared_text, 8};
    CHECK_ERR(process_vm_readv(getpid(), &local, 1, &remote, 1, 1), EINVAL);
    CHECK_ERR(process_vm_readv(getpid(), &local, IOV_MAX + 1, &remote, 1, 0), EINVAL);
    CHECK_ERR(process_vm_readv(getpid(), BAD_PTR, 1, &remote, 1, 0), EFAULT);
    struct iovec negative = {buffer, (size_t)-1};
    CHECK_ERR(process_vm_readv(getpid(), &negative, 1, &remote, 1, 0), EINVAL);
    struct iovec kernel = {(void *)0xffff800000000000UL, 8};
    CHECK_ERR(process_vm_readv(getpid(), &kernel, 1, &remote, 1, 0), EFAULT);
    CHECK_ERR(process_vm_readv(getpid(), &local, 1, BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(process_vm_readv(getpid(), &local, 1, &remote, IOV_MAX + 1, 0), EINVAL);
    CHECK_ERR(process_vm_readv(getpid(), &local, 1, &negative, 1, 0), EINVAL);
    // Nothing to move: 0 before the target is looked up.
    struct iovec empty = {buffer, 0};
    CHECK_EQ(process_vm_readv(-5, &empty, 1, &remote, 1, 0), 0);
    CHECK_EQ(process_vm_readv(-5, &local, 1, &empty, 1, 0), 0);
    CHECK_ERR(process_vm_readv(-5, &local, 1, &remote, 1, 0), ESRCH);
    CHECK_ERR(process_vm_writev(0, &local, 1, &remote, 1, 0), ESRCH);
    pid_t zombie = fork();
    if (zombie == 0)
        _exit(0);
    siginfo_t info;
    CHECK_OK(waitid(P_PID, zombie, &info, WEXITED | WNOWAIT)); // ended, not reaped
    CHECK_ERR(process_vm_readv(zombie, &local, 1, &remote, 1, 0), ESRCH);
    CHECK_EQ(waitpid(zombie, NULL, 0), zombie);
    CHECK_ERR(process_vm_readv(zombie, &local, 1, &remote, 1, 0), ESRCH);
}

// A child that dropped root reads and writes its parent's (root's) memory: EPERM, the
// ptrace check's answer, before anything moves (LTP process_vm_readv01, _writev01).
TEST(process_vm_without_permission) {
    if (getuid() != 0 || check_capable(CAP_SETUID) != 1)
        return;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        char buffer[8];
        struct iovec local = {buffer, sizeof buffer}, remote = {shared_text, 8};
        errno = 0;
        if (process_vm_readv(parent, &local, 1, &remote, 1, 0) != -1 || errno != EPERM)
            _exit(3);
        errno = 0;
        if (process_vm_writev(parent, &local, 1, &remote, 1, 0) != -1 || errno != EPERM)
            _exit(4);
        _exit(0);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
}
