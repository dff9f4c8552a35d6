// SPDX-License-Identifier: MIT
// Core dumps: a signal whose default action dumps core writes an ELF core file named by
// /proc/sys/kernel/core_pattern in the working directory when RLIMIT_CORE allows it and the
// process is dumpable, and its parent's wait4 and waitid say so (WCOREDUMP, CLD_DUMPED);
// otherwise no file and no flag. The file's header, notes and memory are checked.
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

// What the dumped memory must hold (the child writes it before it dies).
static char marker[64];
static const char kMarker[] = "bascule core marker";
// Where the faulting child writes (a variable, so the compiler sees no constant address).
static volatile uintptr_t fault_address = 8;

// The core file's name here: core_pattern (a plain name: this test runs where it is "core"
// or another name without specifiers), with ".PID" when core_uses_pid is set.
static void core_name(pid_t pid, char *name, size_t size) {
    char pattern[256] = "", uses_pid[8] = "0";
    CHECK(check_read_file("/proc/sys/kernel/core_pattern", pattern, sizeof pattern) > 0);
    check_read_file("/proc/sys/kernel/core_uses_pid", uses_pid, sizeof uses_pid);
    pattern[strcspn(pattern, "\n")] = 0;
    CHECK(pattern[0] != '|' && !strchr(pattern, '%'));
    if (uses_pid[0] == '1')
        snprintf(name, size, "%s.%d", pattern, pid);
    else
        snprintf(name, size, "%s", pattern);
}

static void set_core_limit(rlim_t limit) {
    struct rlimit r = {limit, RLIM_INFINITY};
    CHECK_OK(setrlimit(RLIMIT_CORE, &r));
}

enum death { by_abort, by_fault, by_quit, by_abort_with_thread, by_abort_filtered };

// A page the child fills with the marker and marks MADV_DONTDUMP (by_abort_filtered: and
// MADV_DODUMP again for the second half of it).
static char *undumped;

static void *sleeper(void *ready) {
    write(*(int *)ready, "t", 1);
    for (;;)
        pause();
    return NULL;
}

// In the child: the limit, dumpability, the marker, then the death asked for.
static void die(enum death how, rlim_t limit, int dumpable, int ready) {
    set_core_limit(limit);
    if (!dumpable)
        CHECK_OK(prctl(PR_SET_DUMPABLE, 0));
    memcpy(marker, kMarker, sizeof kMarker);
    if (how == by_abort_filtered) {
        memcpy(undumped, kMarker, sizeof kMarker);
        memcpy(undumped + 4096, kMarker, sizeof kMarker);
        CHECK_OK(madvise(undumped, 8192, MADV_DONTDUMP));
        CHECK_OK(madvise(undumped + 4096, 4096, MADV_DODUMP));
        check_write_file("/proc/self/coredump_filter", "0x33");
    }
    if (how == by_abort_with_thread) {
        pthread_t thread;
        int fds[2];
        char c;
        CHECK_OK(pipe(fds));
        CHECK_EQ(pthread_create(&thread, NULL, sleeper, &fds[1]), 0);
        CHECK_EQ(read(fds[0], &c, 1), 1);
        usleep(10000); // the thread is in pause()
    }
    if (how == by_fault)
        *(volatile int *)fault_address = 1;
    if (how == by_quit) {
        write(ready, "r", 1);
        for (;;)
            pause();
    }
    abort();
}

// Forks a child that dies as `how` says; returns its pid, not waited for.
static pid_t start_dying_child(enum death how, rlim_t limit, int dumpable) {
    int fds[2];
    CHECK_OK(pipe(fds));
    pid_t child = CHECK_OK(fork());
    if (child == 0) {
        close(fds[0]);
        die(how, limit, dumpable, fds[1]);
    }
    close(fds[1]);
    if (how == by_quit) {
        char c;
        CHECK_EQ(read(fds[0], &c, 1), 1);
        CHECK_OK(kill(child, SIGQUIT));
    }
    close(fds[0]);
    return child;
}

static int wait_status(pid_t child) {
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    return status;
}

// The whole core file, or NULL if there is none; its size in `size`.
static unsigned char *read_core(pid_t child, size_t *size) {
    char name[300];
    core_name(child, name, sizeof name);
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    unsigned char *data = calloc(1, st.st_size + 1);
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, st.st_size - done);
        CHECK(n > 0);
        if (n <= 0)
            break;
        done += n;
    }
    close(fd);
    *size = st.st_size;
    return data;
}

