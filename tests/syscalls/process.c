// SPDX-License-Identifier: MIT
// The process family: ids, uname, resource limits, sysinfo, getrusage, arch_prctl,
// set_tid_address, getcpu, getrandom, and what /proc shows of another process.
#include "check.h"

#include <asm/prctl.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 4
#endif

TEST(process_ids) {
    CHECK_EQ(syscall(SYS_gettid), getpid());
    CHECK(getppid() >= 0);
    CHECK_EQ(getpgid(0), getpgrp());
    CHECK_EQ(getpgid(getpid()), getpgrp());
    CHECK_EQ(getsid(getpid()), getsid(0));
    CHECK(getsid(0) >= 0); // 0 where the caller is in the kernel's own session (CI's runners)
    CHECK_ERR(getpgid(0x3ffffff0), ESRCH);
    CHECK_ERR(getsid(0x3ffffff0), ESRCH);
}

// A system call changes rax (its result), rcx and r11 (the kernel's return address and
// flags); every other register, the flags the program set (the direction flag too) and
// the vector registers are as the program left them.
TEST(system_call_keeps_registers) {
    register long r8 asm("r8") = 0x0808080808080808, r9 asm("r9") = 0x0909090909090909;
    register long r10 asm("r10") = 0x1010101010101010, r12 asm("r12") = 0x1212121212121212;
    register long r13 asm("r13") = 0x1313131313131313, r14 asm("r14") = 0x1414141414141414;
    register long r15 asm("r15") = 0x1515151515151515;
    long rbx = 0x0b0b0b0b0b0b0b0b, rdx = 0x0d0d0d0d0d0d0d0d, rsi = 0x5151515151515151;
    long rdi = 0x0d1d1d1d1d1d1d1d, result, direction;
    double vector = 2.5;
    asm volatile("std\n\t"
                 "syscall\n\t"
                 "pushfq\n\t"
                 "popq %[direction]\n\t"
                 "cld"
                 : "=a"(result), [direction] "=&g"(direction), "+b"(rbx), "+d"(rdx), "+S"(rsi),
                   "+D"(rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r12), "+r"(r13), "+r"(r14),
                   "+r"(r15), "+x"(vector)
                 : "a"((long)SYS_getppid)
                 : "rcx", "r11", "memory");
    CHECK_EQ(result, getppid());
    CHECK_EQ(direction & 0x400, 0x400);
    CHECK_EQ(rbx, 0x0b0b0b0b0b0b0b0b);
    CHECK_EQ(rdx, 0x0d0d0d0d0d0d0d0d);
    CHECK_EQ(rsi, 0x5151515151515151);
    CHECK_EQ(rdi, 0x0d1d1d1d1d1d1d1d);
    CHECK_EQ(r8, 0x0808080808080808);
    CHECK_EQ(r9, 0x0909090909090909);
    CHECK_EQ(r10, 0x1010101010101010);
    CHECK_EQ(r12, 0x1212121212121212);
    CHECK_EQ(r13, 0x1313131313131313);
    CHECK_EQ(r14, 0x1414141414141414);
    CHECK_EQ(r15, 0x1515151515151515);
    CHECK(vector == 2.5);
}

TEST(setpgid_rules) {
    CHECK_OK(setpgid(0, getpgrp())); // the group it is in
    CHECK_ERR(setpgid(0, -1), EINVAL);
    CHECK_ERR(setpgid(0x3ffffff0, 0), ESRCH);
    CHECK_ERR(setpgid(0, 0x3ffffff0), EPERM); // no such group in the session
}

TEST(set_robust_list_checks_the_size) {
    static long head[3];
    head[0] = (long)head; // an empty list points at itself
    CHECK_OK(syscall(SYS_set_robust_list, head, sizeof head));
    CHECK_ERR(syscall(SYS_set_robust_list, head, 23), EINVAL);
    CHECK_ERR(syscall(SYS_set_robust_list, head, 0), EINVAL);
}

