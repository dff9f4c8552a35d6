// SPDX-License-Identifier: MIT
// A small tree for checkpoint.process_tree: a parent with a child blocked before reading
// a pipe that holds bytes, two children that have ended and are not yet waited for
// (zombies: one exited, one killed by SIGTERM), and a grandchild. With HOLD_AT=1 the tree waits at tick 1 (hold.h) until released; then the
// parent writes more. The children report through their exit statuses what they saw
// (their parent's pid, the bytes read), so only the parent prints, in one order.
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hold.h"

enum { kFirstWrite = 1000, kSecondWrite = 500 };

// The grandchild: 5 if its parent is still the reader (and not the first process).
static int grandchild(pid_t reader, pid_t first) {
    hold(1);
    return getppid() == reader && getppid() != first ? 5 : 6;
}

// The reader: 7 if it read every byte, its parent is still the first process and its own
// child ended with 5.
static int reader(int in, pid_t first) {
    pid_t self = getpid();
    pid_t child = fork();
    if (child == 0)
        return grandchild(self, first);
    hold(1);
    long total = 0;
    char buffer[4096];
    for (ssize_t n; (n = read(in, buffer, sizeof buffer)) > 0;)
        total += n;
    int status;
    bool child_ok = waitpid(child, &status, 0) == child && WEXITSTATUS(status) == 5;
    return total == kFirstWrite + kSecondWrite && getppid() == first && child_ok ? 7 : 8;
}

int main(void) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return 1;
    pid_t self = getpid();
    pid_t reading = fork();
    if (reading == 0) {
        close(pipe_fds[1]);
        return reader(pipe_fds[0], self);
    }
    close(pipe_fds[0]);
    pid_t ended = fork();
    if (ended == 0)
        return 3;
    pid_t killed = fork();
    if (killed == 0)
        for (;;)
            pause();
    kill(killed, SIGTERM);
    siginfo_t info;
    waitid(P_PID, ended, &info, WEXITED | WNOWAIT); // they have ended: zombies now
    waitid(P_PID, killed, &info, WEXITED | WNOWAIT);
    char bytes[kFirstWrite];
    memset(bytes, 'x', sizeof bytes);
    write(pipe_fds[1], bytes, kFirstWrite);
    printf("tick 1: %d bytes in the pipe, two children ended\n", kFirstWrite);
    fflush(stdout);
    hold(1);
    write(pipe_fds[1], bytes, kSecondWrite);
    close(pipe_fds[1]);
    int reader_status, ended_status, killed_status;
    pid_t reader_waited = waitpid(reading, &reader_status, 0);
    pid_t ended_waited = waitpid(ended, &ended_status, 0);
    pid_t killed_waited = waitpid(killed, &killed_status, 0);
    printf("the reader: waited %d, exit %d\n", reader_waited == reading,
           WEXITSTATUS(reader_status));
    printf("the ended child: waited %d, exit %d\n", ended_waited == ended,
           WEXITSTATUS(ended_status));
    printf("the killed child: waited %d, signal %d\n", killed_waited == killed,
           WIFSIGNALED(killed_status) ? WTERMSIG(killed_status) : 0);
    printf("no more children: %d\n", waitpid(-1, &ended_status, 0) == -1);
    return 0;
}
