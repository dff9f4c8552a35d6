// SPDX-License-Identifier: MIT
// The memory family: mmap, munmap, mprotect, mremap, madvise, msync, brk; memory locking
// (MAP_LOCKED, mlock, mlock2, munlock, mlockall, munlockall, RLIMIT_MEMLOCK, VmLck) and
// mincore.
#include "check.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096L

// Whether every page of [addr, addr + len) is mapped: madvise answers ENOMEM for a hole.
static int mapped(void *addr, long len) { return madvise(addr, len, MADV_NORMAL) == 0; }

static char *anon(long pages, int prot) {
    char *p = mmap(NULL, pages * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    return p;
}

// The permissions and name /proc/self/maps shows for the mapping that contains addr.
static void maps_line(void *addr, char perms[5], char *name, size_t name_size) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    perms[0] = name[0] = 0;
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        int used = 0;
        if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &start, &end, perms, &used) < 3)
            continue;
        if ((unsigned long)addr >= start && (unsigned long)addr < end) {
            snprintf(name, name_size, "%s", line + used);
            name[strcspn(name, "\n")] = 0;
            fclose(maps);
            return;
        }
    }
    perms[0] = 0;
    if (maps)
        fclose(maps);
}

static int file_of(long pages) {
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_OK(ftruncate(fd, pages * PG));
    return fd;
}

TEST(mmap_anonymous_and_file) {
    char *p = anon(2, PROT_READ | PROT_WRITE);
    CHECK_EQ(p[5000], 0);
    p[5000] = 7;
    CHECK_EQ(p[5000], 7);
    CHECK_OK(munmap(p, 2 * PG));
    CHECK(!mapped(p, PG));
    int fd = file_of(1);
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    memcpy(s, "shared", 6);
    char buf[6];
    CHECK_EQ(pread(fd, buf, 6, 0), 6);
    CHECK_MEM(buf, "shared", 6);
    munmap(s, PG);
    close(fd);
}

TEST(mmap_edges) {
    int fd = file_of(1);
    int rofd = open("data", O_RDONLY), wofd = open("data", O_WRONLY);
    CHECK_ERR(syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE, -1, 0), EBADF); // fd first
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
    int path_fd = CHECK_OK(open("data", O_PATH)); // names the file, maps nothing
    CHECK_ERR(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, path_fd, 0), EBADF);
    close(path_fd);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, -1L, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0), EINVAL);
    FILE *pool = fopen("/proc/sys/vm/nr_hugepages", "r");
    int huge_pages = -1;
    if (pool && fscanf(pool, "%d", &huge_pages) == 1 && huge_pages == 0) // none reserved
        CHECK_ERR(syscall(SYS_mmap, 0, 2 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
                          MAP_HUGETLB, -1, 0),
                  ENOMEM);
    if (pool)
        fclose(pool);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0),
              EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0),
              EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1,
                      0),
              EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, PG + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                      -1, 0),
              EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rofd, 0), EACCES);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, wofd, 0), EACCES);
    char *ok = mmap(NULL, PG, PROT_READ, MAP_SHARED, rofd, 0);
    CHECK(ok != MAP_FAILED);
    CHECK_ERR(syscall(SYS_mmap, ok, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
                      MAP_FIXED_NOREPLACE, -1, 0),
              EEXIST);
    munmap(ok, PG);
    int dir = open(".", O_RDONLY), p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, p[0], 0), ENODEV);
    close(dir), close(p[0]), close(p[1]), close(fd), close(rofd), close(wofd);
}

TEST(munmap_edges) {
    char *p = anon(2, PROT_READ);
    CHECK_ERR(munmap(p, 0), EINVAL);
    CHECK_ERR(munmap(p + 1, PG), EINVAL);
    CHECK_ERR(munmap((void *)-PG, 2 * PG), EINVAL);
    CHECK_ERR(munmap((void *)0x800000000000, PG), EINVAL);
    CHECK_OK(munmap(p + PG, PG));
    CHECK_OK(munmap(p, 2 * PG)); // a range with nothing left in part of it
    CHECK(!mapped(p, PG));
}