static int core_exists(pid_t child) {
    char name[300];
    core_name(child, name, sizeof name);
    return access(name, F_OK) == 0;
}

static void check_elf_core_header(const unsigned char *data, size_t size) {
    CHECK(size >= sizeof(Elf64_Ehdr));
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)data;
    CHECK_MEM(h->e_ident, ELFMAG, SELFMAG);
    CHECK_EQ(h->e_ident[EI_CLASS], ELFCLASS64);
    CHECK_EQ(h->e_ident[EI_DATA], ELFDATA2LSB);
    CHECK_EQ(h->e_type, ET_CORE);
    CHECK_EQ(h->e_machine, EM_X86_64);
    CHECK_EQ(h->e_phoff, sizeof(Elf64_Ehdr));
    CHECK_EQ(h->e_phentsize, sizeof(Elf64_Phdr));
    CHECK_EQ(h->e_shnum, 0);
}

// The n-th note of `type` in the core's PT_NOTE (the first phdr), or NULL; its size.
static const unsigned char *find_note(const unsigned char *data, size_t size, uint32_t type,
                                      int n, uint32_t *desc_size) {
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)data;
    const Elf64_Phdr *note = (const Elf64_Phdr *)(data + h->e_phoff);
    CHECK_EQ(note->p_type, PT_NOTE);
    if (note->p_offset + note->p_filesz > size)
        return NULL;
    for (uint64_t at = note->p_offset; at < note->p_offset + note->p_filesz;) {
        const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(data + at);
        const unsigned char *desc = data + at + sizeof *nh + ((nh->n_namesz + 3) & ~3u);
        if (nh->n_type == type && n-- == 0) {
            *desc_size = nh->n_descsz;
            return desc;
        }
        at = desc - data + ((nh->n_descsz + 3) & ~3u);
    }
    return NULL;
}

// x86-64's elf_prstatus: the signal, then the ids, then the registers.
struct prstatus {
    int32_t si_signo, si_code, si_errno;
    int16_t cursig;
    uint64_t sigpend, sighold;
    int32_t pid, ppid, pgrp, sid;
    int64_t times[8];
    uint64_t reg[27];
    int32_t fpvalid;
};

// The bytes the core holds for address `address` (a PT_LOAD's contents), or NULL.
static const unsigned char *dumped_at(const unsigned char *data, size_t size, uint64_t address) {
    const Elf64_Ehdr *h = (const Elf64_Ehdr *)data;
    for (int i = 1; i < h->e_phnum; i++) {
        const Elf64_Phdr *p = (const Elf64_Phdr *)(data + h->e_phoff) + i;
        if (p->p_type == PT_LOAD && address >= p->p_vaddr && address < p->p_vaddr + p->p_filesz &&
            p->p_offset + (address - p->p_vaddr) < size)
            return data + p->p_offset + (address - p->p_vaddr);
    }
    return NULL;
}

// The core of a child that died of `sig` with the core flag, read into memory to free
// (its size in *size); null, a failure noted, if there is none.
static unsigned char *dumped_core(pid_t child, int sig, size_t *size) {
    int status = wait_status(child);
    CHECK_EQ(WTERMSIG(status), sig);
    CHECK(WCOREDUMP(status));
    unsigned char *data = read_core(child, size);
    CHECK(data != NULL);
    return data;
}

// A child that died of SIGABRT and dumped no core: no flag, no file.
static void check_aborted_without_core(pid_t child) {
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGABRT);
    CHECK(!WCOREDUMP(status));
    CHECK(!core_exists(child));
}

TEST(abort_without_core_limit_leaves_no_core) {
    check_aborted_without_core(start_dying_child(by_abort, 0, 1));
}

