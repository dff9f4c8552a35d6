// SPDX-License-Identifier: MIT
// A checkpoint test workload: appends to a file it holds open.
//   appender FILE LINES INTERVAL_MS
// Opens FILE with O_APPEND and writes "line N" LINES times, INTERVAL_MS apart, printing
// "wrote N" on stdout after each.
#include <fcntl.h>
#include "hold.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE LINES INTERVAL_MS\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    int lines = atoi(argv[2]);
    long interval_ms = atol(argv[3]);
    for (int n = 1; n <= lines; n++) {
        char text[32];
        int length = snprintf(text, sizeof text, "line %d\n", n);
        if (write(fd, text, (size_t)length) != length) {
            perror("write");
            return 1;
        }
        printf("wrote %d\n", n);
        fflush(stdout);
        hold(n);
        struct timespec pause = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        nanosleep(&pause, NULL);
    }
    return close(fd) != 0;
}