TEST(mprotect_normal_and_edges) {
    char *p = anon(3, PROT_READ | PROT_WRITE);
    char perms[5], name[256];
    CHECK_OK(mprotect(p, PG, PROT_READ));
    maps_line(p, perms, name, sizeof name);
    CHECK_STR(perms, "r--p");
    maps_line(p + PG, perms, name, sizeof name);
    CHECK_STR(perms, "rw-p");
    CHECK_ERR(mprotect(p + 1, PG, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p, PG, PROT_READ | 0x100), EINVAL);
    CHECK_ERR(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
    // A mapping that does not grow down.
    CHECK_ERR(mprotect(p, PG, PROT_READ | PROT_GROWSDOWN), EINVAL);
    CHECK_OK(mprotect(p, 0, PROT_READ));
    // Over a hole: the mapped prefix changes, then ENOMEM.
    CHECK_OK(munmap(p + 2 * PG, PG));
    CHECK_ERR(mprotect(p, 3 * PG, PROT_NONE), ENOMEM);
    maps_line(p, perms, name, sizeof name);
    CHECK_STR(perms, "---p");
    maps_line(p + PG, perms, name, sizeof name);
    CHECK_STR(perms, "---p");
    CHECK_ERR(mprotect(p + 2 * PG, PG, PROT_READ), ENOMEM);
    munmap(p, 2 * PG);
}

TEST(madvise_dontneed_over_a_hole) {
    char *p = anon(3, PROT_READ | PROT_WRITE);
    p[0] = 1, p[2 * PG] = 3;
    CHECK_OK(munmap(p + PG, PG));
    // Linux zeroes every mapped page of the range, then reports the hole.
    CHECK_ERR(madvise(p, 3 * PG, MADV_DONTNEED), ENOMEM);
    CHECK_EQ(p[0], 0);
    CHECK_EQ(p[2 * PG], 0);
    p[0] = 1;
    CHECK_OK(madvise(p, PG, MADV_DONTNEED));
    CHECK_EQ(p[0], 0);
    munmap(p, 3 * PG);
}

TEST(madvise_advice_by_kind) {
    int fd = file_of(1);
    CHECK_EQ(pwrite(fd, "F", 1, 0), 1);
    char *a = anon(1, PROT_READ | PROT_WRITE), *ro = anon(1, PROT_READ), *none = anon(1, PROT_NONE);
    char *fp = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *sa = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(fp != MAP_FAILED && sa != MAP_FAILED);
    // MADV_DONTNEED: a private file page reads the file again, shared memory keeps its own.
    fp[0] = 'x', sa[0] = 's';
    CHECK_OK(madvise(fp, PG, MADV_DONTNEED));
    CHECK_EQ(fp[0], 'F');
    CHECK_OK(madvise(sa, PG, MADV_DONTNEED));
    CHECK_EQ(sa[0], 's');
    // MADV_REMOVE: shared anonymous memory only, among these.
    CHECK_ERR(madvise(a, PG, MADV_REMOVE), EINVAL);
    CHECK_ERR(madvise(fp, PG, MADV_REMOVE), EACCES);
    CHECK_OK(madvise(sa, PG, MADV_REMOVE));
    CHECK_EQ(sa[0], 0);
    // MADV_FREE and MADV_WIPEONFORK: private anonymous memory only.
    CHECK_OK(madvise(a, PG, MADV_FREE));
    CHECK_OK(madvise(ro, PG, MADV_FREE));
    CHECK_ERR(madvise(fp, PG, MADV_FREE), EINVAL);
    CHECK_ERR(madvise(sa, PG, MADV_FREE), EINVAL);
    CHECK_OK(madvise(a, PG, MADV_WIPEONFORK));
    CHECK_ERR(madvise(sa, PG, MADV_WIPEONFORK), EINVAL);
    CHECK_OK(madvise(a, PG, MADV_KEEPONFORK));
    // Populating needs the access it populates for.
    CHECK_OK(madvise(ro, PG, MADV_POPULATE_READ));
    CHECK_ERR(madvise(none, PG, MADV_POPULATE_READ), EINVAL);
    CHECK_ERR(madvise(ro, PG, MADV_POPULATE_WRITE), EINVAL);
    CHECK_OK(madvise(a, PG, MADV_POPULATE_WRITE));
    // Advice only.
    int advice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTFORK,
                    MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
                    MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_COLD, MADV_PAGEOUT};
    for (unsigned i = 0; i < sizeof advice / sizeof advice[0]; i++) {
        CHECK_OK(madvise(a, PG, advice[i]));
        CHECK_OK(madvise(fp, PG, advice[i]));
    }
    munmap(a, PG), munmap(ro, PG), munmap(none, PG), munmap(fp, PG), munmap(sa, PG);
    close(fd);
}

TEST(madvise_edges) {
    char *a = anon(1, PROT_READ | PROT_WRITE);
    CHECK_ERR(madvise(a, PG, 5), EINVAL);
    CHECK_ERR(madvise(a, PG, 7), EINVAL);
    CHECK_ERR(madvise(a, PG, 999), EINVAL);
    CHECK_ERR(madvise(a, 0, 999), EINVAL);
    CHECK_ERR(madvise(a + 1, PG, MADV_NORMAL), EINVAL);
    CHECK_ERR(madvise(a, -1L, MADV_NORMAL), EINVAL);
    CHECK_OK(madvise(a, 0, MADV_NORMAL));
    munmap(a, PG);
    CHECK_ERR(madvise(a, PG, MADV_NORMAL), ENOMEM);
    CHECK_ERR(madvise(a, PG, MADV_DONTNEED), ENOMEM);
}

TEST(msync_normal_and_edges) {
    int fd = file_of(1);
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    s[0] = 'm';
    CHECK_OK(msync(s, PG, MS_SYNC));
    CHECK_OK(msync(s, PG, MS_ASYNC | MS_INVALIDATE));
    CHECK_OK(msync(s, 0, MS_SYNC));
    CHECK_ERR(msync(s, PG, MS_ASYNC | MS_SYNC), EINVAL);
    CHECK_ERR(msync(s, PG, 8), EINVAL);
    CHECK_ERR(msync(s + 1, PG, MS_SYNC), EINVAL);
    munmap(s, PG);
    CHECK_ERR(msync(s, PG, MS_SYNC), ENOMEM);
    close(fd);
}