TEST(uname_fields) {
    struct utsname names;
    CHECK_OK(uname(&names));
    CHECK_STR(names.sysname, "Linux");
    CHECK_STR(names.machine, "x86_64");
    CHECK(names.release[0] >= '0' && names.release[0] <= '9');
    char host[65];
    CHECK_OK(gethostname(host, sizeof host));
    CHECK_STR(names.nodename, host);
    CHECK_ERR(syscall(SYS_uname, BAD_PTR), EFAULT);
    // The version and domain name are the kernel's, as /proc/sys/kernel shows them.
    const char *files[] = {"/proc/sys/kernel/version", "/proc/sys/kernel/domainname"};
    const char *fields[] = {names.version, names.domainname};
    for (int i = 0; i < 2; i++) {
        char line[80] = {0};
        FILE *f = fopen(files[i], "r");
        CHECK(f != NULL);
        if (!f)
            continue;
        CHECK(fgets(line, sizeof line, f) != NULL);
        fclose(f);
        line[strcspn(line, "\n")] = 0;
        CHECK_STR(fields[i], line);
    }
}

TEST(getrlimit_and_prlimit_agree) {
    struct rlimit limit;
    struct rlimit64 old;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &limit));
    CHECK(limit.rlim_cur <= limit.rlim_max);
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
    CHECK_EQ(old.rlim_cur, limit.rlim_cur);
    CHECK_EQ(old.rlim_max, limit.rlim_max);
    CHECK_OK(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old));
    CHECK_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
}

TEST(setrlimit_rules) {
    struct rlimit limit, bad;
    CHECK_OK(getrlimit(RLIMIT_CORE, &limit));
    CHECK_OK(setrlimit(RLIMIT_CORE, &limit)); // the same: allowed
    bad.rlim_cur = 2;
    bad.rlim_max = 1;
    CHECK_ERR(setrlimit(RLIMIT_CORE, &bad), EINVAL);
    CHECK_ERR(syscall(SYS_setrlimit, RLIMIT_CORE, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_setrlimit, 99, &limit), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, 99, &limit), EINVAL);
    CHECK_ERR(syscall(SYS_getrlimit, RLIMIT_CORE, BAD_PTR), EFAULT);
    // Raising a hard limit needs CAP_SYS_RESOURCE (which even root may lack).
    struct rlimit rt;
    CHECK_OK(getrlimit(RLIMIT_RTPRIO, &rt));
    if (rt.rlim_max != RLIM_INFINITY) {
        struct rlimit higher = {rt.rlim_cur, rt.rlim_max + 1};
        if (check_capable(CAP_SYS_RESOURCE) == 0)
            CHECK_ERR(setrlimit(RLIMIT_RTPRIO, &higher), EPERM);
        else if (check_capable(CAP_SYS_RESOURCE) == 1) {
            CHECK_OK(setrlimit(RLIMIT_RTPRIO, &higher));
            CHECK_OK(setrlimit(RLIMIT_RTPRIO, &rt));
        }
    }
}

TEST(prlimit64_edge_cases) {
    struct rlimit64 limit, bad = {2, 1};
    CHECK_ERR(syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_CORE, NULL, &limit), ESRCH);
    CHECK_ERR(syscall(SYS_prlimit64, 0, 99, NULL, &limit), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_CORE, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_prlimit64, 0, RLIMIT_CORE, NULL, BAD_PTR), EFAULT);
    // The new limit is read before the target is looked for.
    CHECK_ERR(syscall(SYS_prlimit64, 0x3ffffff0, RLIMIT_CORE, BAD_PTR, NULL), EFAULT);
}

TEST(rlimit_nofile_limits_descriptors) {
    struct rlimit saved, low;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &saved));
    low.rlim_cur = 16;
    low.rlim_max = saved.rlim_max;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &low));
    int fds[32], count = 0, fd;
    while (count < 32 && (fd = open("/dev/null", O_RDONLY)) >= 0)
        fds[count++] = fd;
    CHECK_EQ(errno, EMFILE);
    CHECK(count < 16);
    CHECK(fds[count - 1] == 15);
    CHECK_ERR(dup2(0, 16), EBADF);
    CHECK_OK(dup2(0, 15 - 0 * count));
    // F_DUPFD from the limit on is EINVAL, below it EMFILE when nothing is free; poll of
    // more descriptors than the limit is EINVAL.
    CHECK_ERR(fcntl(0, F_DUPFD, 16), EINVAL);
    CHECK_ERR(fcntl(0, F_DUPFD_CLOEXEC, 16), EINVAL);
    CHECK_ERR(fcntl(0, F_DUPFD, 3), EMFILE);
    struct pollfd none[17] = {{-1, 0, 0}};
    for (int i = 0; i < 17; i++)
        none[i].fd = -1;
    CHECK_ERR(poll(none, 17, 0), EINVAL);
    CHECK_EQ(poll(none, 16, 0), 0);
    for (int i = 0; i < count; i++)
        close(fds[i]);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &saved));
    fd = CHECK_OK(dup2(0, 16));
    close(fd);
}

