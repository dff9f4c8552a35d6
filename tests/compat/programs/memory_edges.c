// SPDX-License-Identifier: MIT
// Edge cases of the memory system calls, printed so a run under bascule can be compared
// with a native one: anonymous and file mappings (private and shared), protection
// faults, munmap, mprotect, madvise, msync, brk, and the program's own /proc/self/maps
// (only facts that do not depend on where things are placed).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "show.h"

static sigjmp_buf recover;
static void on_segv(int sig) { siglongjmp(recover, sig); }

// Whether writing to p faults.
static int write_faults(volatile char *p) {
    if (sigsetjmp(recover, 1))
        return 1;
    *p = 1;
    return 0;
}

int main(void);

// One line of /proc/self/maps.
struct MapLine {
    unsigned long start, end, offset, inode;
    unsigned major, minor;
    char perms[8], path[PATH_MAX];
    int path_column; // where the path starts, or -1
};

static int parse_line(const char *line, struct MapLine *m) {
    int prefix = 0;
    m->path[0] = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &m->start, &m->end, m->perms, &m->offset,
               &m->major, &m->minor, &m->inode, &prefix) != 7)
        return 0;
    m->path_column = line[prefix] && line[prefix] != '\n' ? prefix : -1;
    if (m->path_column >= 0)
        sscanf(line + prefix, "%4095[^\n]", m->path);
    return 1;
}

// The line of `path` (a maps file) that holds address p; 0 if none does.
static int find_in(const char *path, const void *p, struct MapLine *out) {
    FILE *f = fopen(path, "r");
    char line[PATH_MAX + 128];
    int found = 0;
    while (!found && f && fgets(line, sizeof line, f))
        found = parse_line(line, out) && out->start <= (unsigned long)p &&
                (unsigned long)p < out->end;
    if (f)
        fclose(f);
    return found;
}

static int find_mapping(const void *p, struct MapLine *out) {
    return find_in("/proc/self/maps", p, out);
}

// Prints what the line holding p says, relative to `base` (in pages).
static void show_mapping(const char *what, const void *p, const void *base, long page) {
    struct MapLine m;
    if (!find_mapping(p, &m)) {
        printf("%-36s -> not mapped\n", what);
        return;
    }
    if (m.path[0] == '[') { // the stack and the heap: their extent is the kernel's business
        printf("%-36s -> %s %s\n", what, m.perms, m.path);
        return;
    }
    const char *slash = strrchr(m.path, '/');
    printf("%-36s -> pages %ld..%ld %s offset %lx %s\n", what,
           ((long)m.start - (long)base) / page, ((long)m.end - (long)base) / page, m.perms,
           m.offset, slash ? slash + 1 : m.path[0] ? m.path : "-");
}

// Every line has the kernel's shape: names start in column 73, addresses are ordered.
static void check_format(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[PATH_MAX + 128];
    int lines = 0, good = 0;
    unsigned long last_end = 0;
    struct MapLine m;
    while (fgets(line, sizeof line, f)) {
        lines++;
        good += parse_line(line, &m) && m.start < m.end && m.start >= last_end &&
                strlen(m.perms) == 4 && (m.path_column == -1 || m.path_column == 73) &&
                line[strlen(line) - 1] == '\n';
        last_end = m.end;
    }
    fclose(f);
    printf("maps lines well formed: %d\n", lines > 5 && good == lines);
}

// Reading the maps file in small pieces gives what one large read gives.
static void check_reads(void) {
    static char whole[1 << 16], pieces[1 << 16];
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n = 0, total = 0;
    while ((n = read(fd, pieces + total, 7)) > 0)
        total += n;
    close(fd);
    fd = open("/proc/self/maps", O_RDONLY);
    ssize_t once = read(fd, whole, sizeof whole);
    struct stat st;
    fstat(fd, &st);
    printf("maps read in pieces equals one read: %d\n", once == total && !memcmp(whole, pieces, total));
    printf("maps is a regular file of size 0, mode %o: %d\n", st.st_mode & 07777,
           S_ISREG(st.st_mode) && st.st_size == 0);
    printf("maps pread at 4: %d\n", pread(fd, pieces, 4, 4) == 4 && !memcmp(pieces, whole + 4, 4));
    printf("maps lseek to 0: %ld\n", (long)lseek(fd, 0, SEEK_SET));
    close(fd);
    char other[64];
    struct MapLine m;
    snprintf(other, sizeof other, "/proc/%d/maps", getpid());
    printf("/proc/PID/maps holds main: %d\n", find_in(other, (void *)main, &m));
    printf("/proc/thread-self/maps holds main: %d\n", find_in("/proc/thread-self/maps", (void *)main, &m));
}

