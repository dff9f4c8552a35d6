// SPDX-License-Identifier: MIT
// The inotify family: inotify_init, inotify_init1 (IN_NONBLOCK, IN_CLOEXEC),
// inotify_add_watch, inotify_rm_watch, and an instance's events, reads, polls and other
// calls.
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

// What one read returned: up to 16 events.
struct event {
    int wd;
    uint32_t mask, cookie, len;
    char name[NAME_MAX + 1];
};
struct events {
    int count;
    struct event e[16];
};

static char event_bytes[1 << 16] __attribute__((aligned(8)));

static void parse_events(ssize_t n, struct events *out) {
    memset(out, 0, sizeof *out);
    for (ssize_t at = 0; at < n && out->count < 16;) {
        const struct inotify_event *ev = (const struct inotify_event *)(event_bytes + at);
        struct event *e = &out->e[out->count++];
        e->wd = ev->wd, e->mask = ev->mask, e->cookie = ev->cookie, e->len = ev->len;
        if (ev->len)
            strncpy(e->name, ev->name, NAME_MAX);
        at += (ssize_t)(sizeof *ev + ev->len);
    }
}

// Reads the events queued now (`fd` is non-blocking, or has some).
static void read_events(int fd, struct events *out) {
    ssize_t n = read(fd, event_bytes, sizeof event_bytes);
    CHECK(n > 0);
    parse_events(n, out);
}

static void check_event(const struct event *e, int wd, uint32_t mask, const char *name) {
    CHECK_EQ(e->wd, wd);
    CHECK_EQ(e->mask, mask);
    CHECK_STR(e->name, name);
    // A name is NUL-padded to a multiple of the record's header.
    CHECK_EQ(e->len, name[0] ? (strlen(name) + 16) / 16 * 16 : 0);
}

TEST(inotify_init_flags) {
    int fd = CHECK_OK(syscall(SYS_inotify_init));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    close(fd);
    fd = CHECK_OK(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY | O_NONBLOCK);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    char bytes[64];
    CHECK_ERR(read(fd, bytes, sizeof bytes), EAGAIN); // nothing queued
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK_EQ(fcntl(fd, F_GETFL), O_RDONLY);
    close(fd);
    CHECK_ERR(inotify_init1(1), EINVAL);
    CHECK_ERR(inotify_init1(O_APPEND), EINVAL);
    CHECK_ERR(inotify_init1(IN_NONBLOCK | O_DIRECT), EINVAL);
}

TEST(inotify_file_events) {
    check_write_file("f", "x");
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(fd, "f", IN_ALL_EVENTS));
    CHECK(wd > 0);
    int f = CHECK_OK(open("f", O_WRONLY));
    CHECK_EQ(write(f, "yy", 2), 2);
    close(f);
    struct events ev;
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 3);
    check_event(&ev.e[0], wd, IN_OPEN, "");
    check_event(&ev.e[1], wd, IN_MODIFY, "");
    check_event(&ev.e[2], wd, IN_CLOSE_WRITE, "");
    char c;
    f = CHECK_OK(open("f", O_RDONLY));
    CHECK_EQ(read(f, &c, 1), 1);
    close(f);
    CHECK_OK(chmod("f", 0600));
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 4);
    check_event(&ev.e[0], wd, IN_OPEN, "");
    check_event(&ev.e[1], wd, IN_ACCESS, "");
    check_event(&ev.e[2], wd, IN_CLOSE_NOWRITE, "");
    check_event(&ev.e[3], wd, IN_ATTRIB, "");
    CHECK_ERR(read(fd, event_bytes, sizeof event_bytes), EAGAIN);
    close(fd);
}