TEST(abort_with_core_limit_dumps_core) {
    pid_t child = start_dying_child(by_abort, RLIM_INFINITY, 1);
    int status = wait_status(child);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGABRT);
    CHECK(WCOREDUMP(status));
    char name[300];
    core_name(child, name, sizeof name);
    struct stat st;
    CHECK_OK(stat(name, &st));
    CHECK_EQ(st.st_mode, S_IFREG | 0600);
    CHECK_EQ(st.st_uid, geteuid());
    size_t size = 0;
    unsigned char *data = read_core(child, &size);
    CHECK(data != NULL);
    if (!data)
        return;
    check_elf_core_header(data, size);
    uint32_t n = 0;
    const struct prstatus *s = (const struct prstatus *)find_note(data, size, NT_PRSTATUS, 0, &n);
    CHECK(s != NULL);
    if (s) {
        CHECK_EQ(n, 336);
        CHECK_EQ(s->si_signo, SIGABRT);
        CHECK_EQ(s->cursig, SIGABRT);
        CHECK_EQ(s->pid, child);
        CHECK_EQ(s->ppid, getpid());
        CHECK_EQ(s->reg[15], 234); // orig_rax: tgkill, which abort's raise made
        CHECK_EQ(s->reg[17], 0x33); // cs
        CHECK_EQ(s->fpvalid, 1);
    }
    const siginfo_t *info = (const siginfo_t *)find_note(data, size, 0x53494749, 0, &n);
    CHECK(info != NULL);
    if (info) {
        CHECK_EQ(n, 128);
        CHECK_EQ(info->si_signo, SIGABRT);
        CHECK_EQ(info->si_code, SI_TKILL);
        CHECK_EQ(info->si_pid, child);
    }
    const char *ps = (const char *)find_note(data, size, NT_PRPSINFO, 0, &n);
    CHECK(ps != NULL);
    if (ps) {
        CHECK_EQ(n, 136);
        CHECK_EQ(ps[1], 'R');
        CHECK_EQ(*(const int32_t *)(ps + 24), child);
        CHECK_STR(ps + 40, "syscalls_coredu"); // the 15 bytes of comm
    }
    CHECK(find_note(data, size, NT_AUXV, 0, &n) != NULL);
    CHECK(find_note(data, size, 0x46494c45 /* NT_FILE */, 0, &n) != NULL);
    CHECK(find_note(data, size, NT_FPREGSET, 0, &n) != NULL && n == 512);
    const unsigned char *dumped = dumped_at(data, size, (uint64_t)marker);
    CHECK(dumped != NULL);
    if (dumped)
        CHECK_MEM(dumped, kMarker, sizeof kMarker);
    free(data);
}

TEST(waitid_reports_cld_dumped) {
    pid_t child = start_dying_child(by_abort, RLIM_INFINITY, 1);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, child, &info, WEXITED));
    CHECK_EQ(info.si_signo, SIGCHLD);
    CHECK_EQ(info.si_code, CLD_DUMPED);
    CHECK_EQ(info.si_status, SIGABRT);
    CHECK_EQ(info.si_pid, child);
    child = start_dying_child(by_abort, 0, 1);
    memset(&info, 0, sizeof info);
    CHECK_OK(waitid(P_PID, child, &info, WEXITED));
    CHECK_EQ(info.si_code, CLD_KILLED);
    CHECK_EQ(info.si_status, SIGABRT);
}

TEST(not_dumpable_leaves_no_core) {
    check_aborted_without_core(start_dying_child(by_abort, RLIM_INFINITY, 0));
}

TEST(limit_below_a_page_leaves_no_core) {
    check_aborted_without_core(start_dying_child(by_abort, 4095, 1));
}

// A core cut at the limit: no more than the limit written, and still the core flag (Linux
// sets it once the file is made and the notes are collected, however much is written).
TEST(small_limit_cuts_core) {
    pid_t child = start_dying_child(by_abort, 8192, 1);
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGABRT, &size);
    if (!data)
        return;
    CHECK(size <= 8192);
    check_elf_core_header(data, size);
    free(data);
}

TEST(fault_dumps_core_with_its_siginfo) {
    pid_t child = start_dying_child(by_fault, RLIM_INFINITY, 1);
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGSEGV, &size);
    if (!data)
        return;
    uint32_t n;
    const siginfo_t *info = (const siginfo_t *)find_note(data, size, 0x53494749, 0, &n);
    CHECK(info != NULL);
    if (info) {
        CHECK_EQ(info->si_signo, SIGSEGV);
        CHECK_EQ(info->si_code, SEGV_MAPERR);
        CHECK_EQ((uint64_t)info->si_addr, 8);
    }
    const struct prstatus *s = (const struct prstatus *)find_note(data, size, NT_PRSTATUS, 0, &n);
    CHECK(s != NULL);
    if (s)
        CHECK_EQ((int64_t)s->reg[15], -1); // orig_rax: not in a system call
    free(data);
}

TEST(kill_with_sigquit_dumps_core) {
    pid_t child = start_dying_child(by_quit, RLIM_INFINITY, 1);
    int status = wait_status(child);
    CHECK_EQ(WTERMSIG(status), SIGQUIT);
    CHECK(WCOREDUMP(status));
    CHECK(core_exists(child));
}