static void check_maps(long page) {
    char *guard = mmap(0, 6 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *a = mmap(guard + page, 4 * page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    show_mapping("fresh 4-page mapping", a, a, page);
    show_mapping("the guard before it", a - page, a, page);
    munmap(a + page, page);
    show_mapping("after munmap of page 1: page 0", a, a, page);
    show_mapping("page 1", a + page, a, page);
    show_mapping("pages 2-3", a + 2 * page, a, page);
    mprotect(a + 3 * page, page, PROT_READ);
    show_mapping("after mprotect of page 3: page 2", a + 2 * page, a, page);
    show_mapping("page 3", a + 3 * page, a, page);
    mprotect(a + 3 * page, page, PROT_READ | PROT_WRITE);
    show_mapping("mprotect back merges: page 2", a + 2 * page, a, page);
    SHOW("mprotect over the hole", mprotect(a, 3 * page, PROT_READ));
    SHOW("madvise over the hole", madvise(a, 3 * page, MADV_DONTNEED));
    SHOW("msync over the hole", msync(a, 3 * page, MS_SYNC));
    SHOW("msync MS_SYNC|MS_ASYNC", msync(a, page, MS_SYNC | MS_ASYNC));
    SHOW("madvise unknown advice", madvise(a, page, 12345));
    SHOW("mprotect bad bits", mprotect(a, page, 0x100));
    munmap(guard, 6 * page);
    show_mapping("after munmap of everything", a, a, page);

    char *shared_anon = mmap(0, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    show_mapping("shared anonymous", shared_anon, shared_anon, page);
    munmap(shared_anon, page);

    int fd = open("maps.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 3 * page);
    char *file = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
    show_mapping("shared file mapping at offset 1", file, file, page);
    struct MapLine m;
    struct stat st;
    fstat(fd, &st);
    find_mapping(file, &m);
    printf("its device and inode are the file's: %d\n", makedev(m.major, m.minor) == st.st_dev && m.inode == st.st_ino);
    char real[PATH_MAX];
    printf("its path is the file's real path: %d\n", realpath("maps.bin", real) && !strcmp(real, m.path));
    char *private = mmap(0, page, PROT_READ, MAP_PRIVATE, fd, 2 * page);
    show_mapping("private read-only file mapping", private, private, page);
    close(fd);
    show_mapping("still there after close", file, file, page);
    fd = open("gone.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, page);
    unlink("gone.bin");
    char *gone = mmap(0, page, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    show_mapping("a file unlinked before its mmap", gone, gone, page);

    int local = 0;
    show_mapping("a local variable", &local, &local, page);
    char *brk_end = sbrk(0);
    sbrk(page);
    show_mapping("the break", brk_end, brk_end, page);
    sbrk(-page);
    find_mapping((void *)main, &m);
    printf("main is in an executable mapping of /proc/self/exe: %d\n",
           m.perms[2] == 'x' && realpath("/proc/self/exe", real) && !strcmp(real, m.path));
    find_mapping((void *)printf, &m);
    printf("printf is in libc: %d\n", strstr(m.path, "/libc.so") != NULL);
    check_format();
    check_reads();
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    signal(SIGSEGV, on_segv);
    long page = sysconf(_SC_PAGESIZE);
    char *a = mmap(0, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("anonymous mapping", a == MAP_FAILED ? -1 : 0);
    SHOW("zero filled", a[0] + a[4 * page - 1]);
    memset(a, 7, 4 * page);
    SHOW("mprotect read-only", mprotect(a + page, page, PROT_READ));
    SHOW("write to read-only faults", write_faults(a + page));
    SHOW("write next to it works", write_faults(a + 2 * page));
    SHOW("madvise DONTNEED", madvise(a + 2 * page, page, MADV_DONTNEED));
    SHOW("after DONTNEED reads zero", a[2 * page]);
    SHOW("munmap a page", munmap(a + 3 * page, page));
    SHOW("unmapped page faults", write_faults(a + 3 * page));
    SHOW("munmap unaligned", munmap(a + 1, page));
    SHOW("mmap length 0", mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
    SHOW("mmap bad fd", mmap(0, page, PROT_READ, MAP_PRIVATE, 999, 0) == MAP_FAILED ? -1 : 0);

    int fd = open("mapped.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    SHOW("ftruncate", ftruncate(fd, 2 * page));
    char *shared = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *private = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    memcpy(shared, "shared", 6);
    memcpy(private + page, "private", 7);
    SHOW("msync", msync(shared, 2 * page, MS_SYNC));
    char buf[8] = {0};
    pread(fd, buf, 6, 0);
    printf("file sees the shared write: %s\n", buf);
    pread(fd, buf, 7, page);
    printf("file does not see the private write: %d\n", buf[0] == 0);
    printf("private mapping sees the shared write: %.6s\n", private);
    close(fd);

    char *brk0 = sbrk(0);
    SHOW("sbrk grows", sbrk(3 * page) == (void *)-1 ? -1 : 0);
    brk0[3 * page - 1] = 5;
    SHOW("new break is usable", brk0[3 * page - 1]);
    SHOW("sbrk shrinks", sbrk(-2 * page) == (void *)-1 ? -1 : 0);
    check_maps(page);
    return 0;
}
