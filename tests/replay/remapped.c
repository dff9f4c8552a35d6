// SPDX-License-Identifier: MIT
// Maps a file again after changing it, each way a program can: with write(2) between two
// private mappings of one descriptor, and through a shared mapping (a change no system
// call carries). Prints what each mapping shows; a replay must print the same, so a
// recording must not take the second mapping's pages for the first's (the record
// extension reuses page hashes between mappings of one handle, extensions/record).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void show(const char *what, int fd) {
    char *map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        perror("mmap");
        _exit(1);
    }
    printf("%s: %.16s\n", what, map);
    munmap(map, 4096);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE (created)\n", argv[0]);
        return 2;
    }
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    char page[4096];
    memset(page, '.', sizeof page);
    memcpy(page, "first content...", 16);
    if (fd < 0 || write(fd, page, sizeof page) != (ssize_t)sizeof page)
        return 1;
    show("mapped", fd);
    show("mapped again", fd);
    if (pwrite(fd, "written by call.", 16, 0) != 16)
        return 1;
    show("after pwrite", fd);
    char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (shared == MAP_FAILED)
        return 1;
    show("shared made", fd);
    memcpy(shared, "written in place", 16);
    show("after a store", fd);
    return 0;
}
