// SPDX-License-Identifier: MIT
// A checkpoint test workload: bytes waiting in a pipe, and the process's own pid, across a
// capture. Writes a message into a pipe it holds both ends of, ticks TICKS times
// INTERVAL_MS apart, then reads the message back and says whether getpid() still answers
// what it did at the start.
//   pipe_holder TICKS INTERVAL_MS
#include "hold.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s TICKS INTERVAL_MS\n", argv[0]);
        return 2;
    }
    int ticks = atoi(argv[1]);
    long interval_ms = atol(argv[2]);
    pid_t pid = getpid();
    int ends[2];
    const char message[] = "written before the capture, read after it";
    if (pipe(ends) != 0 || write(ends[1], message, sizeof message) != sizeof message) {
        perror("pipe");
        return 1;
    }
    printf("wrote %zu bytes into the pipe\n", sizeof message);
    fflush(stdout);
    for (int tick = 1; tick <= ticks; tick++) {
        struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
        printf("tick %d\n", tick);
        fflush(stdout);
        hold(tick);
    }
    char back[sizeof message] = "";
    ssize_t got = read(ends[0], back, sizeof back);
    printf("read %zd bytes: %s\n", got, got == sizeof message ? back : "(wrong)");
    printf("pid unchanged: %s\n", getpid() == pid ? "yes" : "no");
    return 0;
}