// Whether the page at `p` is dirty in the page cache: its frame from /proc/self/pagemap,
// its flags from /proc/kpageflags (KPF_DIRTY, bit 4); -1 where they cannot be read
// (without CAP_SYS_ADMIN the frame numbers read 0).
static int page_dirty(const void *p) {
    int pagemap = open("/proc/self/pagemap", O_RDONLY);
    uint64_t entry = 0, flags = 0;
    int read_entry = pagemap >= 0 && pread(pagemap, &entry, 8, (off_t)((uintptr_t)p / PG * 8)) == 8;
    if (pagemap >= 0)
        close(pagemap);
    uint64_t frame = entry & ((1ull << 55) - 1);
    if (!read_entry || !frame)
        return -1;
    int kpageflags = open("/proc/kpageflags", O_RDONLY);
    int read_flags = kpageflags >= 0 && pread(kpageflags, &flags, 8, (off_t)(frame * 8)) == 8;
    if (kpageflags >= 0)
        close(kpageflags);
    return read_flags ? (int)((flags >> 4) & 1) : -1;
}

// MS_SYNC writes a shared file mapping's changed page back (it is clean after), and
// across a hole stops at it; MS_ASYNC leaves it to the kernel.
TEST(msync_writes_back) {
    int fd = file_of(2);
    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED);
    s[0] = 'w';
    s[PG] = 'w';
    CHECK_OK(msync(s, 2 * PG, MS_SYNC));
    int dirty = page_dirty(s);
    if (dirty >= 0) {
        CHECK_EQ(dirty, 0);
        CHECK_EQ(page_dirty(s + PG), 0);
        s[PG] = 'x';
        CHECK_OK(msync(s + PG, PG, MS_ASYNC));
        CHECK_EQ(page_dirty(s + PG), 1);
    }
    char c = 0;
    CHECK_EQ(pread(fd, &c, 1, PG), 1);
    CHECK_EQ(c, 'x');
    // A hole after the mapping: MS_SYNC alone is ENOMEM, the mapped part written first.
    CHECK_OK(munmap(s + PG, PG));
    s[0] = 'y';
    CHECK_ERR(msync(s, 2 * PG, MS_SYNC), ENOMEM);
    if (dirty >= 0)
        CHECK_EQ(page_dirty(s), 0);
    CHECK_ERR(msync(s + 1, PG, MS_SYNC), EINVAL);
    CHECK_ERR(msync(s, PG, MS_SYNC | 0x100), EINVAL);
    // Private and anonymous memory has nothing to write back.
    char *anon = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(anon != MAP_FAILED);
    anon[0] = 1;
    CHECK_OK(msync(anon, PG, MS_SYNC));
    munmap(anon, PG);
    munmap(s, PG);
    close(fd);
}

