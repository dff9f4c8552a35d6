// SPDX-License-Identifier: MIT
// Maps a one-page file privately over four pages, as a dynamic loader reserves a library's
// whole span before it maps the segments: the three pages past the file's end are never
// touched (touching them raises SIGBUS). Then ticks, reading the first page, so that a
// capture finds the mapping in place.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hold.h"

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    int ticks = atoi(argv[2]);
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    char page[4096];
    memset(page, 'x', sizeof page);
    memcpy(page, "the first page", 14);
    if (fd < 0 || write(fd, page, sizeof page) != (ssize_t)sizeof page)
        return 1;
    char *map = mmap(NULL, 4 * sizeof page, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return 1;
    for (int tick = 1; tick <= ticks; tick++) {
        printf("tick %d: %.14s\n", tick, map);
        fflush(stdout);
        hold(tick);
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return 0;
}
