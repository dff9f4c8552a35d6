// SPDX-License-Identifier: MIT
// The process directory's entries a program's tools read beyond its status: /proc/PID/ns
// (its namespaces' links, and nsfs's ioctls on them), /proc/PID/pagemap and
// /proc/PID/coredump_filter.
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704
#define PAGE_SIZE_BYTES 4096

static const struct {
    const char *name;
    int type;
} namespaces[] = {{"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},  {"mnt", CLONE_NEWNS},
                  {"net", CLONE_NEWNET},       {"pid", CLONE_NEWPID},  {"user", CLONE_NEWUSER},
                  {"uts", CLONE_NEWUTS},       {"time", CLONE_NEWTIME}};

// The text of the link at `path` ("" if none).
static void link_text(const char *path, char *text, size_t size) {
    ssize_t n = readlink(path, text, size - 1);
    text[n < 0 ? 0 : n] = 0;
}

// "net:[4026531840]": the namespace's name and its inode.
static unsigned long long namespace_inode(const char *text, const char *name) {
    size_t n = strlen(name);
    CHECK(strncmp(text, name, n) == 0 && text[n] == ':' && text[n + 1] == '[');
    CHECK(text[strlen(text) - 1] == ']');
    return strtoull(text + n + 2, NULL, 10);
}

TEST(ns_links_name_each_namespace_and_its_inode) {
    for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
        char path[64], text[64], own[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", namespaces[i].name);
        link_text(path, text, sizeof text);
        unsigned long long inode = namespace_inode(text, namespaces[i].name);
        CHECK(inode != 0);
        snprintf(own, sizeof own, "/proc/%d/ns/%s", getpid(), namespaces[i].name);
        char same[64];
        link_text(own, same, sizeof same);
        CHECK_STR(same, text);
        CHECK_OK(access(path, F_OK));
        struct stat st, link;
        CHECK_OK(stat(path, &st));
        CHECK_EQ(st.st_ino, inode);
        CHECK(S_ISREG(st.st_mode));
        CHECK_EQ(st.st_mode & 07777, 0444);
        CHECK_OK(lstat(path, &link));
        CHECK(S_ISLNK(link.st_mode));
        int fd = CHECK_OK(open(path, O_RDONLY));
        struct stat opened;
        CHECK_OK(fstat(fd, &opened));
        CHECK_EQ(opened.st_ino, inode);
        CHECK_EQ(opened.st_dev, st.st_dev);
        char fd_path[64], fd_text[64];
        snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fd);
        link_text(fd_path, fd_text, sizeof fd_text);
        CHECK_STR(fd_text, text); // the descriptor shows the namespace, not the path
        close(fd);
    }
    char text[64], children[64];
    link_text("/proc/self/ns/pid", text, sizeof text);
    link_text("/proc/self/ns/pid_for_children", children, sizeof children);
    CHECK_STR(children, text);
}

TEST(ns_directory_lists_the_namespaces) {
    DIR *dir = opendir("/proc/self/ns");
    CHECK(dir != NULL);
    int found = 0;
    for (struct dirent *entry; dir && (entry = readdir(dir));)
        found += strcmp(entry->d_name, "pid") == 0 || strcmp(entry->d_name, "user") == 0 ||
                 strcmp(entry->d_name, "net") == 0;
    if (dir)
        closedir(dir);
    CHECK_EQ(found, 3);
    struct stat st;
    CHECK_OK(stat("/proc/self/ns", &st));
    CHECK(S_ISDIR(st.st_mode));
    // The process directory lists ns and net as directories, pagemap as a file.
    dir = opendir("/proc/self");
    CHECK(dir != NULL);
    int types = 0;
    for (struct dirent *entry; dir && (entry = readdir(dir));) {
        if (strcmp(entry->d_name, "ns") == 0 || strcmp(entry->d_name, "net") == 0)
            types += entry->d_type == DT_DIR;
        if (strcmp(entry->d_name, "pagemap") == 0)
            types += entry->d_type == DT_REG;
    }
    if (dir)
        closedir(dir);
    CHECK_EQ(types, 3);
}

