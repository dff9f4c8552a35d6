// SPDX-License-Identifier: MIT
// The POSIX message queue family: mq_open, mq_unlink, mq_timedsend, mq_timedreceive,
// mq_notify, mq_getsetattr. Queues are machine-wide: each test names its own after the
// process and removes it.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// A name of this run's own, with the leading slash glibc's mq_open wants: a random tag, as
// the pid does not tell runs apart (each guest's first process has the same pid).
static const char *queue_name(const char *what) {
    static unsigned tag;
    while (tag == 0)
        getrandom(&tag, sizeof tag, 0);
    static char name[64];
    snprintf(name, sizeof name, "/bascule-mq-%08x-%s", tag, what);
    return name;
}

static mqd_t make_queue(const char *name, int flags, long max, long size) {
    struct mq_attr attr = {.mq_maxmsg = max, .mq_msgsize = size};
    mq_unlink(name);
    return CHECK_OK(mq_open(name, flags | O_CREAT | O_EXCL, 0600, &attr));
}

static struct timespec from_now(long ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

TEST(mq_send_and_receive_by_priority) {
    const char *name = queue_name("order");
    mqd_t q = make_queue(name, O_RDWR, 4, 64);
    struct mq_attr attr;
    CHECK_OK(mq_getattr(q, &attr));
    CHECK_EQ(attr.mq_maxmsg, 4);
    CHECK_EQ(attr.mq_msgsize, 64);
    CHECK_EQ(attr.mq_curmsgs, 0);
    CHECK_EQ(attr.mq_flags, 0);
    CHECK_OK(mq_send(q, "low", 4, 1));
    CHECK_OK(mq_send(q, "high", 5, 5));
    CHECK_OK(mq_send(q, "low2", 5, 1));
    CHECK_OK(mq_getattr(q, &attr));
    CHECK_EQ(attr.mq_curmsgs, 3);
    char buffer[64];
    unsigned priority = 0;
    CHECK_EQ(mq_receive(q, buffer, sizeof buffer, &priority), 5);
    CHECK_STR(buffer, "high");
    CHECK_EQ(priority, 5);
    CHECK_EQ(mq_receive(q, buffer, sizeof buffer, &priority), 4); // FIFO within a priority
    CHECK_STR(buffer, "low");
    CHECK_EQ(mq_receive(q, buffer, sizeof buffer, NULL), 5);
    CHECK_STR(buffer, "low2");
    CHECK_EQ(fcntl(q, F_GETFD), FD_CLOEXEC); // mq descriptors are always close-on-exec
    char link[64], target[128] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", q);
    CHECK_OK(readlink(link, target, sizeof target - 1));
    CHECK_STR(target, name); // its path in the mqueue file system
    // A read of the descriptor gives the queue's status line, as /dev/mqueue shows it.
    CHECK_OK(mq_send(q, "abc", 4, 0));
    char status[128] = {0};
    CHECK(read(q, status, sizeof status - 1) > 0);
    CHECK(strncmp(status, "QSIZE:4 ", 8) == 0);
    CHECK_EQ(mq_receive(q, buffer, sizeof buffer, NULL), 4);
    CHECK_OK(mq_close(q));
    // The queue outlives its descriptors until unlinked; attributes of an existing queue
    // are ignored by a later open.
    struct mq_attr other = {.mq_maxmsg = 9, .mq_msgsize = 9};
    q = CHECK_OK(mq_open(name, O_RDONLY | O_CREAT, 0600, &other));
    CHECK_OK(mq_getattr(q, &attr));
    CHECK_EQ(attr.mq_maxmsg, 4);
    CHECK_OK(mq_close(q));
    CHECK_OK(mq_unlink(name));
    CHECK_ERR(mq_unlink(name), ENOENT);
    CHECK_ERR(mq_open(name, O_RDONLY), ENOENT);
}

TEST(mq_open_errors) {
    const char *name = queue_name("open");
    mqd_t q = make_queue(name, O_RDWR, 2, 16);
    struct mq_attr attr = {.mq_maxmsg = 2, .mq_msgsize = 16};
    CHECK_ERR(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), EEXIST);
    // O_RDWR|O_WRONLY: EINVAL, once the name is known to be fine.
    CHECK_ERR(syscall(SYS_mq_open, name + 1, O_RDWR | O_WRONLY, 0, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_mq_open, name + 1, O_RDWR | O_WRONLY | O_CREAT | O_EXCL, 0600, NULL),
              EEXIST);
    CHECK_ERR(syscall(SYS_mq_open, "bascule-mq-none", O_RDWR | O_WRONLY, 0, NULL), ENOENT);
    CHECK_ERR(syscall(SYS_mq_open, "a/b", O_RDWR | O_WRONLY | O_CREAT, 0600, NULL), EACCES);
    CHECK_ERR(syscall(SYS_mq_open, "", O_RDWR | O_WRONLY, 0, NULL), ENOENT);
    CHECK_OK(mq_close(q));
    CHECK_OK(mq_unlink(name));
    // Attributes are checked only when a queue is made.
    struct mq_attr zero = {.mq_maxmsg = 0, .mq_msgsize = 16};
    CHECK_ERR(mq_open(name, O_RDWR | O_CREAT, 0600, &zero), EINVAL);
    struct mq_attr negative = {.mq_maxmsg = 2, .mq_msgsize = -1};
    CHECK_ERR(mq_open(name, O_RDWR | O_CREAT, 0600, &negative), EINVAL);
    struct mq_attr huge = {.mq_maxmsg = 1000000, .mq_msgsize = 16}; // over HARD_MSGMAX
    CHECK_ERR(mq_open(name, O_RDWR | O_CREAT, 0600, &huge), EINVAL);
    CHECK_ERR(mq_open(name, O_RDWR), ENOENT);
    // The kernel's own name checks (glibc passes the name without its slash).
    CHECK_ERR(syscall(SYS_mq_open, "a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
    CHECK_ERR(syscall(SYS_mq_open, "", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    CHECK_ERR(syscall(SYS_mq_open, long_name, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
    CHECK_ERR(syscall(SYS_mq_open, BAD_PTR, O_RDWR | O_CREAT, 0600, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_mq_open, name + 1, O_RDWR | O_CREAT, 0600, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_mq_unlink, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_mq_unlink, "a/b"), EACCES);
}

// The mode a queue is made with is masked by the umask.
TEST(mq_open_mode_and_umask) {
    const char *name = queue_name("mode");
    mq_unlink(name);
    mode_t old = umask(027);
    mqd_t q = CHECK_OK(mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0666, NULL));
    umask(old);
    struct stat st;
    CHECK_OK(fstat(q, &st));
    CHECK_EQ(st.st_mode & 07777, 0640);
    CHECK(S_ISREG(st.st_mode));
    struct mq_attr attr;
    CHECK_OK(mq_getattr(q, &attr)); // the host's defaults (fs.mqueue.msg_default ...)
    CHECK(attr.mq_maxmsg > 0 && attr.mq_msgsize > 0);
    CHECK_OK(mq_close(q));
    CHECK_OK(mq_unlink(name));
}

TEST(mq_send_receive_errors) {
    const char *name = queue_name("errors");
    mqd_t q = make_queue(name, O_RDWR, 1, 16);
    mqd_t reader = CHECK_OK(mq_open(name, O_RDONLY));
    mqd_t writer = CHECK_OK(mq_open(name, O_WRONLY | O_NONBLOCK));
    char buffer[16] = "x";
    CHECK_ERR(mq_send(-1, buffer, 1, 0), EBADF);
    CHECK_ERR(mq_send(1000, buffer, 1, 0), EBADF);
    CHECK_ERR(mq_send(reader, buffer, 1, 0), EBADF); // wrong direction
    CHECK_ERR(mq_receive(writer, buffer, sizeof buffer, NULL), EBADF);
    int pipes[2];
    CHECK_OK(pipe(pipes));
    CHECK_ERR(mq_send(pipes[1], buffer, 1, 0), EBADF); // not a queue
    CHECK_ERR(mq_receive(pipes[0], buffer, sizeof buffer, NULL), EBADF);
    close(pipes[0]);
    close(pipes[1]);
    CHECK_ERR(mq_send(q, buffer, 17, 0), EMSGSIZE);
    CHECK_ERR(mq_send(q, buffer, 1, 32768), EINVAL); // MQ_PRIO_MAX
    CHECK_ERR(mq_send(q, BAD_PTR, 1, 0), EFAULT);
    CHECK_ERR(mq_receive(q, buffer, 15, NULL), EMSGSIZE); // shorter than mq_msgsize
    // A malformed deadline is EINVAL even when the call would not wait; a bad pointer EFAULT.
    struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000L};
    CHECK_ERR(mq_timedsend(q, buffer, 1, 0, &bad), EINVAL);
    bad.tv_nsec = -1;
    CHECK_ERR(mq_timedsend(q, buffer, 1, 0, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_mq_timedsend, q, buffer, 1, 0, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_mq_timedreceive, q, buffer, sizeof buffer, NULL, BAD_PTR), EFAULT);
    // Full and empty: EAGAIN when non-blocking, ETIMEDOUT at a deadline past.
    CHECK_OK(mq_send(writer, "one", 4, 0));
    CHECK_ERR(mq_send(writer, "two", 4, 0), EAGAIN);
    struct timespec past = {.tv_sec = 1, .tv_nsec = 0};
    CHECK_ERR(mq_timedsend(q, "two", 4, 0, &past), ETIMEDOUT);
    CHECK_EQ(mq_receive(reader, buffer, sizeof buffer, NULL), 4);
    CHECK_ERR(mq_timedreceive(q, buffer, sizeof buffer, NULL, &past), ETIMEDOUT);
    struct timespec soon = from_now(30);
    CHECK_ERR(mq_timedreceive(q, buffer, sizeof buffer, NULL, &soon), ETIMEDOUT);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(now.tv_sec > soon.tv_sec || (now.tv_sec == soon.tv_sec && now.tv_nsec >= soon.tv_nsec));
    // A message that cannot be written out is lost, as on Linux.
    CHECK_OK(mq_send(q, "gone", 5, 0));
    CHECK_ERR(mq_receive(q, BAD_PTR, sizeof buffer, NULL), EFAULT);
    struct mq_attr attr;
    CHECK_OK(mq_getattr(q, &attr));
    CHECK_EQ(attr.mq_curmsgs, 0);
    mq_close(reader);
    mq_close(writer);
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

TEST(mq_getsetattr_flags) {
    const char *name = queue_name("attr");
    mqd_t q = make_queue(name, O_RDWR, 2, 8);
    struct mq_attr set = {.mq_flags = O_NONBLOCK}, old;
    CHECK_OK(mq_setattr(q, &set, &old));
    CHECK_EQ(old.mq_flags, 0);
    CHECK_EQ(old.mq_maxmsg, 2);
    CHECK_EQ(old.mq_msgsize, 8);
    CHECK(fcntl(q, F_GETFL) & O_NONBLOCK); // one status flag: the open file's
    char buffer[8];
    CHECK_ERR(mq_receive(q, buffer, sizeof buffer, NULL), EAGAIN);
    CHECK_OK(mq_getattr(q, &old));
    CHECK_EQ(old.mq_flags, O_NONBLOCK);
    CHECK_OK(fcntl(q, F_SETFL, 0));
    CHECK_OK(mq_getattr(q, &old));
    CHECK_EQ(old.mq_flags, 0);
    struct mq_attr wrong = {.mq_flags = O_APPEND};
    CHECK_ERR(mq_setattr(q, &wrong, NULL), EINVAL);
    CHECK_ERR(mq_setattr(-1, &wrong, NULL), EINVAL); // the flags come first
    CHECK_ERR(mq_setattr(-1, &set, NULL), EBADF);
    CHECK_ERR(syscall(SYS_mq_getsetattr, q, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_mq_getsetattr, q, NULL, BAD_PTR), EFAULT);
    CHECK_OK(syscall(SYS_mq_getsetattr, q, NULL, NULL));
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

TEST(mq_poll_and_epoll) {
    const char *name = queue_name("poll");
    mqd_t q = make_queue(name, O_RDWR, 1, 8);
    struct pollfd p = {.fd = q, .events = POLLIN | POLLOUT};
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT);
    int ep = CHECK_OK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = 7};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, q, &e));
    CHECK_EQ(epoll_wait(ep, &e, 1, 0), 0);
    CHECK_OK(mq_send(q, "m", 2, 0));
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN); // full: not writable
    CHECK_EQ(epoll_wait(ep, &e, 1, 1000), 1);
    CHECK_EQ(e.data.u32, 7);
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(q, &readable);
    struct timeval zero = {0, 0};
    CHECK_EQ(select(q + 1, &readable, NULL, NULL, &zero), 1);
    close(ep);
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

// After fork the descriptor is one open file description: a blocking receive in the
// parent gets what the child sends, and the child's O_NONBLOCK is the parent's.
TEST(mq_fork_shares_the_queue) {
    const char *name = queue_name("fork");
    mqd_t q = make_queue(name, O_RDWR, 2, 16);
    pid_t child = fork();
    if (child == 0) {
        usleep(50000);
        struct mq_attr set = {.mq_flags = O_NONBLOCK};
        mq_setattr(q, &set, NULL);
        mq_send(q, "from child", 11, 3);
        _exit(check_failure_count());
    }
    char buffer[16];
    unsigned priority;
    CHECK_EQ(mq_receive(q, buffer, sizeof buffer, &priority), 11);
    CHECK_STR(buffer, "from child");
    CHECK_EQ(priority, 3);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct mq_attr attr;
    CHECK_OK(mq_getattr(q, &attr));
    CHECK_EQ(attr.mq_flags, O_NONBLOCK);
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

static volatile sig_atomic_t notified;
static siginfo_t notified_info;
static void on_notify(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    notified_info = *info;
    notified = 1;
}

TEST(mq_notify_signal) {
    const char *name = queue_name("notify");
    mqd_t q = make_queue(name, O_RDWR, 4, 16);
    struct sigaction action = {.sa_sigaction = on_notify, .sa_flags = SA_SIGINFO}, old;
    CHECK_OK(sigaction(SIGUSR1, &action, &old));
    struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    event.sigev_value.sival_int = 42;
    notified = 0;
    CHECK_OK(mq_notify(q, &event));
    CHECK_ERR(mq_notify(q, &event), EBUSY); // one registration, even for its owner
    // Another process cannot register while this one is.
    pid_t child = fork();
    if (child == 0) {
        CHECK_ERR(mq_notify(q, &event), EBUSY);
        CHECK_OK(mq_notify(q, NULL)); // not the owner: nothing happens
        _exit(check_failure_count());
    }
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK(mq_send(q, "wake", 5, 0));
    for (int i = 0; i < 1000 && !notified; i++)
        usleep(1000);
    CHECK(notified);
    CHECK_EQ(notified_info.si_signo, SIGUSR1);
    CHECK_EQ(notified_info.si_code, SI_MESGQ);
    CHECK_EQ(notified_info.si_pid, getpid());
    CHECK_EQ(notified_info.si_uid, getuid());
    CHECK_EQ(notified_info.si_value.sival_int, 42);
    // The registration went with the notification: it can be made again, and a message
    // to a queue that is not empty tells nobody.
    notified = 0;
    CHECK_OK(mq_notify(q, &event));
    CHECK_OK(mq_send(q, "more", 5, 0));
    usleep(20000);
    CHECK(!notified);
    CHECK_OK(mq_notify(q, NULL)); // removed
    CHECK_OK(mq_notify(q, NULL)); // nothing to remove: still 0
    // Any close of a descriptor of the queue by the owner removes it (the kernel's flush).
    CHECK_EQ(mq_receive(q, (char[16]){0}, 16, NULL), 5); // wake
    CHECK_EQ(mq_receive(q, (char[16]){0}, 16, NULL), 5); // more: empty again
    CHECK_OK(mq_notify(q, &event));
    close(dup(q));
    notified = 0;
    CHECK_OK(mq_send(q, "none", 5, 0));
    usleep(20000);
    CHECK(!notified);
    CHECK_EQ(mq_receive(q, (char[16]){0}, 16, NULL), 5);
    // A sender in another process is named by its pid.
    CHECK_OK(mq_notify(q, &event));
    pid_t sender = fork();
    if (sender == 0)
        _exit(mq_send(q, "child", 6, 0) == 0 ? 0 : 1);
    pid_t waited;
    while ((waited = waitpid(sender, &status, 0)) == -1 && errno == EINTR) // the signal
        ;
    CHECK_EQ(waited, sender);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (int i = 0; i < 1000 && !notified; i++)
        usleep(1000);
    CHECK(notified);
    CHECK_EQ(notified_info.si_code, SI_MESGQ);
    CHECK_EQ(notified_info.si_pid, sender);
    CHECK_EQ(mq_receive(q, (char[16]){0}, 16, NULL), 6);
    struct sigevent none = {.sigev_notify = SIGEV_NONE};
    CHECK_OK(mq_notify(q, &none));
    CHECK_ERR(mq_notify(q, &event), EBUSY);
    CHECK_OK(mq_notify(q, NULL));
    CHECK_OK(sigaction(SIGUSR1, &old, NULL));
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

TEST(mq_notify_errors) {
    const char *name = queue_name("notifyerr");
    mqd_t q = make_queue(name, O_RDWR, 1, 8);
    struct sigevent event = {.sigev_notify = 99};
    CHECK_ERR(mq_notify(q, &event), EINVAL);
    CHECK_ERR(mq_notify(-1, &event), EINVAL); // the sigevent is checked first
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = _NSIG + 1;
    CHECK_ERR(mq_notify(q, &event), EINVAL);
    event.sigev_signo = SIGUSR2;
    CHECK_ERR(mq_notify(-1, &event), EBADF);
    int pipes[2];
    CHECK_OK(pipe(pipes));
    CHECK_ERR(mq_notify(pipes[0], &event), EBADF);
    CHECK_ERR(syscall(SYS_mq_notify, q, BAD_PTR), EFAULT);
    // SIGEV_THREAD as the kernel takes it: a cookie, and a netlink socket in sigev_signo.
    char cookie[32] = {0};
    struct sigevent thread = {.sigev_notify = SIGEV_THREAD};
    thread.sigev_value.sival_ptr = cookie;
    thread.sigev_signo = pipes[0];
    CHECK_ERR(syscall(SYS_mq_notify, q, &thread), ENOTSOCK);
    thread.sigev_signo = -1;
    CHECK_ERR(syscall(SYS_mq_notify, q, &thread), EBADF);
    int udp = CHECK_OK(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    thread.sigev_signo = udp;
    CHECK_ERR(syscall(SYS_mq_notify, q, &thread), EINVAL); // a socket, but no netlink one
    thread.sigev_value.sival_ptr = BAD_PTR;
    CHECK_ERR(syscall(SYS_mq_notify, q, &thread), EFAULT);
    close(udp);
    close(pipes[0]);
    close(pipes[1]);
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

static void on_alarm(int sig) { (void)sig; }

// A blocked receive ends with EINTR for a handler without SA_RESTART, and carries on
// (restarted) for one with it.
TEST(mq_receive_interrupted) {
    const char *name = queue_name("eintr");
    mqd_t q = make_queue(name, O_RDWR, 1, 8);
    check_interrupts_start(20000, 0);
    char buffer[8];
    CHECK_ERR(mq_receive(q, buffer, sizeof buffer, NULL), EINTR);
    check_interrupts_stop();
    struct sigaction action = {.sa_handler = on_alarm, .sa_flags = SA_RESTART}, old;
    CHECK_OK(sigaction(SIGALRM, &action, &old));
    struct itimerval timer = {.it_value = {0, 50000}};
    CHECK_OK(setitimer(ITIMER_REAL, &timer, NULL));
    struct timespec deadline = from_now(300);
    CHECK_ERR(mq_timedreceive(q, buffer, sizeof buffer, NULL, &deadline), ETIMEDOUT);
    CHECK_OK(sigaction(SIGALRM, &old, NULL));
    mq_close(q);
    CHECK_OK(mq_unlink(name));
}

// The name the child made by check_in_child_as_nobody opens.
static char permission_name[64];
static void open_as_nobody(void) {
    CHECK_ERR(mq_open(permission_name, O_RDONLY), EACCES);
    // O_RDWR|O_WRONLY is EINVAL (or EEXIST) before the permission is asked.
    CHECK_ERR(syscall(SYS_mq_open, permission_name + 1, O_RDWR | O_WRONLY, 0, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_mq_open, permission_name + 1, O_RDWR | O_WRONLY | O_CREAT | O_EXCL,
                      0600, NULL),
              EEXIST);
}

TEST(mq_open_permission) {
    snprintf(permission_name, sizeof permission_name, "%s", queue_name("perm"));
    mqd_t q = make_queue(permission_name, O_RDWR, 1, 8);
    check_in_child_as_nobody(open_as_nobody);
    mq_close(q);
    CHECK_OK(mq_unlink(permission_name));
}