TEST(inotify_directory_events) {
    CHECK_OK(mkdir("d", 0755));
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(
        fd, "d", IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR));
    check_write_file("d/a", "1");
    CHECK_OK(rename("d/a", "d/a_longer_name"));
    CHECK_OK(mkdir("d/sub", 0755));
    CHECK_OK(unlink("d/a_longer_name"));
    CHECK_OK(rmdir("d/sub"));
    struct events ev;
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 6);
    check_event(&ev.e[0], wd, IN_CREATE, "a");
    check_event(&ev.e[1], wd, IN_MOVED_FROM, "a");
    check_event(&ev.e[2], wd, IN_MOVED_TO, "a_longer_name");
    CHECK(ev.e[1].cookie != 0);
    CHECK_EQ(ev.e[2].cookie, ev.e[1].cookie);
    CHECK_EQ(ev.e[0].cookie, 0);
    check_event(&ev.e[3], wd, IN_CREATE | IN_ISDIR, "sub");
    check_event(&ev.e[4], wd, IN_DELETE, "a_longer_name");
    check_event(&ev.e[5], wd, IN_DELETE | IN_ISDIR, "sub");
    close(fd);
}

TEST(inotify_watches_and_ignored) {
    check_write_file("f", "");
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(fd, "f", IN_MODIFY));
    // The same object again: the same watch, its events replaced or added to.
    CHECK_EQ(inotify_add_watch(fd, "f", IN_ATTRIB), wd);
    CHECK_EQ(inotify_add_watch(fd, "f", IN_MODIFY | IN_MASK_ADD), wd);
    CHECK_ERR(inotify_add_watch(fd, "f", IN_ATTRIB | IN_MASK_CREATE), EEXIST);
    int other = CHECK_OK(inotify_add_watch(fd, ".", IN_CREATE));
    CHECK(other != wd);
    CHECK_OK(inotify_rm_watch(fd, wd));
    struct events ev;
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 1);
    check_event(&ev.e[0], wd, IN_IGNORED, "");
    CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);
    CHECK_ERR(inotify_rm_watch(fd, 12345), EINVAL);
    CHECK_ERR(inotify_rm_watch(fd, -1), EINVAL);
    // A deleted file: DELETE_SELF, then the watch goes.
    CHECK_OK(inotify_rm_watch(fd, other));
    read_events(fd, &ev);
    wd = CHECK_OK(inotify_add_watch(fd, "f", IN_DELETE_SELF));
    CHECK_OK(unlink("f"));
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 2);
    check_event(&ev.e[0], wd, IN_DELETE_SELF, "");
    check_event(&ev.e[1], wd, IN_IGNORED, "");
    close(fd);
}

TEST(inotify_oneshot) {
    check_write_file("f", "");
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(fd, "f", IN_MODIFY | IN_ONESHOT));
    int f = CHECK_OK(open("f", O_WRONLY));
    CHECK_EQ(write(f, "a", 1), 1);
    CHECK_EQ(write(f, "b", 1), 1);
    close(f);
    struct events ev;
    read_events(fd, &ev);
    CHECK_EQ(ev.count, 2);
    check_event(&ev.e[0], wd, IN_MODIFY, "");
    check_event(&ev.e[1], wd, IN_IGNORED, "");
    CHECK_ERR(inotify_rm_watch(fd, wd), EINVAL);
    close(fd);
}