TEST(ns_absent_names_and_bad_pointers) {
    char text[64];
    CHECK_ERR(readlink("/proc/self/ns/nothing", text, sizeof text), ENOENT);
    CHECK_ERR(open("/proc/self/ns/nothing", O_RDONLY), ENOENT);
    CHECK_ERR(syscall(SYS_readlink, "/proc/self/ns/pid", BAD_PTR, sizeof text), EFAULT);
    CHECK_ERR(open("/proc/self/ns/pid", O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TEST(ns_another_process_shows_the_same_namespaces) {
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t child = fork();
    if (child == 0) {
        close(ready[0]);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
        char own[64], theirs[64], path[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", namespaces[i].name);
        link_text(path, own, sizeof own);
        snprintf(path, sizeof path, "/proc/%d/ns/%s", child, namespaces[i].name);
        link_text(path, theirs, sizeof theirs);
        CHECK_STR(theirs, own);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/uts", child);
    int fd = CHECK_OK(open(path, O_RDONLY));
    CHECK_EQ(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWUTS);
    close(fd);
    kill(child, SIGKILL);
    CHECK_EQ(waitpid(child, NULL, 0), child);
    close(ready[0]);
}

TEST(ns_ioctl_type_parent_owner) {
    for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/ns/%s", namespaces[i].name);
        int fd = CHECK_OK(open(path, O_RDONLY | O_CLOEXEC));
        CHECK_EQ(ioctl(fd, NS_GET_NSTYPE), namespaces[i].type);
        int hierarchical = namespaces[i].type == CLONE_NEWPID || namespaces[i].type == CLONE_NEWUSER;
        // The parent of the caller's own pid or user namespace is outside its scope.
        CHECK_ERR(ioctl(fd, NS_GET_PARENT), hierarchical ? EPERM : EINVAL);
        if (namespaces[i].type != CLONE_NEWUSER) {
            uid_t uid;
            CHECK_ERR(ioctl(fd, NS_GET_OWNER_UID, &uid), EINVAL);
        } else {
            CHECK_ERR(ioctl(fd, NS_GET_USERNS), EPERM); // its owner is its parent
        }
        CHECK_ERR(ioctl(fd, 0x5401 /* TCGETS */), ENOTTY);
        // nsfs has no llseek, read or mmap.
        CHECK_ERR(lseek(fd, 0, SEEK_SET), ESPIPE);
        char byte;
        CHECK_ERR(read(fd, &byte, 1), EINVAL);
        CHECK(mmap(NULL, PAGE_SIZE_BYTES, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED);
        CHECK_EQ(errno, ENODEV);
        CHECK_ERR(ioctl(fd, 0xb7ff), ENOTTY); // no such nsfs request
        close(fd);
    }
    int fd = CHECK_OK(open("/proc/self/ns/pid_for_children", O_RDONLY));
    CHECK_EQ(ioctl(fd, NS_GET_NSTYPE), CLONE_NEWPID);
    close(fd);
    CHECK_ERR(ioctl(-1, NS_GET_NSTYPE), EBADF);
    CHECK_ERR(ioctl(999, NS_GET_NSTYPE), EBADF);
    int file = CHECK_OK(open("/proc/self/status", O_RDONLY)); // no namespace: not nsfs's
    CHECK_ERR(ioctl(file, NS_GET_NSTYPE), ENOTTY);
    close(file);
}

// ---- /proc/PID/pagemap ----

#define PAGE 4096
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_PFN ((1ULL << 55) - 1)

// The entries of `count` pages from `address`.
static void page_entries(int fd, const void *address, uint64_t *entries, size_t count) {
    off_t at = (off_t)((uintptr_t)address / PAGE * 8);
    CHECK_EQ(pread(fd, entries, count * 8, at), (ssize_t)(count * 8));
}

TEST(pagemap_shows_present_private_pages) {
    int fd = CHECK_OK(open("/proc/self/pagemap", O_RDONLY));
    char *memory = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(memory != MAP_FAILED);
    memory[0] = 1;
    memory[2 * PAGE] = 1;
    uint64_t entries[4];
    page_entries(fd, memory, entries, 4);
    CHECK(entries[0] & PM_PRESENT);
    CHECK(entries[0] & PM_EXCLUSIVE);
    CHECK_EQ(entries[0] & (PM_FILE | PM_SWAP | PM_SOFT_DIRTY), 0);
    CHECK_EQ(entries[1], 0); // never touched
    CHECK(entries[2] & PM_PRESENT);
    CHECK_EQ(entries[3], 0);
    if (geteuid() != 0) // the frame numbers only for CAP_SYS_ADMIN
        CHECK_EQ(entries[0] & PM_PFN, 0);
    CHECK_OK(madvise(memory, PAGE, MADV_DONTNEED));
    page_entries(fd, memory, entries, 1);
    CHECK_EQ(entries[0] & PM_PRESENT, 0);
    CHECK_OK(munmap(memory, 4 * PAGE));
    page_entries(fd, memory, entries, 4); // no mapping at all
    for (int i = 0; i < 4; i++)
        CHECK_EQ(entries[i], 0);
    close(fd);
}

TEST(pagemap_marks_file_and_shared_pages) {
    int fd = CHECK_OK(open("/proc/self/pagemap", O_RDONLY));
    char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(shared != MAP_FAILED);
    shared[0] = 1;
    uint64_t entry;
    page_entries(fd, shared, &entry, 1);
    CHECK(entry & PM_PRESENT);
    CHECK(entry & PM_FILE); // shared anonymous memory is a shmem file's
    munmap(shared, PAGE);
    int file = CHECK_OK(open("data", O_RDWR | O_CREAT, 0600));
    CHECK_EQ(write(file, "x", 1), 1);
    char *mapped = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, file, 0);
    CHECK(mapped != MAP_FAILED);
    CHECK_EQ(*(volatile char *)mapped, 'x');
    page_entries(fd, mapped, &entry, 1);
    CHECK(entry & PM_PRESENT);
    CHECK(entry & PM_FILE);
    munmap(mapped, PAGE);
    close(file);
    close(fd);
}

TEST(pagemap_of_another_process) {
    int to_parent[2], to_child[2];
    CHECK_OK(pipe(to_parent));
    CHECK_OK(pipe(to_child));
    pid_t child = fork();
    if (child == 0) { // maps and touches a page the parent does not have, tells where
        char *page = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                          -1, 0);
        page[0] = 1;
        if (write(to_parent[1], &page, sizeof page) != sizeof page)
            _exit(1);
        char c;
        _exit(read(to_child[0], &c, 1) == 1 ? 0 : 1);
    }
    char *page;
    CHECK_EQ(read(to_parent[0], &page, sizeof page), (ssize_t)sizeof page);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/pagemap", child);
    int fd = CHECK_OK(open(path, O_RDONLY));
    uint64_t entries[2];
    page_entries(fd, page, entries, 2);
    CHECK(entries[0] & PM_PRESENT);
    CHECK_EQ(entries[1], 0);
    CHECK(write(to_child[1], "x", 1) == 1);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(pread(fd, entries, 16, 0), 0); // its memory has gone with it
    close(fd);
    for (int i = 0; i < 2; i++)
        close(to_parent[i]), close(to_child[i]);
}

TEST(pagemap_descriptor_shows_the_memory_of_the_process_it_was_opened_for) {
    int fd = CHECK_OK(open("/proc/self/pagemap", O_RDONLY));
    int go[2], answer[2];
    CHECK_OK(pipe(go));
    CHECK_OK(pipe(answer));
    pid_t child = fork();
    if (child == 0) { // reads its parent's pagemap at a page only the parent has
        char *page;
        if (read(go[0], &page, sizeof page) != sizeof page)
            _exit(1);
        uint64_t entry = 0;
        char c = pread(fd, &entry, 8, (off_t)((uintptr_t)page / PAGE * 8)) == 8 &&
                         (entry & PM_PRESENT) ? 'y' : 'n';
        _exit(write(answer[1], &c, 1) == 1 ? 0 : 1);
    }
    char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    CHECK_EQ(write(go[1], &page, sizeof page), (ssize_t)sizeof page);
    char c = 0;
    CHECK_EQ(read(answer[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    CHECK_EQ(waitpid(child, NULL, 0), child);
    munmap(page, PAGE);
    close(fd);
    for (int i = 0; i < 2; i++)
        close(go[i]), close(answer[i]);
}

TEST(pagemap_reads_in_whole_entries) {
    int fd = CHECK_OK(open("/proc/self/pagemap", O_RDONLY));
    uint64_t entries[2];
    CHECK_ERR(pread(fd, entries, 8, 4), EINVAL); // a position within an entry
    CHECK_ERR(pread(fd, entries, 12, 0), EINVAL); // a size that is no whole entry
    CHECK_ERR(read(fd, entries, 4), EINVAL);
    CHECK_EQ(pread(fd, entries, 0, 0), 0);
    CHECK_ERR(syscall(SYS_pread64, fd, BAD_PTR, 16, 0), EFAULT);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); // nothing was read
    CHECK_EQ(read(fd, entries, 16), 16);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 16);
    CHECK_ERR(lseek(fd, 0, SEEK_END), EINVAL);
    // Beyond the address space (57 bits, the most of any paging mode): nothing.
    CHECK_EQ(pread(fd, entries, 16, (off_t)((1ULL << 57) / PAGE * 8)), 0);
    CHECK_ERR(write(fd, entries, 8), EBADF);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode, S_IFREG | 0400);
    CHECK_EQ(st.st_size, 0);
    close(fd);
    CHECK_ERR(pread(fd, entries, 8, 0), EBADF);
}

// ---- /proc/PID/coredump_filter ----

// The filter as the file shows it ("00000033\n"), read through `path`.
static unsigned long read_filter(const char *path) {
    char text[32] = {0};
    int fd = CHECK_OK(open(path, O_RDONLY));
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    CHECK_EQ(n, 9);
    CHECK(text[8] == '\n');
    return strtoul(text, NULL, 16);
}

static int write_filter(const char *text) {
    int fd = open("/proc/self/coredump_filter", O_WRONLY);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int error = errno;
    close(fd);
    errno = error;
    return n < 0 ? -1 : (int)n;
}

TEST(coredump_filter_reads_writes_and_is_inherited) {
    unsigned long saved = read_filter("/proc/self/coredump_filter");
    CHECK_EQ(write_filter("0x23"), 4);
    CHECK_EQ(read_filter("/proc/self/coredump_filter"), 0x23);
    char own[64];
    snprintf(own, sizeof own, "/proc/%d/coredump_filter", getpid());
    CHECK_EQ(read_filter(own), 0x23);
    CHECK_ERR(write_filter("zz"), EINVAL);
    int fd = CHECK_OK(open("/proc/self/coredump_filter", O_WRONLY));
    CHECK_ERR(syscall(SYS_write, fd, BAD_PTR, 4), EFAULT);
    close(fd);
    CHECK_ERR(write(-1, "1", 1), EBADF);
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t child = fork();
    if (child == 0) { // a child of fork has its parent's filter
        char c = read_filter("/proc/self/coredump_filter") == 0x23 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    char c = 0;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_EQ(c, 'y');
    char theirs[64];
    snprintf(theirs, sizeof theirs, "/proc/%d/coredump_filter", child);
    CHECK_EQ(read_filter(theirs), 0x23);
    kill(child, SIGKILL);
    CHECK_EQ(waitpid(child, NULL, 0), child);
    close(ready[0]);
    close(ready[1]);
    char restore[32];
    snprintf(restore, sizeof restore, "0x%lx", saved);
    CHECK_EQ(write_filter(restore), (int)strlen(restore));
    CHECK_EQ(read_filter("/proc/self/coredump_filter"), saved);
}

// /proc/self/status counts the process's swapped-out memory (VmSwap, in kB as its other
// Vm lines): present, and never more than what is mapped.
TEST(status_shows_vmswap) {
    static char text[8192];
    ssize_t n = check_read_file("/proc/self/status", text, sizeof text - 1);
    CHECK(n > 0);
    text[n > 0 ? n : 0] = 0;
    const char *swap = strstr(text, "\nVmSwap:\t");
    const char *size = strstr(text, "\nVmSize:\t");
    CHECK(swap != NULL && size != NULL);
    unsigned long swap_kb = 0, size_kb = 0;
    if (swap && size) {
        CHECK_EQ(sscanf(swap, "\nVmSwap: %lu kB", &swap_kb), 1);
        CHECK_EQ(sscanf(size, "\nVmSize: %lu kB", &size_kb), 1);
        CHECK(swap_kb <= size_kb);
        CHECK(swap > size); // after the sizes, as the kernel orders them
    }
    int fd = CHECK_OK(open("/proc/self/status", O_RDONLY));
    CHECK_ERR(syscall(SYS_read, fd, BAD_PTR, 64), EFAULT);
    CHECK_ERR(lseek(fd, 0, 7), EINVAL);
    close(fd);
    CHECK_ERR(read(fd, text, 64), EBADF);
}

// One "name:\tvalue" line of a /proc file, its value read in `base` (8, 10), or -1.
static long long proc_field(const char *path, const char *name, int base) {
    char text[4096];
    ssize_t n = check_read_file(path, text, sizeof text - 1);
    if (n < 0)
        return -1;
    text[n] = 0;
    size_t length = strlen(name);
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, length) == 0 && line[length] == ':')
            return strtoll(line + length + 1, NULL, base);
    return -1;
}

// seq_show's four lines: f_pos, f_flags (O_LARGEFILE forced by open on x86-64, O_CLOEXEC
// from the descriptor, O_CREAT and O_TRUNC gone), the mount id statx gives and the inode.
TEST(fdinfo_of_a_file) {
    int fd = CHECK_OK(open("f", O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600));
    CHECK_EQ(write(fd, "hello, world", 12), 12);
    CHECK_EQ(lseek(fd, 5, SEEK_SET), 5);
    struct statx sx;
    CHECK_OK(statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID | STATX_INO, &sx));
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", getpid(), fd);
    CHECK_EQ(proc_field(path, "pos", 10), 5);
    CHECK_EQ(proc_field(path, "flags", 8), O_RDWR | 0100000 | O_CLOEXEC);
    CHECK_EQ(proc_field(path, "mnt_id", 10), (long long)sx.stx_mnt_id);
    CHECK_EQ(proc_field(path, "ino", 10), (long long)sx.stx_ino);
    CHECK_OK(fcntl(fd, F_SETFD, 0));
    CHECK_EQ(proc_field(path, "flags", 8), O_RDWR | 0100000);
    CHECK_OK(close(fd));
    CHECK_ERR(open(path, O_RDONLY), ENOENT);
}

// A pipe end: no O_LARGEFILE (pipe2 makes it), O_NONBLOCK as asked, position 0.
TEST(fdinfo_of_a_pipe) {
    int ends[2];
    CHECK_OK(pipe2(ends, O_NONBLOCK));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ends[1]);
    CHECK_EQ(proc_field(path, "flags", 8), O_WRONLY | O_NONBLOCK);
    CHECK_EQ(proc_field(path, "pos", 10), 0);
    struct stat st;
    CHECK_OK(fstat(ends[1], &st));
    CHECK_EQ(proc_field(path, "ino", 10), (long long)st.st_ino);
    // The directory lists every open descriptor, as fd does.
    DIR *dir = opendir("/proc/self/fdinfo");
    CHECK(dir != NULL);
    int seen = 0;
    char name[16];
    snprintf(name, sizeof name, "%d", ends[0]);
    for (struct dirent *entry; dir && (entry = readdir(dir));)
        seen += strcmp(entry->d_name, name) == 0 && entry->d_type == DT_REG;
    if (dir)
        closedir(dir);
    CHECK_EQ(seen, 1);
    close(ends[0]);
    close(ends[1]);
}