// A field of /proc/self/status, in kB (-1 if absent). Read without stdio, whose buffers
// would be memory mapped while it counts.
static long status_kb(const char *key) {
    static char text[4096];
    int fd = CHECK_OK(open("/proc/self/status", O_RDONLY));
    ssize_t size = read(fd, text, sizeof text - 1);
    close(fd);
    text[size > 0 ? size : 0] = 0;
    const char *at = strstr(text, key);
    return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

static long locked_kb(void) { return status_kb("VmLck:"); }

// MAP_LOCKED memory is counted in VmLck until it is unmapped, refuses msync's
// MS_INVALIDATE (EBUSY, even past a hole that would give ENOMEM), and a child of fork
// does not inherit the lock.
TEST(map_locked_vmlck_and_msync_invalidate) {
    long before = locked_kb();
    CHECK(before >= 0);
    char *l = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED,
                   -1, 0);
    CHECK(l != MAP_FAILED);
    CHECK_EQ(locked_kb() - before, 16);
    CHECK_OK(msync(l, 4 * PG, MS_ASYNC));
    CHECK_ERR(msync(l, 4 * PG, MS_INVALIDATE), EBUSY);
    CHECK_ERR(msync(l, PG, MS_SYNC | MS_INVALIDATE), EBUSY);
    CHECK_OK(munmap(l + PG, PG)); // a hole: MS_SYNC alone stops there, the others go on
    CHECK_ERR(msync(l, 4 * PG, MS_SYNC), ENOMEM);
    CHECK_ERR(msync(l, 4 * PG, MS_ASYNC), ENOMEM);
    CHECK_ERR(msync(l + PG, 3 * PG, MS_ASYNC | MS_INVALIDATE), EBUSY);
    CHECK_ERR(msync(l, 4 * PG, MS_INVALIDATE | MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_EQ(locked_kb() - before, 12);
    pid_t child = CHECK_OK(fork());
    if (child == 0)
        _exit(locked_kb() == 0 && msync(l, PG, MS_INVALIDATE) == 0 ? 0 : 1);
    int status;
    CHECK_EQ(CHECK_OK(waitpid(child, &status, 0)), child);
    CHECK_EQ(status, 0);
    CHECK_OK(munmap(l, 4 * PG));
    CHECK_EQ(locked_kb(), before);
}

// The pages of [p, p + pages * PG) mincore says are resident, as a bit mask.
static unsigned resident_mask(char *p, int pages) {
    unsigned char vec[32];
    CHECK_OK(mincore(p, pages * PG, vec));
    unsigned mask = 0;
    for (int i = 0; i < pages; i++)
        mask |= (vec[i] & 1u) << i;
    return mask;
}

// mlock faults the pages in and counts them in VmLck until munlock; mlock2's MLOCK_ONFAULT
// counts them without faulting them in; a range is widened to whole pages; a hole is
// ENOMEM after the pages before it are locked (LTP mlock01, mlock201, mlock203, munlock02).
TEST(mlock_and_munlock) {
    long before = locked_kb();
    char *p = anon(4, PROT_READ | PROT_WRITE);
    CHECK_EQ(resident_mask(p, 4), 0);
    CHECK_OK(mlock(p + 100, PG)); // two pages: the range's first and last
    CHECK_EQ(locked_kb() - before, 8);
    CHECK_EQ(resident_mask(p, 4), 3);
    CHECK_OK(mlock(p, 4 * PG)); // locked again: counted once
    CHECK_EQ(locked_kb() - before, 16);
    CHECK_EQ(resident_mask(p, 4), 15);
    CHECK_OK(munlock(p, 4 * PG));
    CHECK_EQ(locked_kb(), before);
    char *q = anon(4, PROT_READ | PROT_WRITE);
    q[PG] = 1;
    CHECK_OK(syscall(SYS_mlock2, q, 4 * PG, MLOCK_ONFAULT));
    CHECK_EQ(locked_kb() - before, 16);
    CHECK_EQ(resident_mask(q, 4), 2); // only what was there
    CHECK_OK(syscall(SYS_mlock2, q, 4 * PG, 0)); // now faulted in, not counted again
    CHECK_EQ(locked_kb() - before, 16);
    CHECK_EQ(resident_mask(q, 4), 15);
    CHECK_ERR(syscall(SYS_mlock2, q, PG, 2), EINVAL);
    CHECK_OK(munlock(q, 4 * PG));
    CHECK_OK(munmap(q, 4 * PG));
    CHECK_OK(munmap(p + 2 * PG, PG)); // a hole
    CHECK_ERR(mlock(p, 4 * PG), ENOMEM);
    CHECK_EQ(locked_kb() - before, 8); // the pages before the hole
    CHECK_ERR(munlock(p, 4 * PG), ENOMEM);
    CHECK_EQ(locked_kb(), before);
    CHECK_ERR(mlock(p + 2 * PG, PG), ENOMEM); // the start not mapped
    CHECK_ERR(munlock(p + 2 * PG, PG), ENOMEM);
    CHECK_OK(mlock(p, 0));
    CHECK_OK(munmap(p, 4 * PG));
}

// mincore: a page of a private mapping is resident once touched; a file's pages are
// resident when they are in the page cache, touched through the mapping or not; the
// errors in mm/mincore.c's order (LTP mincore01-04).
TEST(mincore_resident_pages_and_errors) {
    char *p = anon(3, PROT_READ | PROT_WRITE);
    p[2 * PG] = 1;
    CHECK_EQ(resident_mask(p, 3), 4);
    int fd = file_of(0);
    char page[PG];
    memset(page, 'f', sizeof page);
    CHECK_EQ(write(fd, page, PG), PG);
    CHECK_EQ(write(fd, page, PG), PG);
    char *f = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(f != MAP_FAILED);
    CHECK_EQ(resident_mask(f, 2), 3); // written, so cached
    unsigned char vec[4];
    CHECK_ERR(mincore(p + 1, PG, vec), EINVAL);
    CHECK_ERR(mincore(p, PG, BAD_PTR), EFAULT);
    CHECK_ERR(mincore(p, 0x800000000000UL, vec), ENOMEM); // past the user address space
    CHECK_ERR(mincore((void *)0x7ffffffff000UL, 2 * PG, vec), ENOMEM);
    CHECK_OK(mincore(p, 0, vec));
    CHECK_OK(munmap(p + PG, PG));
    memset(vec, 9, sizeof vec);
    CHECK_ERR(mincore(p, 3 * PG, vec), ENOMEM); // a hole, after the page before it
    CHECK_EQ(vec[0], 0);
    CHECK_EQ(vec[1], 9);
    CHECK_ERR(mincore(p + PG, PG, vec), ENOMEM);
    munmap(p, 3 * PG), munmap(f, 2 * PG), close(fd);
}

// mlockall: MCL_CURRENT locks what is mapped, MCL_FUTURE what is mapped later; munlockall
// undoes both; the flags Linux refuses (LTP mlockall01, munlockall01).
TEST(mlockall_and_munlockall) {
    long before = locked_kb();
    CHECK_ERR(mlockall(0), EINVAL);
    CHECK_ERR(mlockall(MCL_ONFAULT), EINVAL);
    CHECK_ERR(mlockall(8), EINVAL);
    CHECK_OK(mlockall(MCL_FUTURE));
    CHECK_EQ(locked_kb(), before); // nothing mapped yet is locked
    char *later = anon(2, PROT_READ | PROT_WRITE);
    CHECK_EQ(locked_kb() - before, 8);
    CHECK_EQ(resident_mask(later, 2), 3); // faulted in
    CHECK_OK(mlockall(MCL_FUTURE | MCL_ONFAULT));
    char *on_fault = anon(2, PROT_READ | PROT_WRITE);
    CHECK_EQ(locked_kb() - before, 16);
    CHECK_EQ(resident_mask(on_fault, 2), 0);
    CHECK_OK(munlockall());
    CHECK_EQ(locked_kb(), 0);
    char *after = anon(1, PROT_READ | PROT_WRITE);
    CHECK_EQ(locked_kb(), 0);
    CHECK_OK(mlockall(MCL_CURRENT));
    CHECK(locked_kb() > 0);
    CHECK_EQ(resident_mask(after, 1), 1);
    CHECK_OK(munlockall());
    CHECK_EQ(locked_kb(), 0);
    munmap(later, 2 * PG), munmap(on_fault, 2 * PG), munmap(after, PG);
}

// A locked region keeps its pages: MADV_DONTNEED and MADV_FREE are EINVAL there,
// MADV_DONTNEED_LOCKED drops them (LTP madvise02); mremap keeps it locked as it grows.
TEST(locked_memory_madvise_and_mremap) {
    long before = locked_kb();
    char *p = anon(2, PROT_READ | PROT_WRITE);
    CHECK_OK(mlock(p, 2 * PG));
    p[0] = 5;
    CHECK_ERR(madvise(p, 2 * PG, MADV_DONTNEED), EINVAL);
    CHECK_ERR(madvise(p, 2 * PG, MADV_FREE), EINVAL);
    CHECK_EQ(p[0], 5);
    CHECK_OK(madvise(p, 2 * PG, MADV_DONTNEED_LOCKED));
    CHECK_EQ(p[0], 0);
    char *moved = mremap(p, 2 * PG, 6 * PG, MREMAP_MAYMOVE);
    CHECK(moved != MAP_FAILED);
    CHECK_EQ(locked_kb() - before, 24);
    CHECK_EQ(resident_mask(moved, 6) & 60, 60); // the grown part faulted in
    CHECK_OK(munmap(moved, 6 * PG));
    CHECK_EQ(locked_kb(), before);
}

// Without CAP_IPC_LOCK (a child that dropped root), RLIMIT_MEMLOCK bounds what may be
// locked: ENOMEM from mlock, EAGAIN from a locked mmap, EPERM for both at a limit of 0
// (LTP mlock02's cases, setrlimit lowering RLIMIT_MEMLOCK).
TEST(mlock_limits_without_the_privilege) {
    if (getuid() != 0 || check_capable(CAP_SETUID) != 1)
        return;
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        struct rlimit two_pages = {2 * PG, 2 * PG}, none = {0, 0};
        if (p == MAP_FAILED || setuid(65534) != 0 || setrlimit(RLIMIT_MEMLOCK, &two_pages) != 0)
            _exit(2);
        if (mlock(p, 3 * PG) != -1 || errno != ENOMEM)
            _exit(3);
        if (mlock(p, 2 * PG) != 0 || mlock(p + PG, PG) != 0) // within, and again within
            _exit(4);
        void *more = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
        if (more != MAP_FAILED || errno != EAGAIN)
            _exit(5);
        if (munlock(p, 2 * PG) != 0 || setrlimit(RLIMIT_MEMLOCK, &none) != 0)
            _exit(6);
        if (mlock(p, PG) != -1 || errno != EPERM || mlockall(MCL_CURRENT) != -1 || errno != EPERM)
            _exit(7);
        more = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
        if (more != MAP_FAILED || errno != EPERM)
            _exit(8);
        _exit(munlock(p, 4 * PG) == 0 ? 0 : 9); // munlock needs nothing
    }
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
}

TEST(brk_grows_and_refuses) {
    char *start = (char *)syscall(SYS_brk, 0);
    CHECK(start != NULL);
    char *grown = (char *)syscall(SYS_brk, start + 3 * PG);
    CHECK(grown == start + 3 * PG);
    grown[-1] = 1;
    CHECK_EQ(grown[-1], 1);
    CHECK((char *)syscall(SYS_brk, 1) == grown); // below the start: unchanged
    CHECK((char *)syscall(SYS_brk, start + (1L << 45)) == grown); // beyond any limit
    CHECK((char *)syscall(SYS_brk, 0) == grown);
    CHECK((char *)syscall(SYS_brk, start) == start);
}

// RLIMIT_AS bounds every mapping (the process's VmSize) and RLIMIT_DATA its private
// writable ones (VmData), as Linux's may_expand_vm: mmap and mremap give ENOMEM, brk leaves
// the break; a MAP_FIXED mapping counts what it replaces; read-only, shared and
// growing-down memory is no data; a soft RLIMIT_DATA of 0 lets data up to the hard limit.
static int address_space_limits(void) {
    char *kept = anon(2, PROT_READ);
    struct rlimit as = {(rlim_t)status_kb("VmSize:") * 1024 + 4 * PG, RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &as) != 0)
        return 2;
    char *four = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (four == MAP_FAILED)
        return 3;
    if (mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
        return 4;
    if (mmap(kept, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != kept)
        return 5;
    if (mremap(four, 4 * PG, 5 * PG, MREMAP_MAYMOVE) != MAP_FAILED || errno != ENOMEM)
        return 6;
    char *end = (char *)syscall(SYS_brk, 0);
    if ((char *)syscall(SYS_brk, end + 8 * PG) != end)
        return 7;
    if (munmap(four, 4 * PG) != 0 || munmap(kept, 2 * PG) != 0)
        return 8;
    struct rlimit no_as = {RLIM_INFINITY, RLIM_INFINITY};
    struct rlimit data = {(rlim_t)status_kb("VmData:") * 1024 + 2 * PG, RLIM_INFINITY};
    if (setrlimit(RLIMIT_AS, &no_as) != 0 || setrlimit(RLIMIT_DATA, &data) != 0)
        return 9;
    if (mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
        errno != ENOMEM)
        return 10;
    if (mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ||
        mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ||
        mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1,
             0) == MAP_FAILED)
        return 11;
    if (mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
        return 12;
    if ((char *)syscall(SYS_brk, end + PG) != end)
        return 13;
    struct rlimit valgrind = {0, RLIM_INFINITY};
    if (setrlimit(RLIMIT_DATA, &valgrind) != 0 ||
        mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
        return 14;
    return 0;
}

TEST(rlimit_as_and_data_bound_mappings) {
    pid_t child = CHECK_OK(fork());
    if (child == 0)
        _exit(address_space_limits());
    int status = -1;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
}

// The stack grows down as it is touched, up to RLIMIT_STACK as it is when it grows (raised
// after exec too); past it the access is SIGSEGV (SEGV_MAPERR) on the alternate stack.
// /proc/self/maps shows the [stack] as far as it grew. exec's arguments get a quarter of
// RLIMIT_STACK (at least 128 KiB): E2BIG beyond.
static long stack_depth_used(long frames) {
    volatile char frame[64 * 1024];
    frame[0] = (char)frames;
    frame[sizeof frame - 1] = 1;
    return frames <= 1 ? frame[0] : stack_depth_used(frames - 1) + frame[sizeof frame - 1];
}

static unsigned long stack_start(void) {
    static char maps[65536];
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t size = fd < 0 ? -1 : read(fd, maps, sizeof maps - 1);
    close(fd);
    maps[size > 0 ? size : 0] = 0;
    char *line = strstr(maps, "[stack]");
    while (line && line > maps && line[-1] != '\n')
        line--;
    return line ? strtoul(line, NULL, 16) : 0;
}

static volatile int overflow_code;
static void on_overflow(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    overflow_code = info->si_code;
    _exit(info->si_code == SEGV_MAPERR ? 40 : 41);
}

static int grow_the_stack(int limit_mb, int frames, int alternate) {
    struct rlimit limit = {(rlim_t)limit_mb << 20, RLIM_INFINITY};
    if (setrlimit(RLIMIT_STACK, &limit) != 0)
        return 2;
    if (alternate) {
        static char altstack[64 * 1024];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
        struct sigaction sa = {.sa_sigaction = on_overflow, .sa_flags = SA_SIGINFO | SA_ONSTACK};
        if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0)
            return 3;
    }
    unsigned long before = stack_start();
    stack_depth_used(frames);
    unsigned long after = stack_start();
    return before && after && before - after >= (unsigned long)(frames - 2) * 64 * 1024 ? 0 : 4;
}

static int run_in_child(int (*body)(int, int, int), int a, int b, int c) {
    pid_t child = fork();
    if (child == 0)
        _exit(body(a, b, c));
    int status = -1;
    waitpid(child, &status, 0);
    return status;
}

TEST(stack_grows_to_rlimit_stack) {
    CHECK_EQ(run_in_child(grow_the_stack, 64, 320, 0), 0);          // 20 MiB under 64 MiB
    int status = run_in_child(grow_the_stack, 4, 160, 0);            // 10 MiB over 4 MiB
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    status = run_in_child(grow_the_stack, 4, 160, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 40);
}

static int exec_with_arguments(int limit_kb, int argument_kb, int unused) {
    (void)unused;
    struct rlimit limit = {(rlim_t)limit_kb << 10, RLIM_INFINITY};
    static char big[2][100 * 1024];
    memset(big, 'a', sizeof big);
    big[0][sizeof big[0] - 1] = big[1][sizeof big[1] - 1] = 0;
    char *argv[] = {"/bin/true", big[0], argument_kb > 100 ? big[1] : NULL, NULL};
    if (setrlimit(RLIMIT_STACK, &limit) != 0)
        return 2;
    execv("/bin/true", argv);
    return errno == E2BIG ? 30 : 31;
}

TEST(exec_arguments_bounded_by_rlimit_stack) {
    int status = run_in_child(exec_with_arguments, 256, 200, 0); // 200 KiB over 128 KiB
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 30);
    CHECK_EQ(run_in_child(exec_with_arguments, 8192, 200, 0), 0); // within 2 MiB
    CHECK_EQ(run_in_child(exec_with_arguments, 256, 100, 0), 0);  // 100 KiB within 128 KiB
}

// remap_file_pages, as Linux emulates it: the pages of a shared file mapping show the file
// from another page on; EINVAL for a protection, a private or missing mapping, a range
// past the mapping and a page offset that wraps.
TEST(remap_file_pages_shows_other_pages) {
    char path[] = "/tmp/remap-XXXXXX", page[PG];
    int fd = CHECK_OK(mkstemp(path)); // named: the LibOS maps it again by its name
    for (int i = 0; i < 4; i++) {
        memset(page, 'a' + i, sizeof page);
        CHECK_EQ(write(fd, page, sizeof page), PG);
    }
    char *p = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    CHECK_OK(syscall(SYS_remap_file_pages, p, 2 * PG, 0, 2, 0));
    CHECK(p[0] == 'c' && p[PG] == 'd' && p[2 * PG] == 'c' && p[3 * PG] == 'd');
    CHECK_OK(syscall(SYS_remap_file_pages, p + PG, PG, 0, 0, MAP_NONBLOCK | MAP_POPULATE));
    CHECK(p[PG] == 'a');
    CHECK_ERR(syscall(SYS_remap_file_pages, p, PG, PROT_READ, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_remap_file_pages, p, 8 * PG, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_remap_file_pages, p, 0, 0, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_remap_file_pages, p, 2 * PG, 0, ~0UL, 0), EINVAL);
    char *private = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(private != MAP_FAILED);
    CHECK_ERR(syscall(SYS_remap_file_pages, private, PG, 0, 1, 0), EINVAL);
    CHECK_OK(munmap(private, PG));
    CHECK_OK(munmap(p, 4 * PG));
    CHECK_ERR(syscall(SYS_remap_file_pages, p, PG, 0, 0, 0), EINVAL);
    close(fd);
    unlink(path);
}

TEST(mremap_grows_in_place_and_shrinks) {
    char *p = anon(4, PROT_READ | PROT_WRITE);
    CHECK_OK(munmap(p + 2 * PG, 2 * PG));
    p[0] = 1, p[PG] = 2;
    CHECK(syscall(SYS_mremap, p, 2 * PG, 4 * PG, 0, 0) == (long)p);
    CHECK_EQ(p[PG], 2);
    CHECK_EQ(p[3 * PG], 0);
    CHECK(mapped(p, 4 * PG));
    CHECK(syscall(SYS_mremap, p, 4 * PG, PG, 0, 0) == (long)p);
    CHECK(mapped(p, PG));
    CHECK(!mapped(p + PG, PG));
    CHECK_EQ(p[0], 1);
    munmap(p, PG);
}

TEST(mremap_moves_private_memory) {
    char *p = anon(3, PROT_READ | PROT_WRITE);
    p[0] = 'a', p[PG] = 'b';
    // Growing in place is impossible: the third page is in the way.
    CHECK_ERR(syscall(SYS_mremap, p, 2 * PG, 4 * PG, 0, 0), ENOMEM);
    char *q = (char *)syscall(SYS_mremap, p, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0);
    CHECK(q != MAP_FAILED && q != p);
    CHECK_EQ(q[0], 'a');
    CHECK_EQ(q[PG], 'b');
    CHECK_EQ(q[3 * PG], 0);
    CHECK(!mapped(p, 2 * PG));
    CHECK(mapped(p + 2 * PG, PG));
    char perms[5], name[256];
    maps_line(q, perms, name, sizeof name);
    CHECK_STR(perms, "rw-p");
    CHECK_STR(name, "");
    // MREMAP_FIXED: exactly where asked, replacing what was there.
    char *target = anon(4, PROT_READ);
    char *r = (char *)syscall(SYS_mremap, q, 4 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
                              target + PG);
    CHECK(r == target + PG);
    CHECK_EQ(r[0], 'a');
    CHECK_EQ(r[PG], 'b');
    maps_line(r, perms, name, sizeof name);
    CHECK_STR(perms, "rw-p");
    maps_line(target, perms, name, sizeof name);
    CHECK_STR(perms, "r--p");
    CHECK(!mapped(q, PG));
    // MREMAP_DONTUNMAP: the old range stays, as if never touched.
    char *s = (char *)syscall(SYS_mremap, r, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    CHECK(s != MAP_FAILED && s != r);
    CHECK_EQ(s[0], 'a');
    CHECK(mapped(r, PG));
    CHECK_EQ(r[0], 0);
    munmap(s, PG), munmap(target, 4 * PG), munmap(p + 2 * PG, PG);
}

TEST(mremap_moves_shared_memory) {
    // A shared file mapping grows with its file (python's mmap.resize) and stays shared.
    int fd = file_of(1);
    char *wall = anon(2, PROT_READ) + PG; // the page after the mapping is taken
    char *m = mmap(wall - PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    CHECK(m == wall - PG);
    m[0] = 'x';
    CHECK_OK(ftruncate(fd, 3 * PG));
    char *n = (char *)syscall(SYS_mremap, m, PG, 3 * PG, MREMAP_MAYMOVE, 0);
    CHECK(n != MAP_FAILED && n != m);
    CHECK_EQ(n[0], 'x');
    n[2 * PG] = 'y';
    char c = 0;
    CHECK_EQ(pread(fd, &c, 1, 2 * PG), 1);
    CHECK_EQ(c, 'y');
    CHECK_EQ(pwrite(fd, "z", 1, 0), 1);
    CHECK_EQ(n[0], 'z');
    char perms[5], name[256], real[256];
    maps_line(n, perms, name, sizeof name);
    CHECK_STR(perms, "rw-s");
    CHECK(realpath("data", real) != NULL);
    CHECK_STR(name, real);
    // An empty old range of a shared mapping maps the same pages a second time.
    char *twin = (char *)syscall(SYS_mremap, n, 0, PG, MREMAP_MAYMOVE, 0);
    CHECK(twin != MAP_FAILED && twin != n);
    twin[1] = 't';
    CHECK_EQ(n[1], 't');
    CHECK(mapped(n, 3 * PG));
    munmap(twin, PG);
    // Shared anonymous memory keeps its contents and its name.
    char *wall2 = anon(2, PROT_READ) + PG;
    char *sa = mmap(wall2 - PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
                    -1, 0);
    CHECK(sa == wall2 - PG);
    sa[1] = 's';
    char *sb = (char *)syscall(SYS_mremap, sa, PG, 2 * PG, MREMAP_MAYMOVE, 0);
    CHECK(sb != MAP_FAILED && sb != sa);
    CHECK_EQ(sb[1], 's');
    maps_line(sb, perms, name, sizeof name);
    CHECK_STR(perms, "rw-s");
    CHECK_STR(name, "/dev/zero (deleted)");
    munmap(n, 3 * PG), munmap(sb, 2 * PG), munmap(wall, PG), munmap(wall2, PG);
    close(fd);
}

TEST(mremap_edges) {
    char *p = anon(6, PROT_READ | PROT_WRITE);
    CHECK_OK(munmap(p + 2 * PG, 4 * PG)); // nothing right after the two pages
    CHECK_ERR(syscall(SYS_mremap, p + 1, PG, PG, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, 0, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, PG, 8, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, PG, MREMAP_FIXED, p + 100 * PG), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + 1), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + PG),
              EINVAL); // overlapping
    CHECK_ERR(syscall(SYS_mremap, p, 0, PG, MREMAP_MAYMOVE, 0), EINVAL); // private: no duplicate
    CHECK_ERR(syscall(SYS_mremap, p, 4 * PG, 5 * PG, MREMAP_MAYMOVE, 0), EFAULT); // past its end
    CHECK_ERR(syscall(SYS_mremap, p, PG, 1L << 47, MREMAP_MAYMOVE, 0), EINVAL); // too big
    munmap(p, 2 * PG);
    CHECK_ERR(syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_MAYMOVE, 0), EFAULT);
    // The new place is checked before the old range is looked up.
    CHECK_ERR(syscall(SYS_mremap, p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p + 8 * PG + 1),
              EINVAL);
    CHECK_ERR(syscall(SYS_mremap, p, PG, PG, 0, 0), EFAULT);
}

