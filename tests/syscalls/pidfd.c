// SPDX-License-Identifier: MIT
// pidfds: pidfd_open, poll and epoll on one (readable when the process ends, hung up
// once it is reaped), waitid(P_PIDFD), pidfd_send_signal, pidfd_getfd of the caller's own
// descriptors, and clone's CLONE_PIDFD.
#include "check.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int send_signal(int fd, int sig, siginfo_t *info, unsigned flags) {
    return syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

// A child that waits until `release` is written to (or closed), then exits with 5.
static pid_t waiting_child(int release[2]) {
    if (pipe(release) != 0)
        return -1;
    pid_t child = check_fork_held(release);
    if (child == 0)
        _exit(5);
    close(release[0]);
    return child;
}

static short poll_once(int fd, int timeout) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, timeout) == 1 ? p.revents : 0;
}

TEST(pidfd_open_poll_and_waitid) {
    int release[2];
    pid_t child = waiting_child(release);
    CHECK(child > 0);
    int fd = pidfd_open(child, 0);
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    char byte;
    CHECK_ERR(read(fd, &byte, 1), EINVAL);
    CHECK_EQ(poll_once(fd, 0), 0); // running
    close(release[1]);              // it exits
    CHECK_EQ(poll_once(fd, 5000), POLLIN);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PIDFD, fd, &info, WEXITED));
    CHECK_EQ(info.si_pid, child);
    CHECK_EQ(info.si_code, CLD_EXITED);
    CHECK_EQ(info.si_status, 5);
    CHECK_EQ(poll_once(fd, 0), POLLIN | POLLHUP); // reaped
    CHECK_ERR(send_signal(fd, 0, NULL, 0), ESRCH);
    CHECK_ERR(waitid(P_PIDFD, fd, &info, WEXITED), ECHILD);
    CHECK_ERR(pidfd_open(child, 0), ESRCH);
    CHECK_OK(close(fd));
}

TEST(pidfd_epoll) {
    int release[2];
    pid_t child = waiting_child(release);
    int fd = pidfd_open(child, 0), ep = epoll_create1(0);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = 7}, got;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event));
    CHECK_EQ(epoll_wait(ep, &got, 1, 0), 0);
    close(release[1]);
    CHECK_EQ(epoll_wait(ep, &got, 1, 5000), 1);
    CHECK_EQ(got.data.u32, 7);
    CHECK_EQ(got.events, EPOLLIN);
    CHECK_EQ(waitpid(child, NULL, 0), child);
    close(ep), close(fd);
}

TEST(pidfd_open_errors) {
    CHECK_ERR(pidfd_open(getpid(), 1), EINVAL);
    CHECK_ERR(pidfd_open(0, 0), EINVAL);
    CHECK_ERR(pidfd_open(-1, 0), EINVAL);
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    CHECK_EQ(waitpid(gone, NULL, 0), gone);
    CHECK_ERR(pidfd_open(gone, 0), ESRCH);
    int fd = pidfd_open(getpid(), PIDFD_NONBLOCK);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_EQ(poll_once(fd, 0), 0);
    close(fd);
}

static void *open_own_thread(void *result) {
    // The calling thread's tid is a thread of this process but not its first.
    *(int *)result = pidfd_open((pid_t)syscall(SYS_gettid), 0) == -1 ? errno : 0;
    return NULL;
}

TEST(pidfd_open_of_a_thread) {
    pthread_t thread;
    int error = -1;
    CHECK_EQ(pthread_create(&thread, NULL, open_own_thread, &error), 0);
    CHECK_EQ(pthread_join(thread, NULL), 0);
    CHECK_EQ(error, ENOENT); // Linux 6.18: no thread group has that id
}

TEST(pidfd_nonblocking_waitid) {
    int release[2];
    pid_t child = waiting_child(release);
    int fd = pidfd_open(child, PIDFD_NONBLOCK);
    siginfo_t info;
    memset(&info, 0xff, sizeof info);
    CHECK_ERR(waitid(P_PIDFD, fd, &info, WEXITED), EAGAIN); // nothing yet, never blocks
    memset(&info, 0xff, sizeof info);
    CHECK_OK(waitid(P_PIDFD, fd, &info, WEXITED | WNOHANG));
    CHECK_EQ(info.si_pid, 0);
    close(release[1]);
    CHECK_EQ(poll_once(fd, 5000), POLLIN);
    CHECK_OK(waitid(P_PIDFD, fd, &info, WEXITED));
    CHECK_EQ(info.si_pid, child);
    CHECK_ERR(waitid(P_PIDFD, -1, &info, WEXITED), EINVAL);
    CHECK_ERR(waitid(P_PIDFD, 999, &info, WEXITED), EBADF);
    CHECK_ERR(waitid(P_PIDFD, release[1] == 0 ? 1 : 0, &info, WEXITED), EBADF); // not a pidfd
    close(fd);
}

TEST(pidfd_send_signal_rules) {
    sigset_t usr1, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
    int self = pidfd_open(getpid(), 0);
    CHECK_OK(send_signal(self, SIGUSR1, NULL, 0));
    CHECK_OK(sigpending(&pending));
    CHECK(sigismember(&pending, SIGUSR1));
    int sig = 0;
    CHECK_OK(sigwait(&usr1, &sig));
    CHECK_ERR(send_signal(self, SIGUSR1, NULL, 8), EINVAL);
    CHECK_ERR(send_signal(self, SIGUSR1, NULL, 3), EINVAL); // two scopes
    CHECK_ERR(send_signal(-1, SIGUSR1, NULL, 0), EBADF);
    CHECK_ERR(send_signal(0, SIGUSR1, NULL, 0), EBADF); // not a pidfd
    CHECK_ERR(send_signal(self, SIGUSR1, BAD_PTR, 0), EFAULT);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    info.si_signo = SIGUSR2;
    info.si_code = SI_QUEUE;
    CHECK_ERR(send_signal(self, SIGUSR1, &info, 0), EINVAL); // another signal's
    CHECK_ERR(send_signal(self, 100, NULL, 0), EINVAL);
    CHECK_OK(send_signal(self, 0, NULL, 0));
    int release[2];
    pid_t child = waiting_child(release);
    int fd = pidfd_open(child, 0);
    info.si_signo = SIGKILL;
    info.si_code = 0; // SI_USER: the kernel's own code, to another process
    CHECK_ERR(send_signal(fd, SIGKILL, &info, 0), EPERM);
    CHECK_OK(send_signal(fd, SIGKILL, NULL, 0));
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(release[1]), close(fd), close(self);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
}

