// SPDX-License-Identifier: MIT
// Two children spin on a system call the LibOS answers without a downcall (getppid), so a
// recording lets them take turns only at switch points, then each writes a line and ends;
// the parent waits for both. A child's last turn begins at a switch point and ends at its
// write with nothing recorded in between: the replay must find that turn (TurnEvent).
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void spin_then_write(int child, long spins) {
    for (long i = 0; i < spins; i++)
        syscall(SYS_getppid);
    char line[64];
    int length = snprintf(line, sizeof line, "child %d spun %ld times\n", child, spins);
    if (write(STDOUT_FILENO, line, (size_t)length) != length)
        _exit(1);
    _exit(0);
}

int main(void) {
    for (int child = 0; child < 2; child++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0)
            spin_then_write(child, 1000 + 3 * child);
    }
    int status, ended = 0;
    while (wait(&status) > 0)
        ended += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("%d children ended\n", ended);
    return ended == 2 ? 0 : 1;
}