// The value after `key` in /proc/meminfo (kB), or -1.
static long long meminfo_kb(const char *key) {
    static char text[8192];
    if (check_read_file("/proc/meminfo", text, sizeof text) < 0)
        return -1;
    const char *at = strstr(text, key);
    long long kb = -1;
    return at && sscanf(at + strlen(key), " %lld", &kb) == 1 ? kb : -1;
}

// sysinfo is the machine's: its load averages are /proc/loadavg's, its swap and shared
// memory /proc/meminfo's, its uptime /proc/uptime's (LTP sysinfo01).
TEST(sysinfo_fields) {
    struct sysinfo info;
    char text[256];
    CHECK_OK(check_read_file("/proc/uptime", text, sizeof text));
    double uptime = 0, loads[3] = {0, 0, 0};
    CHECK_EQ(sscanf(text, "%lf", &uptime), 1);
    CHECK_OK(sysinfo(&info));
    CHECK(info.uptime >= (long)uptime && info.uptime <= (long)uptime + 2);
    CHECK(info.totalram > 0 && info.freeram <= info.totalram);
    CHECK(info.sharedram <= info.totalram && info.bufferram <= info.totalram);
    CHECK(info.freeswap <= info.totalswap);
    CHECK(info.mem_unit >= 1);
    CHECK(info.procs >= 1);
    CHECK_EQ((long long)info.totalswap * info.mem_unit / 1024, meminfo_kb("SwapTotal:"));
    CHECK_EQ((long long)info.totalram * info.mem_unit / 1024, meminfo_kb("MemTotal:"));
    CHECK_OK(check_read_file("/proc/loadavg", text, sizeof text));
    CHECK_EQ(sscanf(text, "%lf %lf %lf", &loads[0], &loads[1], &loads[2]), 3);
    for (int i = 0; i < 3; i++) {
        double load = (double)info.loads[i] / (1 << SI_LOAD_SHIFT);
        CHECK(load > loads[i] - 0.1 && load < loads[i] + 0.1);
    }
    CHECK_ERR(syscall(SYS_sysinfo, BAD_PTR), EFAULT);
}

TEST(getrusage_reports_the_process) {
    // User and system time split the CPU time as the ticks sampled it: run until there is
    // some of either.
    struct rusage self, thread, children;
    do {
        check_burn_cpu(1000000);
        CHECK_OK(getrusage(RUSAGE_SELF, &self));
    } while (self.ru_utime.tv_sec + self.ru_utime.tv_usec + self.ru_stime.tv_sec +
                 self.ru_stime.tv_usec == 0);
    CHECK(self.ru_maxrss > 100); // KiB
    CHECK(self.ru_utime.tv_usec < 1000000 && self.ru_stime.tv_usec < 1000000);
    CHECK(self.ru_minflt > 0);
    CHECK_OK(getrusage(RUSAGE_THREAD, &thread));
    CHECK(thread.ru_utime.tv_sec <= self.ru_utime.tv_sec);
    CHECK(thread.ru_maxrss > 100);
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &children));
    CHECK_EQ(children.ru_utime.tv_sec, 0);
    CHECK_EQ(children.ru_utime.tv_usec, 0);
    CHECK_ERR(getrusage(5, &self), EINVAL);
    CHECK_ERR(getrusage(-3, &self), EINVAL);
    CHECK_ERR(syscall(SYS_getrusage, RUSAGE_SELF, BAD_PTR), EFAULT);
}

TEST(arch_prctl_fs) {
    unsigned long fs = 0, self;
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
    __asm__("mov %%fs:0, %0" : "=r"(self));
    CHECK_EQ(fs, self); // glibc's thread pointer points at itself
    CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
    CHECK_ERR(syscall(SYS_arch_prctl, 0x9999, 0), EINVAL);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_GET_FS, BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 0x800000000000UL), EPERM);
    CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_FS, 0x7ffffffff000UL), EPERM);
}

// Whether the processors fault cpuid on request: the kernel's cpuid_fault feature in the
// flags line of /proc/cpuinfo.
static int cpuid_faulting(void) {
    static char text[65536];
    if (check_read_file("/proc/cpuinfo", text, sizeof text) < 0)
        return 0;
    char *flags = strstr(text, "\nflags");
    if (!flags)
        return 0;
    char *end = strchr(flags + 1, '\n');
    if (end)
        *end = 0;
    return strstr(flags, " cpuid_fault ") || (end && strstr(flags, " cpuid_fault") == end - 12);
}