// The I/O account: a read of a file counts its bytes in rchar.
TEST(proc_io_counts_reads) {
    check_write_file("f", "0123456789");
    long long before = proc_field("/proc/self/io", "rchar", 10);
    CHECK(before >= 0);
    int fd = CHECK_OK(open("f", O_RDONLY));
    char buffer[10];
    CHECK_EQ(read(fd, buffer, sizeof buffer), 10);
    close(fd);
    CHECK(proc_field("/proc/self/io", "rchar", 10) >= before + 10);
    CHECK(proc_field("/proc/self/io", "syscw", 10) >= 0);
}

// The smaps entries of a mapping: its maps lines (mprotect and mlock split it), each with
// its counts (show_smap): Size, the pages touched in Rss, Anonymous and Private_Dirty,
// the locked ones in Locked.
struct smaps_counts {
    long size, rss, anonymous, dirty, locked;
};

static void smaps_entry(char *start, char *end, struct smaps_counts *counts) {
    FILE *smaps = fopen("/proc/self/smaps", "r");
    CHECK(smaps != NULL);
    char line[512], name[64];
    int in_entry = 0, entries = 0;
    long value;
    memset(counts, 0xff, sizeof *counts);
    while (smaps && fgets(line, sizeof line, smaps)) {
        unsigned long from, to;
        if (sscanf(line, "%lx-%lx ", &from, &to) == 2) {
            in_entry = from == (unsigned long)start && to == (unsigned long)end;
            entries += in_entry;
            continue;
        }
        if (!in_entry || sscanf(line, "%63[^:]: %ld kB", name, &value) != 2)
            continue;
        if (strcmp(name, "Size") == 0)
            counts->size = value;
        else if (strcmp(name, "Rss") == 0)
            counts->rss = value;
        else if (strcmp(name, "Anonymous") == 0)
            counts->anonymous = value;
        else if (strcmp(name, "Private_Dirty") == 0)
            counts->dirty = value;
        else if (strcmp(name, "Locked") == 0)
            counts->locked = value;
    }
    if (smaps)
        fclose(smaps);
    CHECK_EQ(entries, 1);
}