// A descriptor of a /proc/PID directory names its process as a pidfd does (Linux's
// tgid_pidfd_to_pid; LTP pidfd_send_signal01); a task's directory, an O_PATH descriptor
// or another directory is EBADF.
TEST(pidfd_send_signal_to_proc_directory) {
    sigset_t usr1, pending;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
    int dir = CHECK_OK(open("/proc/self", O_DIRECTORY | O_CLOEXEC));
    CHECK_OK(send_signal(dir, SIGUSR1, NULL, 0));
    CHECK_OK(sigpending(&pending));
    CHECK(sigismember(&pending, SIGUSR1));
    int sig = 0;
    CHECK_OK(sigwait(&usr1, &sig));
    CHECK_EQ(sig, SIGUSR1);
    CHECK_OK(send_signal(dir, 0, NULL, 0));
    CHECK_ERR(send_signal(dir, SIGUSR1, BAD_PTR, 0), EFAULT);
    CHECK_ERR(send_signal(dir, SIGUSR1, NULL, 8), EINVAL);
    char task[64];
    snprintf(task, sizeof task, "/proc/self/task/%ld", (long)syscall(SYS_gettid));
    int task_dir = CHECK_OK(open(task, O_DIRECTORY | O_CLOEXEC));
    CHECK_ERR(send_signal(task_dir, 0, NULL, 0), EBADF);
    int path_only = CHECK_OK(open("/proc/self", O_PATH | O_CLOEXEC));
    CHECK_ERR(send_signal(path_only, 0, NULL, 0), EBADF);
    int root = CHECK_OK(open("/", O_DIRECTORY | O_CLOEXEC));
    CHECK_ERR(send_signal(root, 0, NULL, 0), EBADF);
    CHECK_ERR(syscall(SYS_pidfd_getfd, dir, 0, 0), EBADF); // a pidfd only
    close(root), close(path_only), close(task_dir), close(dir);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));
}

TEST(pidfd_getfd_own) {
    int pipe_fds[2];
    CHECK_OK(pipe(pipe_fds));
    int self = pidfd_open(getpid(), 0);
    int copy = syscall(SYS_pidfd_getfd, self, pipe_fds[1], 0);
    CHECK(copy >= 0);
    CHECK_EQ(fcntl(copy, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(write(copy, "z", 1), 1);
    char byte = 0;
    CHECK_EQ(read(pipe_fds[0], &byte, 1), 1);
    CHECK_EQ(byte, 'z');
    CHECK_ERR(syscall(SYS_pidfd_getfd, self, pipe_fds[1], 1), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_getfd, self, 999, 0), EBADF);
    CHECK_ERR(syscall(SYS_pidfd_getfd, pipe_fds[0], 0, 0), EBADF); // not a pidfd
    CHECK_ERR(syscall(SYS_pidfd_getfd, -1, 0, 0), EBADF);
    close(copy), close(self), close(pipe_fds[0]), close(pipe_fds[1]);
}

// A child that dropped root asks for a descriptor of its parent (root's), whose pidfd it
// inherited: EPERM, the ptrace check's answer; the parent is there, so not ESRCH (LTP
// pidfd_getfd02).
TEST(pidfd_getfd_without_permission) {
    if (getuid() != 0 || check_capable(CAP_SETUID) != 1)
        return;
    int self = pidfd_open(getpid(), 0);
    CHECK(self >= 0);
    pid_t child = fork();
    if (child == 0) {
        if (setuid(65534) != 0)
            _exit(2);
        errno = 0;
        long r = syscall(SYS_pidfd_getfd, self, 0, 0);
        _exit(r == -1 && errno == EPERM ? 0 : 1);
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    close(self);
}

TEST(clone_pidfd) {
    int fd = -1;
    pid_t child = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &fd, NULL, 0);
    if (child == 0)
        _exit(3);
    CHECK(child > 0);
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(poll_once(fd, 5000), POLLIN);
    siginfo_t info;
    CHECK_OK(waitid(P_PIDFD, fd, &info, WEXITED));
    CHECK_EQ(info.si_pid, child);
    CHECK_EQ(info.si_status, 3);
    close(fd);
    // clone3 writes it to args.pidfd; a bad address fails the clone: no child is made.
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_PIDFD;
    args.exit_signal = SIGCHLD;
    args.pidfd = (uint64_t)(uintptr_t)&fd;
    child = syscall(SYS_clone3, &args, sizeof args);
    if (child == 0)
        _exit(4);
    CHECK(child > 0);
    CHECK_EQ(poll_once(fd, 5000), POLLIN);
    CHECK_OK(waitid(P_PIDFD, fd, &info, WEXITED));
    CHECK_EQ(info.si_status, 4);
    close(fd);
    args.pidfd = (uint64_t)(uintptr_t)BAD_PTR;
    child = syscall(SYS_clone3, &args, sizeof args);
    if (child == 0)
        _exit(0);
    CHECK_EQ(child, -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}
