// SPDX-License-Identifier: MIT
// The signalfd family: signalfd, signalfd4 (SFD_NONBLOCK, SFD_CLOEXEC, a new mask for an
// existing descriptor), the signalfd_siginfo records its reads take from the pending
// set, and its readiness for poll and epoll.
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

// Blocks `a` and `b` (0: none) for the test and returns a mask of them.
static sigset_t block(int a, int b) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, a);
    if (b)
        sigaddset(&set, b);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    return set;
}

static void unblock(sigset_t set) { CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL)); }

static int pending(int sig) {
    sigset_t set;
    CHECK_OK(sigpending(&set));
    return sigismember(&set, sig);
}

TEST(signalfd_read_records) {
    sigset_t set = block(SIGUSR1, SIGUSR2);
    int fd = CHECK_OK(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR | O_NONBLOCK);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 0777, 0600);
    struct signalfd_siginfo info[2];
    CHECK_ERR(read(fd, info, sizeof info), EAGAIN);
    CHECK_OK(raise(SIGUSR1)); // tgkill: SI_TKILL
    CHECK(pending(SIGUSR1));
    memset(info, 0xff, sizeof info);
    CHECK_EQ(read(fd, info, sizeof info), sizeof info[0]);
    CHECK_EQ(info[0].ssi_signo, SIGUSR1);
    CHECK_EQ(info[0].ssi_code, SI_TKILL);
    CHECK_EQ(info[0].ssi_pid, getpid());
    CHECK_EQ(info[0].ssi_uid, getuid());
    CHECK_EQ(info[0].ssi_errno, 0);
    CHECK_EQ(info[0].ssi_int, 0);
    CHECK(!pending(SIGUSR1)); // taken from the pending set
    CHECK_ERR(read(fd, info, sizeof info), EAGAIN);
    // Two pending: one read takes both, the lower number first.
    CHECK_OK(kill(getpid(), SIGUSR2)); // SI_USER
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(read(fd, info, sizeof info), sizeof info);
    CHECK_EQ(info[0].ssi_signo, SIGUSR1);
    CHECK_EQ(info[1].ssi_signo, SIGUSR2);
    CHECK_EQ(info[1].ssi_code, SI_USER);
    CHECK_EQ(info[1].ssi_pid, getpid());
    close(fd);
    unblock(set);
}

TEST(signalfd_bad_reads) {
    sigset_t set = block(SIGUSR1, 0);
    int fd = CHECK_OK(signalfd(-1, &set, SFD_NONBLOCK));
    char small[127];
    CHECK_OK(raise(SIGUSR1));
    CHECK_ERR(read(fd, small, sizeof small), EINVAL);
    CHECK(pending(SIGUSR1)); // nothing taken
    struct signalfd_siginfo info;
    CHECK_ERR(write(fd, &info, sizeof info), EINVAL);
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, sizeof info), EFAULT);
    CHECK(!pending(SIGUSR1)); // taken all the same, as Linux does
    close(fd);
    unblock(set);
}

TEST(signalfd_errors) {
    sigset_t set = block(SIGUSR1, 0);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 16, 0), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, BAD_PTR, 8, 0), EFAULT);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 8, 1), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, &set, 8, O_APPEND), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, 999, &set, 8, 0), EBADF);
    CHECK_ERR(syscall(SYS_signalfd4, -2, &set, 8, 0), EBADF);
    CHECK_ERR(syscall(SYS_signalfd4, p[0], &set, 8, 0), EINVAL); // no signalfd
    CHECK_ERR(syscall(SYS_signalfd, -1, &set, 4), EINVAL);
    int fd = CHECK_OK(syscall(SYS_signalfd, -1, &set, 8));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    close(fd), close(p[0]), close(p[1]);
    unblock(set);
}

TEST(signalfd_new_mask) {
    sigset_t both = block(SIGUSR1, SIGUSR2), one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    int fd = CHECK_OK(signalfd(-1, &one, SFD_NONBLOCK));
    CHECK_OK(raise(SIGUSR2)); // pending, but not of the mask
    struct signalfd_siginfo info;
    CHECK_ERR(read(fd, &info, sizeof info), EAGAIN);
    struct pollfd p = {fd, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 0);
    sigset_t two;
    sigemptyset(&two);
    sigaddset(&two, SIGUSR2);
    sigaddset(&two, SIGKILL); // dropped silently
    CHECK_EQ(signalfd(fd, &two, SFD_CLOEXEC), fd);
    CHECK_EQ(fcntl(fd, F_GETFD), 0); // the flags of a new mask change nothing
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_EQ(read(fd, &info, sizeof info), sizeof info);
    CHECK_EQ(info.ssi_signo, SIGUSR2);
    CHECK_EQ(poll(&p, 1, 0), 0);
    close(fd);
    unblock(both);
}

TEST(signalfd_epoll) {
    sigset_t set = block(SIGUSR1, 0);
    int fd = CHECK_OK(signalfd(-1, &set, SFD_NONBLOCK));
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 42};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e));
    CHECK_EQ(epoll_wait(ep, &e, 1, 0), 0);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(epoll_wait(ep, &e, 1, -1), 1);
    CHECK_EQ(e.events, EPOLLIN);
    CHECK_EQ(e.data.u64, 42);
    struct signalfd_siginfo info;
    CHECK_EQ(read(fd, &info, sizeof info), sizeof info);
    CHECK_EQ(epoll_wait(ep, &e, 1, 0), 0);
    close(ep), close(fd);
    unblock(set);
}

// A signal another process sent is pending once its kill returned: a read that does not
// block (and poll with no timeout) finds it, with the sender's pid.
TEST(signalfd_signal_from_another_process) {
    sigset_t set = block(SIGUSR1, 0);
    int fd = CHECK_OK(signalfd(-1, &set, SFD_NONBLOCK));
    pid_t parent = getpid();
    pid_t child = CHECK_OK(fork());
    if (child == 0)
        _exit(kill(parent, SIGUSR1) == 0 ? 0 : 1);
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    struct pollfd p = {fd, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, 0), 1);
    struct signalfd_siginfo info;
    CHECK_EQ(read(fd, &info, sizeof info), sizeof info);
    CHECK_EQ(info.ssi_signo, SIGUSR1);
    CHECK_EQ(info.ssi_code, SI_USER);
    CHECK_EQ(info.ssi_pid, (uint32_t)child);
    CHECK_ERR(read(fd, &info, sizeof info), EAGAIN);
    close(fd);
    unblock(set);
}

// A blocking read waits for the signal: here one a timer raises.
TEST(signalfd_blocking_read) {
    sigset_t set = block(SIGALRM, 0);
    int fd = CHECK_OK(signalfd(-1, &set, 0));
    struct itimerval it = {{0, 0}, {0, 2000}};
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    struct signalfd_siginfo info;
    CHECK_EQ(read(fd, &info, sizeof info), sizeof info);
    CHECK_EQ(info.ssi_signo, SIGALRM);
    CHECK_EQ(info.ssi_code, SI_KERNEL);
    // And poll waits for one the same way.
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    struct pollfd p = {fd, POLLIN, 0};
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(read(fd, &info, sizeof info), sizeof info);
    CHECK_EQ(info.ssi_signo, SIGALRM);
    close(fd);
    unblock(set);
}