TEST(smaps_counts_a_mapping) {
    const long page = 4096;
    char *memory = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    CHECK(memory != MAP_FAILED);
    CHECK_OK(mprotect(memory + 8 * page, 8 * page, PROT_READ));
    for (int i = 0; i < 4; i++)
        memory[i * page] = 1;
    CHECK_OK(mlock(memory, 2 * page));
    struct smaps_counts locked, rest;
    smaps_entry(memory, memory + 2 * page, &locked);
    smaps_entry(memory + 2 * page, memory + 8 * page, &rest);
    CHECK_EQ(locked.size, 8);
    CHECK_EQ(locked.rss, 8);
    CHECK_EQ(locked.anonymous, 8);
    CHECK_EQ(locked.dirty, 8);
    CHECK_EQ(locked.locked, 8);
    CHECK_EQ(rest.size, 24);
    CHECK_EQ(rest.rss, 8);
    CHECK_EQ(rest.anonymous, 8);
    CHECK_EQ(rest.dirty, 8);
    CHECK_EQ(rest.locked, 0);
    munlock(memory, 2 * page);
    munmap(memory, 16 * page);
}

// The whole text of a /proc file, NUL-terminated.
static void proc_text(const char *path, char *text, size_t size) {
    ssize_t n = check_read_file(path, text, size - 1);
    CHECK(n > 0);
    text[n > 0 ? n : 0] = 0;
}