TEST(every_thread_has_its_registers) {
    pid_t child = start_dying_child(by_abort_with_thread, RLIM_INFINITY, 1);
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGABRT, &size);
    if (!data)
        return;
    uint32_t n;
    const struct prstatus *first =
        (const struct prstatus *)find_note(data, size, NT_PRSTATUS, 0, &n);
    const struct prstatus *second =
        (const struct prstatus *)find_note(data, size, NT_PRSTATUS, 1, &n);
    CHECK(first != NULL && second != NULL);
    CHECK(find_note(data, size, NT_PRSTATUS, 2, &n) == NULL);
    if (first && second) {
        CHECK_EQ(first->pid, child); // the thread that aborted comes first
        CHECK(second->pid != child && second->pid > 0);
        CHECK_EQ(second->ppid, getpid());
        CHECK_EQ(second->cursig, SIGABRT);
        CHECK_EQ(second->reg[15], 34); // orig_rax: pause
    }
    free(data);
}

TEST(an_old_core_is_replaced) {
    char name[300];
    pid_t child = start_dying_child(by_quit, RLIM_INFINITY, 1);
    core_name(child, name, sizeof name);
    wait_status(child);
    // Once more, over the file the first left (its name is the same unless it has the pid).
    CHECK_OK(unlink(name));
    check_write_file("core", "old");
    CHECK_OK(chmod("core", 0644));
    child = start_dying_child(by_abort, RLIM_INFINITY, 1);
    core_name(child, name, sizeof name);
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGABRT, &size);
    struct stat st;
    CHECK_OK(stat(name, &st));
    CHECK_EQ(st.st_mode, S_IFREG | 0600);
    if (data)
        check_elf_core_header(data, size);
    free(data);
}

// The wait calls' own edge cases with a child that dumped core.
TEST(wait_of_a_dumped_child_edges) {
    pid_t child = start_dying_child(by_abort, RLIM_INFINITY, 1);
    CHECK_ERR(wait4(child, NULL, 0x10000000, NULL), EINVAL); // an unknown option
    CHECK_ERR(waitid(P_PID, child, NULL, 0), EINVAL);        // nothing to wait for
    CHECK_ERR(wait4(child, BAD_PTR, 0, NULL), EFAULT);       // reaped, the status lost
    CHECK_ERR(waitpid(child, NULL, 0), ECHILD);
    child = start_dying_child(by_abort, RLIM_INFINITY, 1);
    CHECK_ERR(waitid(P_PID, child, BAD_PTR, WEXITED), EFAULT);
    CHECK_ERR(waitpid(child, NULL, WNOHANG), ECHILD);
    CHECK_ERR(waitpid(-12345, NULL, 0), ECHILD); // no such group
}

// MADV_DONTDUMP leaves a region out (its PT_LOAD has no bytes), MADV_DODUMP puts it back.
TEST(madvise_dontdump_leaves_memory_out) {
    undumped = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(undumped != MAP_FAILED);
    pid_t child = start_dying_child(by_abort_filtered, RLIM_INFINITY, 1);
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGABRT, &size);
    if (data) {
        CHECK(dumped_at(data, size, (uint64_t)undumped) == NULL);
        const unsigned char *kept = dumped_at(data, size, (uint64_t)undumped + 4096);
        CHECK(kept != NULL);
        if (kept)
            CHECK_MEM(kept, kMarker, sizeof kMarker);
    }
    free(data);
    CHECK_ERR(madvise(undumped, 8192, 0x7777), EINVAL); // no such advice
    CHECK_ERR(madvise(undumped + 1, 4096, MADV_DONTDUMP), EINVAL); // not page aligned
    CHECK_OK(munmap(undumped, 8192));
    CHECK_ERR(madvise(undumped, 4096, MADV_DONTDUMP), ENOMEM); // not mapped
}

// coredump_filter 0: no anonymous or written private memory is dumped.
static void die_unfiltered(void) {
    check_write_file("/proc/self/coredump_filter", "0");
    set_core_limit(RLIM_INFINITY);
    memcpy(marker, kMarker, sizeof kMarker);
    abort();
}

TEST(coredump_filter_zero_dumps_no_memory) {
    pid_t child = CHECK_OK(fork());
    if (child == 0)
        die_unfiltered();
    size_t size = 0;
    unsigned char *data = dumped_core(child, SIGABRT, &size);
    if (data)
        CHECK(dumped_at(data, size, (uint64_t)marker) == NULL);
    free(data);
}