TEST(inotify_add_watch_errors) {
    check_write_file("f", "");
    int fd = CHECK_OK(inotify_init1(0));
    int p[2];
    CHECK_OK(pipe(p));
    const uint32_t both = IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE;
    // The mask's bits first, then the descriptor, then ADD with CREATE, then the instance.
    CHECK_ERR(inotify_add_watch(-1, "f", 0), EINVAL);
    CHECK_ERR(inotify_add_watch(-1, "f", IN_MODIFY | 0x1000), EINVAL);
    CHECK_ERR(inotify_add_watch(-1, "f", IN_MODIFY), EBADF);
    CHECK_ERR(inotify_add_watch(999, "f", IN_MODIFY), EBADF);
    CHECK_ERR(inotify_add_watch(-1, "f", both), EBADF);
    CHECK_ERR(inotify_add_watch(fd, "f", both), EINVAL);
    CHECK_ERR(inotify_add_watch(p[0], "f", both), EINVAL);
    CHECK_ERR(inotify_add_watch(p[0], "f", IN_MODIFY), EINVAL);
    int path_only = CHECK_OK(open(".", O_PATH));
    CHECK_ERR(inotify_add_watch(path_only, "f", IN_MODIFY), EBADF);
    // Then the path.
    CHECK_ERR(inotify_add_watch(fd, BAD_PTR, IN_MODIFY), EFAULT);
    CHECK_ERR(inotify_add_watch(fd, "missing", IN_MODIFY), ENOENT);
    CHECK_ERR(inotify_add_watch(fd, "", IN_MODIFY), ENOENT);
    CHECK_ERR(inotify_add_watch(fd, "f/x", IN_MODIFY), ENOTDIR);
    CHECK_ERR(inotify_add_watch(fd, "f", IN_MODIFY | IN_ONLYDIR), ENOTDIR);
    CHECK_OK(symlink("f", "link"));
    CHECK_OK(symlink("missing", "dangling"));
    CHECK_ERR(inotify_add_watch(fd, "dangling", IN_MODIFY), ENOENT);
    int of_link = CHECK_OK(inotify_add_watch(fd, "dangling", IN_MODIFY | IN_DONT_FOLLOW));
    int of_file = CHECK_OK(inotify_add_watch(fd, "f", IN_MODIFY));
    CHECK(of_link != of_file);
    CHECK_EQ(inotify_add_watch(fd, "link", IN_MODIFY), of_file); // followed
    CHECK(inotify_add_watch(fd, "link", IN_MODIFY | IN_DONT_FOLLOW) != of_file);
    // inotify_rm_watch: the descriptor, the instance, then the watch.
    CHECK_ERR(inotify_rm_watch(-1, of_file), EBADF);
    CHECK_ERR(inotify_rm_watch(path_only, of_file), EBADF);
    CHECK_ERR(inotify_rm_watch(p[0], of_file), EINVAL);
    CHECK_OK(inotify_rm_watch(fd, of_file));
    close(path_only), close(p[0]), close(p[1]), close(fd);
}

TEST(inotify_reads) {
    CHECK_OK(mkdir("d", 0755));
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(fd, "d", IN_CREATE));
    int queued = -1;
    CHECK_OK(ioctl(fd, FIONREAD, &queued));
    CHECK_EQ(queued, 0);
    check_write_file("d/name1", "");
    CHECK_OK(ioctl(fd, FIONREAD, &queued));
    CHECK_EQ(queued, 32); // the header and the padded name
    CHECK_ERR(ioctl(fd, FIONREAD, BAD_PTR), EFAULT);
    // A buffer too small for the whole record takes nothing.
    CHECK_ERR(read(fd, event_bytes, 31), EINVAL);
    CHECK_ERR(read(fd, event_bytes, 0), EINVAL);
    CHECK_OK(ioctl(fd, FIONREAD, &queued));
    CHECK_EQ(queued, 32);
    check_write_file("d/name2", "");
    struct events ev;
    CHECK_EQ(read(fd, event_bytes, 32), 32); // one record at a time
    parse_events(32, &ev);
    check_event(&ev.e[0], wd, IN_CREATE, "name1");
    CHECK_EQ(read(fd, event_bytes, sizeof event_bytes), 32);
    parse_events(32, &ev);
    check_event(&ev.e[0], wd, IN_CREATE, "name2");
    // A bad buffer: EFAULT (the event is taken all the same).
    check_write_file("d/name3", "");
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, 64), EFAULT);
    // Not a file to write, seek or read at an offset.
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_ERR(pread(fd, event_bytes, 64, 0), ESPIPE);
    CHECK_EQ(lseek(fd, 5, SEEK_SET), 0);
    CHECK_ERR(fsync(fd), EINVAL);
    CHECK_ERR(ioctl(fd, TCGETS, event_bytes), ENOTTY);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode, 0600); // an anonymous inode: no file type
    char link[64] = "", name[32];
    snprintf(name, sizeof name, "/proc/self/fd/%d", fd);
    CHECK_OK(readlink(name, link, sizeof link - 1));
    CHECK_STR(link, "anon_inode:inotify");
    close(fd);
}