// An eventfd's and a signalfd's fdinfo: the anonymous inode they share (fstat's), on one
// mount, their flags, and their kind's lines: eventfd_show_fdinfo's count ("%16llx"),
// id and semaphore mode, signalfd_show_fdinfo's mask.
TEST(fdinfo_of_an_eventfd_and_a_signalfd) {
    int counter = CHECK_OK(eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE));
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGKILL); // never read: not shown
    int signals = CHECK_OK(signalfd(-1, &mask, 0));
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", counter);
    CHECK_EQ(proc_field(path, "pos", 10), 0);
    CHECK_EQ(proc_field(path, "flags", 8), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    CHECK_OK(fstat(counter, &st));
    CHECK_EQ(proc_field(path, "ino", 10), (long long)st.st_ino);
    long long mount = proc_field(path, "mnt_id", 10);
    proc_text(path, text, sizeof text);
    CHECK(strstr(text, "\neventfd-count:                5\n") != NULL);
    CHECK(strstr(text, "\neventfd-semaphore: 1\n") != NULL);
    CHECK(strstr(text, "\neventfd-id: ") != NULL);
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", signals);
    CHECK_EQ(proc_field(path, "flags", 8), O_RDWR);
    CHECK_EQ(proc_field(path, "mnt_id", 10), mount);
    CHECK_OK(fstat(signals, &st));
    CHECK_EQ(proc_field(path, "ino", 10), (long long)st.st_ino);
    proc_text(path, text, sizeof text);
    CHECK(strstr(text, "\nsigmask:\t0000000000000200\n") != NULL);
    close(counter);
    close(signals);
}

