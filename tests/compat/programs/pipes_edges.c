// SPDX-License-Identifier: MIT
// Edge cases of pipes and of waiting for descriptors, printed so a run under bascule can
// be compared with a native one: pipe2 flags, non-blocking ends, the capacity, short and
// partial transfers, end of file, poll/ppoll/select/pselect timeouts and readiness, EPIPE
// with SIGPIPE ignored and handled, and death by SIGPIPE's default action (the shell sees
// 128+13).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "show.h"

static char block[100000];

// poll on one descriptor: the result, and revents in hex.
static void show_poll(const char *what, int fd, short events, int timeout_ms) {
    struct pollfd p = {fd, events, 0};
    errno = 0;
    int n = poll(&p, 1, timeout_ms);
    printf("%-40s -> %d revents %#x (%s)\n", what, n, (unsigned)p.revents,
           n < 0 ? strerror(errno) : "ok");
}

static void flag_cases(void) {
    int p[2];
    SHOW("pipe2 with O_APPEND", pipe2(p, O_APPEND));
    SHOW("pipe2 bad pointer", syscall(SYS_pipe2, 8, 0));
    SHOW("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
    printf("both ends close-on-exec: %d\n",
           fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
    printf("access modes: read end %d, write end %d\n", fcntl(p[0], F_GETFL) & O_ACCMODE,
           fcntl(p[1], F_GETFL) & O_ACCMODE);
    SHOW("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    int null = open("/dev/null", O_RDONLY);
    SHOW("F_GETPIPE_SZ on /dev/null", fcntl(null, F_GETPIPE_SZ));
    close(null);
    SHOW("lseek on a pipe", lseek(p[0], 0, SEEK_SET));
    SHOW("write to the read end", write(p[0], "x", 1));
    SHOW("read from the write end", read(p[1], block, 1));
    close(p[0]);
    close(p[1]);
}

static void nonblocking_cases(void) {
    int p[2];
    char buf[128];
    SHOW("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
    printf("O_NONBLOCK in F_GETFL: %d\n", !!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    SHOW("read an empty non-blocking pipe", read(p[0], buf, sizeof buf));
    SHOW("write more than the capacity", write(p[1], block, sizeof block));
    SHOW("write to a full pipe", write(p[1], "x", 1));
    show_poll("poll a full pipe for writing", p[1], POLLOUT, 0);
    int queued = 0;
    ioctl(p[0], FIONREAD, &queued);
    printf("FIONREAD: %d\n", queued);
    SHOW("short read", read(p[0], buf, 100));
    close(p[0]);
    close(p[1]);
    SHOW("pipe", pipe(p));
    SHOW("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
    SHOW("read it", read(p[0], buf, sizeof buf));
    SHOW("write 3", write(p[1], "abc", 3));
    SHOW("read up to 128 gets 3", read(p[0], buf, sizeof buf));
    close(p[1]);
    SHOW("read after the writer closed", read(p[0], buf, sizeof buf));
    close(p[0]);
}

static void poll_cases(void) {
    int p[2];
    char c;
    pipe(p);
    show_poll("poll empty, 20 ms", p[0], POLLIN, 20);
    show_poll("poll the write end", p[1], POLLOUT, 0);
    write(p[1], "x", 1);
    show_poll("poll with data", p[0], POLLIN, 1000);
    struct pollfd two[3] = {{p[0], POLLIN, 0}, {-1, POLLIN, 0}, {p[1], POLLOUT, 0}};
    SHOW("poll three, one negative", poll(two, 3, 0));
    printf("revents %#x %#x %#x\n", (unsigned)two[0].revents, (unsigned)two[1].revents,
           (unsigned)two[2].revents);
    show_poll("poll a closed descriptor", 99, POLLIN, 0);
    SHOW("poll more than RLIMIT_NOFILE", syscall(SYS_poll, two, 100000, 0));
    struct timespec twenty = {0, 20000000}, bad = {0, -1};
    read(p[0], &c, 1);
    struct pollfd in = {p[0], POLLIN, 0};
    SHOW("ppoll empty, 20 ms", ppoll(&in, 1, &twenty, NULL));
    SHOW("ppoll bad timeout", ppoll(&in, 1, &bad, NULL));
    close(p[1]);
    show_poll("poll the reader, writer gone", p[0], POLLIN, 0);
    pipe(p);
    close(p[0]);
    show_poll("poll the writer, reader gone", p[1], POLLOUT, 0);
    close(p[1]);
}

static void select_cases(void) {
    int p[2];
    fd_set r, w;
    pipe(p);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {0, 20000};
    SHOW("select empty, 20 ms", select(p[0] + 1, &r, NULL, NULL, &tv));
    printf("timeout left: %ld.%06ld, still set: %d\n", (long)tv.tv_sec, (long)tv.tv_usec,
           FD_ISSET(p[0], &r));
    write(p[1], "x", 1);
    FD_SET(p[0], &r);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    tv = (struct timeval){5, 0};
    SHOW("select with data", select(p[1] + 1, &r, &w, NULL, &tv));
    printf("readable %d, writable %d, time left over 4 s: %d\n", FD_ISSET(p[0], &r),
           FD_ISSET(p[1], &w), tv.tv_sec >= 4);
    FD_ZERO(&r);
    FD_SET(40, &r);
    SHOW("select a closed descriptor", select(41, &r, NULL, NULL, NULL));
    SHOW("select negative nfds", select(-1, NULL, NULL, NULL, NULL));
    tv = (struct timeval){0, -1};
    SHOW("select bad timeout", select(0, NULL, NULL, NULL, &tv));
    struct timespec twenty = {0, 20000000};
    FD_ZERO(&w);
    SHOW("pselect nothing, 20 ms", pselect(0, NULL, NULL, NULL, &twenty, NULL));
    close(p[0]);
    close(p[1]);
}

static volatile int sigpipes;
static void on_sigpipe(int sig) {
    (void)sig;
    sigpipes++;
}

static void broken_pipe_cases(void) {
    int p[2];
    pipe(p);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    SHOW("write, no reader, SIGPIPE ignored", write(p[1], "x", 1));
    signal(SIGPIPE, on_sigpipe);
    SHOW("write, no reader, SIGPIPE handled", write(p[1], "x", 1));
    printf("SIGPIPE handler ran: %d\n", sigpipes);
    signal(SIGPIPE, SIG_DFL);
    write(p[1], "x", 1);
    printf("not reached\n");
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    flag_cases();
    nonblocking_cases();
    poll_cases();
    select_cases();
    broken_pipe_cases();
    return 0;
}