// ARCH_GET_CPUID: cpuid runs (1); ARCH_SET_CPUID: ENODEV on processors without cpuid
// faulting, whatever is asked (LTP arch_prctl01); with it, enabling is 0.
TEST(arch_prctl_cpuid) {
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, BAD_PTR), 1); // no pointer: not read
    if (cpuid_faulting()) {
        CHECK_OK(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1));
    } else {
        CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1), ENODEV);
        CHECK_ERR(syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0), ENODEV);
    }
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0), 1);
}

TEST(set_tid_address_returns_the_tid) {
    static int word;
    CHECK_EQ(syscall(SYS_set_tid_address, &word), syscall(SYS_gettid));
    CHECK_EQ(syscall(SYS_set_tid_address, BAD_PTR), syscall(SYS_gettid)); // not checked
    CHECK_EQ(syscall(SYS_set_tid_address, NULL), syscall(SYS_gettid));
}

TEST(getcpu_answers_a_processor) {
    unsigned cpu = 99999, node = 99999;
    CHECK_OK(syscall(SYS_getcpu, &cpu, &node, NULL));
    CHECK(cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
    CHECK(node < 1024);
    CHECK_OK(syscall(SYS_getcpu, NULL, NULL, NULL));
    CHECK_ERR(syscall(SYS_getcpu, BAD_PTR, NULL, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_getcpu, NULL, BAD_PTR, NULL), EFAULT);
    CHECK(sched_getcpu() >= 0);
}

TEST(getrandom_flags) {
    unsigned char a[64] = {0}, b[64] = {0}, zero[64] = {0};
    CHECK_EQ(getrandom(a, sizeof a, 0), sizeof a);
    CHECK_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), sizeof b);
    CHECK(memcmp(a, zero, sizeof a) != 0 && memcmp(a, b, sizeof a) != 0);
    CHECK_EQ(getrandom(b, sizeof b, GRND_RANDOM), sizeof b);
    CHECK_EQ(getrandom(b, sizeof b, GRND_INSECURE), sizeof b);
    CHECK_EQ(getrandom(b, 0, 0), 0);
    CHECK_ERR(syscall(SYS_getrandom, b, sizeof b, 8), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, b, sizeof b, GRND_INSECURE | GRND_RANDOM), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, BAD_PTR, sizeof b, 0), EFAULT);
    CHECK_ERR(syscall(SYS_getrandom, BAD_PTR, 0x7fffffff, 0x80), EINVAL); // flags first
}

TEST(prctl_thread_name) {
    char name[32] = {0}, saved[16];
    CHECK_OK(prctl(PR_GET_NAME, saved));
    CHECK_STR(saved, "syscalls_proces"); // the program's file name, cut to 15 bytes
    CHECK_OK(prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"));
    CHECK_OK(prctl(PR_GET_NAME, name));
    CHECK_STR(name, "abcdefghijklmno");
    CHECK_ERR(prctl(PR_SET_NAME, BAD_PTR), EFAULT);
    CHECK_ERR(prctl(PR_GET_NAME, BAD_PTR), EFAULT);
    CHECK_OK(prctl(PR_SET_NAME, saved));
}

TEST(prctl_process_settings) {
    CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
    CHECK_ERR(prctl(PR_SET_DUMPABLE, 2), EINVAL);
    CHECK_OK(prctl(PR_SET_DUMPABLE, 1));
    int sig = -1;
    CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
    CHECK_EQ(sig, 0);
    CHECK_OK(prctl(PR_SET_PDEATHSIG, SIGUSR1));
    CHECK_OK(prctl(PR_GET_PDEATHSIG, &sig));
    CHECK_EQ(sig, SIGUSR1);
    CHECK_OK(prctl(PR_SET_PDEATHSIG, 0));
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
    CHECK_ERR(prctl(PR_GET_PDEATHSIG, BAD_PTR), EFAULT);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) >= 0);
    CHECK_ERR(prctl(9999), EINVAL);
}