// An epoll's fdinfo: one "tfd:" line per watched descriptor (ep_show_fdinfo's widths),
// its events as kept (EPOLLERR and EPOLLHUP added; a reported EPOLLONESHOT item only its
// flag bits), its data, and its file's position, inode and device (MKDEV's encoding).
TEST(fdinfo_of_an_epoll) {
    int ep = CHECK_OK(epoll_create1(0));
    int counter = CHECK_OK(eventfd(1, 0));
    int ends[2];
    CHECK_OK(pipe(ends));
    struct epoll_event event = {EPOLLIN | EPOLLONESHOT, {.u64 = 0x1234}};
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, counter, &event));
    event.events = EPOLLIN;
    event.data.u64 = 7;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, ends[0], &event));
    struct epoll_event out[2];
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 1); // the eventfd: its one shot is taken
    char path[64], text[2048], expected[256];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ep);
    proc_text(path, text, sizeof text);
    struct stat st;
    CHECK_OK(fstat(counter, &st));
    snprintf(expected, sizeof expected,
             "tfd: %8d events: %8x data: %16llx  pos:0 ino:%lx sdev:%x\n", counter,
             EPOLLONESHOT, 0x1234ull, (unsigned long)st.st_ino,
             (unsigned)(major(st.st_dev) << 20 | minor(st.st_dev)));
    CHECK(strstr(text, expected) != NULL);
    CHECK_OK(fstat(ends[0], &st));
    snprintf(expected, sizeof expected,
             "tfd: %8d events: %8x data: %16llx  pos:0 ino:%lx sdev:%x\n", ends[0],
             EPOLLIN | EPOLLERR | EPOLLHUP, 7ull, (unsigned long)st.st_ino,
             (unsigned)(major(st.st_dev) << 20 | minor(st.st_dev)));
    CHECK(strstr(text, expected) != NULL);
    close(ep);
    close(counter);
    close(ends[0]);
    close(ends[1]);
}