TEST(inotify_poll_select_epoll) {
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    CHECK_OK(inotify_add_watch(fd, ".", IN_CREATE));
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    CHECK_EQ(poll(&p, 1, 0), 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    struct timeval zero = {0, 0};
    CHECK_EQ(select(fd + 1, &r, NULL, NULL, &zero), 0);
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event item = {.events = EPOLLIN, .data.fd = fd}, out;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &item));
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    check_write_file("new", "");
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);
    FD_SET(fd, &r);
    CHECK_EQ(select(fd + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(fd, &r));
    CHECK_EQ(epoll_wait(ep, &out, 1, -1), 1);
    CHECK_EQ(out.events, EPOLLIN);
    CHECK_EQ(out.data.fd, fd);
    close(ep), close(fd);
}

// Each SIGALRM handled is counted and told to a child through a pipe.
static volatile sig_atomic_t alarms;
static int alarm_pipe[2];
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
    write(alarm_pipe[1], "a", 1);
}

// A child that makes the file `name` once the parent has handled a SIGALRM.
static pid_t make_after_alarm(const char *name) {
    CHECK_OK(pipe(alarm_pipe));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char c;
        close(alarm_pipe[1]);
        if (read(alarm_pipe[0], &c, 1) == 1)
            check_write_file(name, "");
        _exit(check_failure_count());
    }
    return pid; // the read end stays open here: later signals' bytes wait in the pipe
}

TEST(inotify_blocking_reads) {
    int fd = CHECK_OK(inotify_init1(0));
    int wd = CHECK_OK(inotify_add_watch(fd, ".", IN_CREATE));
    // A handled signal ends the wait.
    check_interrupts_start(20000, 0);
    CHECK_ERR(read(fd, event_bytes, sizeof event_bytes), EINTR);
    check_interrupts_stop();
    CHECK(check_interrupts() >= 1);
    // With SA_RESTART the read goes on, through signals, until another process's file
    // comes (made once a signal has come).
    struct sigaction action = {.sa_handler = on_alarm, .sa_flags = SA_RESTART}, old;
    sigemptyset(&action.sa_mask);
    CHECK_OK(sigaction(SIGALRM, &action, &old));
    alarms = 0;
    pid_t pid = make_after_alarm("late");
    struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
    CHECK_OK(setitimer(ITIMER_REAL, &every, NULL));
    ssize_t n = read(fd, event_bytes, sizeof event_bytes);
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    CHECK(n > 0);
    CHECK(alarms >= 1);
    struct events ev;
    parse_events(n, &ev);
    check_event(&ev.e[0], wd, IN_CREATE, "late");
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK_EQ(status, 0);
    CHECK_OK(sigaction(SIGALRM, &old, NULL));
    close(alarm_pipe[0]), close(alarm_pipe[1]);
    close(fd);
}

TEST(inotify_queue_overflow) {
    char text[32] = "";
    if (check_read_file("/proc/sys/fs/inotify/max_queued_events", text, sizeof text) <= 0)
        return;
    long max = atol(text);
    if (max <= 0 || max > 65536)
        return; // too many to make here
    check_write_file("f", "");
    int fd = CHECK_OK(inotify_init1(IN_NONBLOCK));
    CHECK_OK(inotify_add_watch(fd, "f", IN_OPEN | IN_CLOSE_NOWRITE));
    for (long i = 0; i < max / 2 + 1; i++)
        close(CHECK_OK(open("f", O_RDONLY)));
    // max events, then one IN_Q_OVERFLOW of no watch.
    long events = 0, overflows = 0;
    struct inotify_event last = {0};
    for (;;) {
        ssize_t n = read(fd, event_bytes, sizeof event_bytes);
        if (n < 0)
            break;
        for (ssize_t at = 0; at < n; events++) {
            memcpy(&last, event_bytes + at, sizeof last);
            overflows += (last.mask & IN_Q_OVERFLOW) != 0;
            at += (ssize_t)(sizeof last + last.len);
        }
    }
    CHECK_EQ(errno, EAGAIN);
    CHECK_EQ(events, max + 1);
    CHECK_EQ(overflows, 1);
    CHECK_EQ(last.mask, IN_Q_OVERFLOW);
    CHECK_EQ(last.wd, -1);
    close(fd);
}
