// SPDX-License-Identifier: MIT
// A parent that reaps a child, for checkpoint.reaped_child: the child exits with 42; with
// HOLD_AT=1 the parent waits at tick 1 (hold.h) before it waits for it, so the test knows
// the child has ended and can catch the parent between the reap and the handle's release.
// Then it forks and waits for another child, and finds none left.
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hold.h"

// Forks a child that exits with `code`; its pid.
static pid_t child_exiting(int code) {
    pid_t child = fork();
    if (child == 0)
        _exit(code);
    return child;
}

// Waits for child `expected` and says what came back.
static void reap(const char *which, pid_t expected) {
    int status = 0;
    pid_t got = waitpid(expected, &status, 0);
    printf("%s: %s, exit status %d\n", which, got == expected ? "reaped" : "another or none",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void) {
    pid_t first = child_exiting(42);
    printf("forked\n");
    fflush(stdout);
    hold(1);
    reap("first", first);
    reap("second", child_exiting(7));
    int status;
    printf("then: %s\n", waitpid(-1, &status, 0) < 0 && errno == ECHILD ? "no child" : "a child");
    return 0;
}
