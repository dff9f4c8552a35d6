// SPDX-License-Identifier: MIT
// Edge cases of the memory system calls, printed so a run under bascule can be compared
// with a native one: anonymous and file mappings (private and shared), protection
// faults, munmap, mprotect, madvise, brk.
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf recover;
static void on_segv(int sig) { siglongjmp(recover, sig); }

// Whether writing to p faults.
static int write_faults(volatile char *p) {
    if (sigsetjmp(recover, 1))
        return 1;
    *p = 1;
    return 0;
}

#define SHOW(what, expr)                                                                    \
    do {                                                                                    \
        errno = 0;                                                                          \
        long r_ = (long)(expr);                                                             \
        printf("%-36s -> %ld (%s)\n", what, r_, r_ < 0 ? strerror(errno) : "ok");          \
    } while (0)

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
    return 0;
}