// /proc/PID of a child: its stat's pid, name, parent and group, its status lines, its
// cmdline as exec laid it out, its exe link, and the /proc listing that names it.
TEST(proc_shows_another_process) {
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t child = fork();
    if (child == 0) {
        // A program with known arguments, which waits until the parent has looked.
        dup2(ready[1], 3), dup2(release[0], 4);
        execl("/bin/sh", "sh", "-c", "echo x >&3; read line <&4", "proc-arg", (char *)0);
        _exit(127);
    }
    close(ready[1]), close(release[0]);
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1); // the shell runs
    char path[64], text[4096], expected[256];
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    CHECK(check_read_file(path, text, sizeof text) > 0);
    snprintf(expected, sizeof expected, "%d (sh) ", child);
    CHECK(strncmp(text, expected, strlen(expected)) == 0);
    int pid = 0, parent = 0, group = 0;
    char state = 0;
    CHECK_EQ(sscanf(text, "%d (sh) %c %d %d", &pid, &state, &parent, &group), 4);
    CHECK_EQ(parent, getpid());
    CHECK_EQ(group, getpgrp());
    snprintf(path, sizeof path, "/proc/%d/status", child);
    CHECK(check_read_file(path, text, sizeof text) > 0);
    CHECK(strstr(text, "Name:\tsh\n") != NULL);
    snprintf(expected, sizeof expected, "\nPid:\t%d\nPPid:\t%d\n", child, getpid());
    CHECK(strstr(text, expected) != NULL);
    snprintf(path, sizeof path, "/proc/%d/cmdline", child);
    static const char cmdline[] = "sh\0-c\0echo x >&3; read line <&4\0proc-arg";
    CHECK_EQ(check_read_file(path, text, sizeof text), (ssize_t)sizeof cmdline);
    CHECK(memcmp(text, cmdline, sizeof cmdline) == 0);
    snprintf(path, sizeof path, "/proc/%d/exe", child);
    char link[256] = {0}, real[256] = {0};
    CHECK(readlink(path, link, sizeof link - 1) > 0);
    CHECK(realpath("/bin/sh", real) != NULL);
    CHECK_STR(link, real);
    snprintf(path, sizeof path, "/proc/%d", child);
    CHECK_OK(access(path, F_OK));
    CHECK_EQ(write(release[1], "\n", 1), 1);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR(access(path, F_OK), ENOENT); // reaped: gone
    close(ready[0]), close(release[1]);
}

// RLIMIT_CPU: what a child busy on the CPU under limits {soft, hard} (seconds) saw. Its
// SIGXCPU handler counts the signals in a shared page and notes the soft limit then.
static volatile long long *cpu_limit_seen; // [0] SIGXCPUs, [1] the soft limit at the last
static void count_sigxcpu(int sig) {
    struct rlimit now;
    (void)sig;
    getrlimit(RLIMIT_CPU, &now);
    cpu_limit_seen[0]++;
    cpu_limit_seen[1] = (long long)now.rlim_cur;
}

static int wait_status_under_cpu_limit(rlim_t soft, rlim_t hard, int handled) {
    cpu_limit_seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(cpu_limit_seen != MAP_FAILED);
    pid_t child = fork();
    if (child == 0) {
        struct rlimit limit = {soft, hard};
        if (handled)
            signal(SIGXCPU, count_sigxcpu);
        alarm(120); // only if the limit never comes
        if (setrlimit(RLIMIT_CPU, &limit) != 0)
            _exit(1);
        for (;;)
            ;
    }
    int status = 0;
    CHECK_EQ(waitpid(child, &status, 0), child);
    return status;
}

// Linux's check_process_timers: SIGXCPU at the soft limit, which then moves on a second
// (so the signal repeats every CPU second), SIGKILL at the hard one; SIGXCPU's default
// action ends the process. Limits a fork's child inherits, its CPU time counted from 0.
// Last in this file: the children's CPU time would be in getrusage's RUSAGE_CHILDREN.
TEST(rlimit_cpu_sends_sigxcpu_then_sigkill) {
    int status = wait_status_under_cpu_limit(1, 2, 1);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGKILL);
    CHECK_EQ(cpu_limit_seen[0], 1);
    CHECK_EQ(cpu_limit_seen[1], 2);
    munmap((void *)cpu_limit_seen, 4096);
    status = wait_status_under_cpu_limit(1, RLIM_INFINITY, 0);
    CHECK(WIFSIGNALED(status));
    CHECK_EQ(WTERMSIG(status), SIGXCPU);
    munmap((void *)cpu_limit_seen, 4096);
}