// What a child of fork finds of its parent's memory: private memory copied, shared memory
// shared, MADV_WIPEONFORK memory zeroed, MADV_DONTFORK memory not mapped at all.
TEST(fork_copies_shares_wipes_and_drops) {
    char *private_page = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *wiped = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *dropped = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(private_page != MAP_FAILED && shared != MAP_FAILED && wiped != MAP_FAILED &&
          dropped != MAP_FAILED);
    private_page[0] = 'p', shared[0] = 's', wiped[0] = 'w', dropped[0] = 'd';
    CHECK_OK(madvise(wiped, PG, MADV_WIPEONFORK));
    CHECK_OK(madvise(dropped, PG, MADV_DONTFORK));
    pid_t child = fork();
    if (child == 0) {
        // The exit code says what differed: 0 if all is as Linux leaves it.
        int code = private_page[0] != 'p' ? 1 : shared[0] != 's' ? 2 : wiped[0] != 0 ? 3 : 0;
        if (!code && msync(dropped, PG, MS_ASYNC) != -1)
            code = 4; // ENOMEM: not mapped
        private_page[0] = 'c', shared[0] = 'C';
        _exit(code);
    }
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
    CHECK_EQ(private_page[0], 'p'); // the child's write stayed its own
    CHECK_EQ(shared[0], 'C');       // the child's write is seen
    CHECK_EQ(wiped[0], 'w');
    CHECK_EQ(dropped[0], 'd');
    CHECK_OK(madvise(wiped, PG, MADV_KEEPONFORK));
    CHECK_OK(madvise(dropped, PG, MADV_DOFORK));
    CHECK_ERR(madvise(shared, PG, MADV_WIPEONFORK), EINVAL);
    munmap(private_page, PG), munmap(shared, PG), munmap(wiped, PG), munmap(dropped, PG);
}

