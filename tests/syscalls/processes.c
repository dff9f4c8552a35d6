// SPDX-License-Identifier: MIT
// The processes family: fork, vfork, clone of a process, posix_spawn, execve and execveat
// (in place, #! scripts, close-on-exec, signal dispositions, failures that return),
// wait4 and waitid (exit codes, signal statuses, stops and continues, WNOHANG, WNOWAIT,
// which children a pid selects), SIGCHLD and its siginfo, SA_NOCLDWAIT, zombies and
// orphans, kill to other processes and groups, setpgid/getpgid/setsid/getsid, open
// file descriptions shared between processes, and flock and record locks between them.
// A child reports through its exit code or a pipe; nothing waits on time, and every
// child ends on a condition its parent sets.
// The program re-executes itself with "--child-..." as argv[1] to look at what exec
// kept (see helper_mode).
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// This program's absolute path, for the re-executed helpers and #! lines.
static char self_path[PATH_MAX];

// ---- the helper modes of a re-executed copy ----------------------------------------------

// What descriptor `fd` is after exec: 0 closed, 1 open, 2 open with FD_CLOEXEC, 3 other.
static int descriptor_state(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags == -1)
        return errno == EBADF ? 0 : 3;
    return flags & FD_CLOEXEC ? 2 : 1;
}

// What exec kept of the signal state its parent set up (signal_state_after_exec): each
// bit a difference from Linux's answer.
static int signal_state_differences(void) {
    struct sigaction usr1, usr2;
    sigaction(SIGUSR1, NULL, &usr1);
    sigaction(SIGUSR2, NULL, &usr2);
    sigset_t blocked, pending;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    sigpending(&pending);
    return (usr1.sa_handler != SIG_DFL ? 1 : 0) | (usr2.sa_handler != SIG_IGN ? 2 : 0) |
           (!sigismember(&blocked, SIGTERM) ? 4 : 0) | (!sigismember(&pending, SIGINT) ? 8 : 0);
}

// Writes argc and every argument, one a line, to argv.out in the working directory.
static int write_arguments(int argc, char **argv) {
    FILE *out = fopen("argv.out", "w");
    if (!out)
        return 1;
    fprintf(out, "%d\n", argc);
    for (int i = 0; i < argc; i++)
        fprintf(out, "%s\n", argv[i]);
    return fclose(out) == 0 ? 0 : 1;
}

// Runs before the tests register: a copy started with "--child-..." answers through its
// exit code and ends.
__attribute__((constructor(101))) static void helper_mode(int argc, char **argv, char **envp) {
    // Started with an empty argv (and this in its environment): it got one empty argument.
    for (char **e = envp; *e; e++)
        if (strcmp(*e, "SYSCALLS_CHILD_EMPTY_ARGV=1") == 0)
            _exit(argc == 1 && argv[0][0] == 0 && argv[1] == NULL ? 0 : 10 + argc);
    if (argc >= 2 && strncmp(argv[1], "--child-argv", 12) == 0)
        _exit(write_arguments(argc, argv));
    if (argc == 4 && strcmp(argv[1], "--child-fds") == 0)
        _exit(descriptor_state(atoi(argv[2])) + 4 * descriptor_state(atoi(argv[3])));
    if (argc == 3 && strcmp(argv[1], "--child-exit") == 0)
        _exit(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "--child-signals") == 0)
        _exit(signal_state_differences());
    if (argc == 4 && strcmp(argv[1], "--child-ids") == 0)
        _exit((getpid() == atoi(argv[2]) ? 0 : 1) | (getppid() == atoi(argv[3]) ? 0 : 2));
    if (argc >= 1 && !realpath(argv[0], self_path) &&
        readlink("/proc/self/exe", self_path, sizeof self_path - 1) < 0)
        self_path[0] = 0;
}

// ---- helpers -------------------------------------------------------------------------------

// In a child: a condition that must hold, else the child says where and exits with 100.
#define CHILD_CHECK(cond)                                                                   \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            dprintf(1, "  child FAIL (%s:%d): %s (errno %s)\n", __FILE__, __LINE__, #cond,  \
                    strerror(errno));                                                       \
            _exit(100);                                                                     \
        }                                                                                   \
    } while (0)

// Waits for child `pid` to end (restarting after a handler ran) and returns its status.
static int reap(pid_t pid) {
    int status = -1;
    pid_t got;
    do
        got = waitpid(pid, &status, 0);
    while (got == -1 && errno == EINTR);
    if (got != pid)
        check_fail(__FILE__, __LINE__, "waitpid(%d) gave %d (%s)", pid, got, strerror(errno));
    return status;
}

// The exit code of a child that must have exited (-1 otherwise).
static int exit_code(pid_t pid) {
    int status = reap(pid);
    if (!WIFEXITED(status)) {
        check_fail(__FILE__, __LINE__, "child %d did not exit: status %#x", pid, status);
        return -1;
    }
    return WEXITSTATUS(status);
}

// A child that blocks until `release` (a pipe's read end) has EOF or a byte, then exits
// with `code`. The caller closes its copy of the write end to release it.
static pid_t blocked_child(int release[2], int code) {
    pid_t pid = check_fork_held(release);
    if (pid == 0)
        _exit(code);
    return pid;
}

static void close_pair(int fds[2]) {
    close(fds[0]);
    close(fds[1]);
}

// Lets a blocked_child go: a byte, as other children may hold copies of the write end.
static void release_child(int release[2]) {
    CHECK_EQ(write(release[1], "x", 1), 1);
    close_pair(release);
}

// Child `pid` must end by signal `sig` without a core: waitid's view (kept), then wait4's.
static void check_killed(pid_t pid, int sig) {
    siginfo_t info;
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    CHECK_EQ(info.si_code, CLD_KILLED);
    CHECK_EQ(info.si_status, sig);
    int status = reap(pid);
    CHECK_EQ(status, sig);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sig && !WCOREDUMP(status));
    CHECK(!WIFEXITED(status));
}

// In a child about to crash: no core, whatever the system's core_pattern (not dumpable,
// RLIMIT_CORE 0), so Linux reports no core-dump bit.
static void no_core_dump(void) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    prctl(PR_SET_DUMPABLE, 0);
}

// A child that runs `path` with `argv` (and this environment); 127 if it cannot.
static pid_t spawn_program(const char *path, char *const argv[]) {
    pid_t pid = fork();
    if (pid == 0) {
        execve(path, argv, environ);
        _exit(127);
    }
    return pid;
}

// Catches `sig` with `fn` (SA_SIGINFO and `flags`).
static int catch_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    return sigaction(sig, &sa, NULL);
}

// Blocks `sig`; the mask before in `old`.
static void block_signal(int sig, sigset_t *old) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, sig);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, old));
}

// A file `name` of one page, mapped MAP_SHARED: memory two processes share.
static void *map_shared_file(const char *name) {
    int fd = CHECK_OK(open(name, O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, 4096));
    void *memory = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    CHECK(memory != MAP_FAILED);
    return memory;
}

// Reads exactly `size` bytes from `fd` (0 on EOF first, -1 on error).
static ssize_t read_full(int fd, void *buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, (char *)buffer + done, size - done);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0)
            return n;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

// ---- fork and the exit status ------------------------------------------------------------

TEST(fork_returns_the_child_pid_and_zero) {
    int ids[2];
    CHECK_OK(pipe(ids));
    pid_t parent = getpid();
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pid_t mine[2] = {getpid(), getppid()};
        write(ids[1], mine, sizeof mine);
        _exit(0);
    }
    CHECK(pid > 0 && pid != parent);
    pid_t seen[2];
    CHECK_EQ(read_full(ids[0], seen, sizeof seen), sizeof seen);
    CHECK_EQ(seen[0], pid);
    CHECK_EQ(seen[1], parent);
    CHECK_EQ(exit_code(pid), 0);
    close_pair(ids);
}

TEST(wait4_exit_codes) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(42);
    int status;
    struct rusage usage;
    CHECK_EQ(wait4(pid, &status, 0, &usage), pid);
    CHECK_EQ(status, 42 << 8);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42 && !WIFSIGNALED(status));
    // Only the low 8 bits of the code survive.
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(256 + 7);
    CHECK_EQ(wait4(pid, &status, 0, NULL), pid);
    CHECK_EQ(status, 7 << 8);
    // exit() runs the handlers and flushes; the status is the same.
    pid = CHECK_OK(fork());
    if (pid == 0)
        exit(0);
    CHECK_EQ(wait4(pid, NULL, 0, NULL), pid); // a null status is allowed
    CHECK_ERR(wait4(pid, &status, 0, NULL), ECHILD); // reaped
}

TEST(wait4_edge_cases) {
    int status;
    CHECK_ERR(syscall(SYS_wait4, -1, &status, 0x1000, NULL), EINVAL); // unknown option
    CHECK_ERR(syscall(SYS_wait4, INT_MIN, &status, 0, NULL), ESRCH);
    CHECK_ERR(syscall(SYS_wait4, getpid(), &status, 0, NULL), ECHILD); // not a child
    // A bad status pointer: EFAULT, and the child is reaped all the same.
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(3);
    siginfo_t info;
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT)); // it has ended
    CHECK_ERR(syscall(SYS_wait4, pid, BAD_PTR, 0, NULL), EFAULT);
    CHECK_ERR(waitpid(pid, &status, WNOHANG), ECHILD);
}

TEST(waitid_exit_codes) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(42);
    siginfo_t info;
    memset(&info, 0xff, sizeof info);
    CHECK_EQ(waitid(P_PID, pid, &info, WEXITED), 0);
    CHECK_EQ(info.si_signo, SIGCHLD);
    CHECK_EQ(info.si_code, CLD_EXITED);
    CHECK_EQ(info.si_pid, pid);
    CHECK_EQ(info.si_uid, getuid());
    CHECK_EQ(info.si_status, 42);
    CHECK_EQ(info.si_errno, 0);
    CHECK_ERR(waitid(P_PID, pid, &info, WEXITED), ECHILD);
}

TEST(waitid_edge_cases) {
    siginfo_t info;
    CHECK_ERR(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), ECHILD);
    CHECK_ERR(waitid(P_ALL, 0, &info, 0), EINVAL); // nothing to wait for
    CHECK_ERR(waitid(P_ALL, 0, &info, WEXITED | 0x1000), EINVAL);
    CHECK_ERR(syscall(SYS_waitid, 42, 0, &info, WEXITED, NULL), EINVAL); // unknown type
    CHECK_ERR(syscall(SYS_waitid, P_PID, 0, &info, WEXITED, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_waitid, P_PGID, -1, &info, WEXITED, NULL), EINVAL);
    // A null infop is allowed; a bad one is EFAULT, and the child is reaped all the same.
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_EQ(syscall(SYS_waitid, P_PID, pid, NULL, WEXITED, NULL), 0);
    CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    CHECK_ERR(syscall(SYS_waitid, P_PID, pid, BAD_PTR, WEXITED, NULL), EFAULT);
    CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);
}

TEST(killed_by_sigkill) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t pid = blocked_child(release, 0);
    CHECK_OK(kill(pid, SIGKILL));
    check_killed(pid, SIGKILL);
    close_pair(release);
}

// A real fault: SIGSEGV ends the child, CLD_KILLED and no core-dump bit (0x80).
TEST(killed_by_a_fault) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dump();
        int *volatile nowhere = BAD_PTR;
        *nowhere = 1;
        _exit(1);
    }
    check_killed(pid, SIGSEGV);
    // abort(): SIGABRT, the same way.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dump();
        abort();
    }
    check_killed(pid, SIGABRT);
    // A signal the child sends itself.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        raise(SIGTERM);
        _exit(1);
    }
    CHECK_EQ(reap(pid), SIGTERM);
}

TEST(wait4_reports_the_child_cpu_time) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        check_burn_cpu(100 * 1000 * 1000LL);
        _exit(0);
    }
    int status;
    struct rusage usage;
    CHECK_EQ(wait4(pid, &status, 0, &usage), pid);
    long long us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL +
                   usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
    CHECK(us >= 50 * 1000);
    struct rusage children;
    CHECK_OK(getrusage(RUSAGE_CHILDREN, &children));
    CHECK(children.ru_utime.tv_sec * 1000000LL + children.ru_utime.tv_usec +
              children.ru_stime.tv_sec * 1000000LL + children.ru_stime.tv_usec >=
          50 * 1000);
}

// ---- which children a wait selects ---------------------------------------------------------

TEST(wnohang_with_a_running_child_and_without_children) {
    int status;
    CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
    CHECK_ERR(wait(&status), ECHILD);
    int release[2];
    CHECK_OK(pipe(release));
    pid_t pid = blocked_child(release, 4);
    CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
    CHECK_EQ(waitpid(-1, &status, WNOHANG), 0);
    siginfo_t info;
    memset(&info, 0xff, sizeof info);
    CHECK_EQ(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), 0);
    CHECK_EQ(info.si_pid, 0); // nothing to report: Linux clears the fields
    CHECK_EQ(info.si_signo, 0);
    release_child(release);
    CHECK_EQ(exit_code(pid), 4);
}

TEST(wait_for_a_pid_or_any) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t blocked = blocked_child(release, 1);
    pid_t quick = CHECK_OK(fork());
    if (quick == 0)
        _exit(2);
    int status;
    CHECK_EQ(waitpid(-1, &status, 0), quick); // the only one that can end
    CHECK_EQ(status, 2 << 8);
    CHECK_ERR(waitpid(quick, &status, 0), ECHILD);
    CHECK_EQ(waitpid(blocked, &status, WNOHANG), 0);
    release_child(release);
    CHECK_EQ(waitpid(blocked, &status, 0), blocked);
    CHECK_EQ(status, 1 << 8);
    CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
}

TEST(wait_for_the_same_group_or_another) {
    int release_same[2], release_other[2];
    CHECK_OK(pipe(release_same));
    CHECK_OK(pipe(release_other));
    pid_t same = blocked_child(release_same, 1);
    pid_t other = blocked_child(release_other, 2);
    CHECK_OK(setpgid(other, other));
    release_child(release_other);
    int status;
    CHECK_EQ(waitpid(0, &status, WNOHANG), 0); // `other` is not in the caller's group
    CHECK_EQ(waitpid(-other, &status, 0), other);
    CHECK_EQ(status, 2 << 8);
    CHECK_ERR(waitpid(-other, &status, WNOHANG), ECHILD);
    release_child(release_same);
    CHECK_EQ(waitpid(0, &status, 0), same);
    CHECK_EQ(status, 1 << 8);
}

TEST(waitid_by_pid_group_and_any_with_wnowait) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(5);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);
    CHECK_EQ(info.si_pid, pid);
    CHECK_EQ(info.si_status, 5);
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_ALL, 0, &info, WEXITED | WNOWAIT), 0); // still there
    CHECK_EQ(info.si_pid, pid);
    CHECK_EQ(kill(pid, 0), 0); // a zombie
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_PGID, 0, &info, WEXITED | WNOWAIT), 0); // 0: the caller's group
    CHECK_EQ(info.si_pid, pid);
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_PGID, getpgrp(), &info, WEXITED), 0);
    CHECK_EQ(info.si_pid, pid);
    CHECK_EQ(info.si_code, CLD_EXITED);
    CHECK_ERR(waitid(P_PID, pid, &info, WEXITED), ECHILD);
}

// ---- stops and continues -------------------------------------------------------------------

TEST(stopped_and_continued_children) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t pid = blocked_child(release, 6);
    CHECK_OK(kill(pid, SIGSTOP));
    int status;
    CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
    CHECK_EQ(status, (SIGSTOP << 8) | 0x7f);
    CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
    CHECK_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0); // reported once
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_EQ(waitpid(pid, &status, WCONTINUED), pid);
    CHECK_EQ(status, 0xffff);
    CHECK(WIFCONTINUED(status));
    CHECK_EQ(waitpid(pid, &status, WCONTINUED | WNOHANG), 0);
    // The same through waitid.
    CHECK_OK(kill(pid, SIGSTOP));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_PID, pid, &info, WSTOPPED), 0);
    CHECK_EQ(info.si_code, CLD_STOPPED);
    CHECK_EQ(info.si_status, SIGSTOP);
    CHECK_EQ(info.si_pid, pid);
    // A stopped child is not reported without WUNTRACED.
    CHECK_EQ(waitpid(pid, &status, WNOHANG), 0);
    CHECK_OK(kill(pid, SIGCONT));
    memset(&info, 0, sizeof info);
    CHECK_EQ(waitid(P_PID, pid, &info, WCONTINUED), 0);
    CHECK_EQ(info.si_code, CLD_CONTINUED);
    CHECK_EQ(info.si_status, SIGCONT);
    release_child(release);
    CHECK_EQ(exit_code(pid), 6);
}

// ---- SIGCHLD ------------------------------------------------------------------------------

static volatile sig_atomic_t chld_count, chld_code, chld_status;
static volatile long chld_pid;

static void on_sigchld(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    chld_count++;
    chld_code = info->si_code;
    chld_status = info->si_status;
    chld_pid = info->si_pid;
}

static void install_sigchld(int flags) {
    CHECK_OK(catch_signal(SIGCHLD, on_sigchld, flags));
    chld_count = chld_code = chld_status = 0;
    chld_pid = 0;
}

// Waits (sigsuspend, SIGCHLD blocked outside it) until the handler has run `count` times.
static void wait_for_sigchld(int count, const sigset_t *outside) {
    sigset_t during = *outside;
    sigdelset(&during, SIGCHLD);
    while (chld_count < count)
        sigsuspend(&during);
}

static void restore_sigchld(const sigset_t *old) {
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, old, NULL);
}

// Runs the SIGCHLD handler for a change wait has seen: on Linux the child's SIGCHLD is
// pending by then (the kernel sends it before the change can be waited for).
static void take_pending_sigchld(const sigset_t *outside) {
    sigset_t pending;
    sigpending(&pending);
    if (!sigismember(&pending, SIGCHLD)) {
        check_fail(__FILE__, __LINE__, "SIGCHLD is not pending");
        return;
    }
    wait_for_sigchld(chld_count + 1, outside);
}

TEST(sigchld_siginfo) {
    sigset_t old;
    block_signal(SIGCHLD, &old);
    install_sigchld(0);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(7);
    siginfo_t info;
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    take_pending_sigchld(&old);
    CHECK_EQ(chld_count, 1);
    CHECK_EQ(chld_code, CLD_EXITED);
    CHECK_EQ(chld_status, 7);
    CHECK_EQ(chld_pid, pid);
    CHECK_EQ(exit_code(pid), 7);
    int release[2];
    CHECK_OK(pipe(release));
    pid = blocked_child(release, 0);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    take_pending_sigchld(&old);
    CHECK_EQ(chld_code, CLD_KILLED);
    CHECK_EQ(chld_status, SIGKILL);
    CHECK_EQ(chld_pid, pid);
    CHECK_EQ(reap(pid), SIGKILL);
    close_pair(release);
    restore_sigchld(&old);
}

// With SA_NOCLDWAIT, or SIGCHLD ignored, a child leaves no zombie: wait blocks until it
// has ended, then answers ECHILD.
TEST(sa_nocldwait_and_ignored_sigchld_leave_no_zombie) {
    sigset_t none;
    sigemptyset(&none);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(1);
    int status;
    CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
    CHECK_ERR(kill(pid, 0), ESRCH);
    signal(SIGCHLD, SIG_IGN);
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(1);
    CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
    CHECK_ERR(kill(pid, 0), ESRCH);
    // A handler with SA_NOCLDWAIT still runs.
    sigset_t old;
    block_signal(SIGCHLD, &old);
    install_sigchld(SA_NOCLDWAIT);
    pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(9);
    wait_for_sigchld(1, &old);
    CHECK_EQ(chld_pid, pid);
    CHECK_EQ(chld_status, 9);
    CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
    restore_sigchld(&old);
}

// ---- kill to other processes ---------------------------------------------------------------

static volatile sig_atomic_t usr1_seen;
static volatile long usr1_pid, usr1_code;

static void on_usr1(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)context;
    usr1_seen = 1;
    usr1_pid = info->si_pid;
    usr1_code = info->si_code;
}

// The child catches SIGUSR1 (ready once it says so), checks the sender, and answers
// through the pipe.
TEST(kill_and_tgkill_reach_a_child_with_a_handler) {
    for (int use_tgkill = 0; use_tgkill < 2; use_tgkill++) {
        int to_parent[2];
        CHECK_OK(pipe(to_parent));
        pid_t parent = getpid();
        pid_t pid = CHECK_OK(fork());
        if (pid == 0) {
            sigset_t old;
            block_signal(SIGUSR1, &old);
            catch_signal(SIGUSR1, on_usr1, 0);
            write(to_parent[1], "r", 1);
            while (!usr1_seen)
                sigsuspend(&old);
            char answer = usr1_pid == parent && usr1_code == (use_tgkill ? SI_TKILL : SI_USER)
                              ? 's'
                              : 'x';
            write(to_parent[1], &answer, 1);
            _exit(0);
        }
        close(to_parent[1]);
        char byte = 0;
        CHECK_EQ(read(to_parent[0], &byte, 1), 1);
        CHECK_EQ(byte, 'r');
        long sent = use_tgkill ? syscall(SYS_tgkill, pid, pid, SIGUSR1) : kill(pid, SIGUSR1);
        CHECK_EQ(sent, 0);
        if (sent != 0) { // the child would wait for ever
            kill(pid, SIGKILL);
            reap(pid);
            close(to_parent[0]);
            continue;
        }
        CHECK_EQ(read(to_parent[0], &byte, 1), 1);
        CHECK_EQ(byte, 's');
        CHECK_EQ(exit_code(pid), 0);
        close(to_parent[0]);
    }
    CHECK_ERR(syscall(SYS_tgkill, getpid(), getpid() + 100000, SIGUSR1), ESRCH);
}

TEST(kill_a_process_group) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t first = blocked_child(release, 0);
    pid_t second = blocked_child(release, 0);
    CHECK_OK(setpgid(first, first));
    CHECK_OK(setpgid(second, first));
    CHECK_EQ(getpgid(second), first);
    CHECK_EQ(kill(-first, 0), 0);
    CHECK_OK(kill(-first, SIGTERM));
    CHECK_EQ(reap(first), SIGTERM);
    CHECK_EQ(reap(second), SIGTERM);
    CHECK_ERR(kill(-first, 0), ESRCH);
    CHECK_ERR(killpg(first, SIGTERM), ESRCH);
    close_pair(release);
}

// ---- process groups and sessions -----------------------------------------------------------

TEST(setpgid_of_a_child_from_the_parent) {
    int release[2], report[2];
    CHECK_OK(pipe(release));
    CHECK_OK(pipe(report));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        check_await_release(release);
        pid_t group = getpgrp();
        write(report[1], &group, sizeof group);
        _exit(0);
    }
    CHECK_EQ(getpgid(pid), getpgrp()); // inherited
    CHECK_EQ(getsid(pid), getsid(0));
    CHECK_OK(setpgid(pid, 0)); // 0: the pid itself
    CHECK_EQ(getpgid(pid), pid);
    CHECK_OK(setpgid(pid, getpgrp())); // and back into the caller's group
    CHECK_EQ(getpgid(pid), getpgrp());
    CHECK_OK(setpgid(pid, pid));
    CHECK_EQ(write(release[1], "g", 1), 1);
    pid_t group = 0;
    CHECK_EQ(read_full(report[0], &group, sizeof group), sizeof group);
    CHECK_EQ(group, pid);
    CHECK_EQ(exit_code(pid), 0);
    close_pair(release);
    close_pair(report);
}

TEST(setpgid_errors) {
    CHECK_ERR(setpgid(0, -1), EINVAL);
    CHECK_ERR(setpgid(getppid(), getppid()), ESRCH); // not the caller nor its child
    CHECK_ERR(setpgid(INT_MAX, 0), ESRCH);
    // A child in a session of its own: its group is not one the caller may join, nor may
    // the caller move it.
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pid_t session = setsid();
        write(ready[1], &session, sizeof session);
        check_await_release(release);
        _exit(0);
    }
    close(release[0]);
    pid_t session = 0;
    CHECK_EQ(read_full(ready[0], &session, sizeof session), sizeof session);
    CHECK_EQ(session, pid);
    CHECK_ERR(setpgid(0, pid), EPERM);
    CHECK_ERR(setpgid(pid, pid), EPERM);
    CHECK_ERR(setpgid(pid, getpgrp()), EPERM);
    close(release[1]);
    CHECK_EQ(exit_code(pid), 0);
    close(ready[0]);
    close(ready[1]);
    // In a child: a group that does not exist in the session.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        errno = 0;
        CHILD_CHECK(setpgid(0, INT_MAX) == -1 && errno == EPERM);
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
}

// A child that has exec'd can no longer be moved by its parent (EACCES). The exec is
// known to have happened when a close-on-exec pipe end the child held has closed.
TEST(setpgid_of_a_child_after_exec) {
    int execed[2], input[2];
    CHECK_OK(pipe2(execed, O_CLOEXEC));
    CHECK_OK(pipe(input));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        dup2(input[0], 0);
        close(input[0]);
        close(input[1]);
        close(execed[0]);
        execl("/bin/cat", "cat", (char *)NULL);
        _exit(127);
    }
    close(execed[1]);
    close(input[0]);
    char byte;
    CHECK_EQ(read(execed[0], &byte, 1), 0); // EOF: exec closed the child's end
    CHECK_ERR(setpgid(pid, pid), EACCES);
    close(input[1]);
    CHECK_EQ(exit_code(pid), 0);
    close(execed[0]);
}

TEST(setsid_in_a_child) {
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHILD_CHECK(setsid() == getpid());
        CHILD_CHECK(getsid(0) == getpid());
        CHILD_CHECK(getpgrp() == getpid());
        errno = 0;
        CHILD_CHECK(setsid() == -1 && errno == EPERM); // a group leader now
        write(ready[1], "r", 1);
        check_await_release(release);
        _exit(0);
    }
    close(release[0]);
    char byte = 0;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    CHECK_EQ(getsid(pid), pid);
    CHECK_EQ(getpgid(pid), pid);
    CHECK(getsid(0) != pid);
    close(release[1]);
    CHECK_EQ(exit_code(pid), 0);
    close_pair(ready);
    // A process group leader cannot make a session.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        CHILD_CHECK(setpgid(0, 0) == 0);
        errno = 0;
        CHILD_CHECK(setsid() == -1 && errno == EPERM);
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
}

TEST(getpgid_and_getsid) {
    CHECK_EQ(getpgid(0), getpgrp());
    CHECK_EQ(getpgid(getpid()), getpgrp());
    CHECK_EQ(getsid(getpid()), getsid(0));
    CHECK_ERR(getpgid(INT_MAX), ESRCH);
    CHECK_ERR(getsid(INT_MAX), ESRCH);
    CHECK_ERR(getpgid(-1), ESRCH);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    CHECK_EQ(exit_code(pid), 0);
    CHECK_ERR(getpgid(pid), ESRCH); // reaped
    CHECK_ERR(getsid(pid), ESRCH);
    CHECK_ERR(kill(pid, 0), ESRCH);
}

// ---- exec --------------------------------------------------------------------------------

TEST(execve_of_true_and_a_shell) {
    char *true_argv[] = {"true", NULL};
    CHECK_EQ(exit_code(CHECK_OK(spawn_program("/bin/true", true_argv))), 0);
    char *sh_argv[] = {"sh", "-c", "exit 3", NULL};
    CHECK_EQ(exit_code(CHECK_OK(spawn_program("/bin/sh", sh_argv))), 3);
}

// A failed exec returns its errno and the program goes on, with its descriptors.
// /proc/self/exe names the program that runs (here this test program), which execve runs
// again: the named test alone, in the child.
TEST(execve_of_proc_self_exe) {
    char *argv[] = {"syscalls_processes", "execve_of_true_and_a_shell", NULL};
    pid_t pid = CHECK_OK(spawn_program("/proc/self/exe", argv));
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status));
    CHECK_EQ(WEXITSTATUS(status), 0);
}

TEST(execve_failures_return) {
    mkdir("dir", 0755);
    check_write_file("plain", "exit 3\n");
    chmod("plain", 0644);
    check_write_file("text", "exit 3\n");
    chmod("text", 0755);
    check_write_file("no-interpreter", "#!/no/such/interpreter\n");
    chmod("no-interpreter", 0755);
    symlink("loop-a", "loop-b");
    symlink("loop-b", "loop-a");
    int keep = CHECK_OK(open("plain", O_RDONLY));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pid_t self = getpid();
        char *argv[] = {"x", NULL};
        char *exit_1[] = {self_path, "--child-exit", "1", NULL};
        errno = 0;
        CHILD_CHECK(execve("missing", argv, environ) == -1 && errno == ENOENT);
        CHILD_CHECK(execve("", argv, environ) == -1 && errno == ENOENT);
        CHILD_CHECK(execve("plain", argv, environ) == -1 && errno == EACCES);
        CHILD_CHECK(execve("dir", argv, environ) == -1 && errno == EACCES);
        CHILD_CHECK(execve("text", argv, environ) == -1 && errno == ENOEXEC);
        CHILD_CHECK(execve("no-interpreter", argv, environ) == -1 && errno == ENOENT);
        CHILD_CHECK(execve("plain/x", argv, environ) == -1 && errno == ENOTDIR);
        CHILD_CHECK(execve("loop-a", argv, environ) == -1 && errno == ELOOP);
        CHILD_CHECK(syscall(SYS_execve, BAD_PTR, argv, environ) == -1 && errno == EFAULT);
        CHILD_CHECK(syscall(SYS_execve, self_path, BAD_PTR, environ) == -1 && errno == EFAULT);
        CHILD_CHECK(syscall(SYS_execve, self_path, exit_1, BAD_PTR) == -1 && errno == EFAULT);
        // (were they run, the helper would exit with 1)
        char *bad_item[] = {self_path, "--child-exit", BAD_PTR, NULL};
        CHILD_CHECK(syscall(SYS_execve, self_path, bad_item, environ) == -1 && errno == EFAULT);
        static char long_name[PATH_MAX + 10];
        memset(long_name, 'a', sizeof long_name - 1);
        CHILD_CHECK(execve(long_name, argv, environ) == -1 && errno == ENAMETOOLONG);
        // Still the same process, with its descriptors and memory.
        char byte;
        CHILD_CHECK(getpid() == self);
        CHILD_CHECK(pread(keep, &byte, 1, 0) == 1 && byte == 'e');
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
    close(keep);
}

// An empty argv reaches the new program as one empty argument (Linux 5.18), so that code
// starting at argv[1] does not walk into the environment; a null argv alike.
TEST(execve_with_an_empty_argv) {
    char *empty[] = {NULL};
    char *env[] = {"SYSCALLS_CHILD_EMPTY_ARGV=1", NULL};
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        execve(self_path, empty, env);
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        syscall(SYS_execve, self_path, NULL, env);
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
}

TEST(execveat_forms) {
    int bin = CHECK_OK(open("/bin", O_RDONLY | O_DIRECTORY));
    int true_fd = CHECK_OK(open("/bin/true", O_RDONLY));
    symlink(self_path, "link-to-self");
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char *argv[] = {"true", NULL};
        char *exit_1[] = {self_path, "--child-exit", "1", NULL};
        errno = 0;
        CHILD_CHECK(syscall(SYS_execveat, AT_FDCWD, "link-to-self", exit_1, environ,
                            AT_SYMLINK_NOFOLLOW) == -1 &&
                    errno == ELOOP);
        CHILD_CHECK(syscall(SYS_execveat, AT_FDCWD, self_path, exit_1, environ, 0x4) == -1 &&
                    errno == EINVAL);
        CHILD_CHECK(syscall(SYS_execveat, 9999, "true", argv, environ, 0) == -1 &&
                    errno == EBADF);
        CHILD_CHECK(syscall(SYS_execveat, true_fd, "x", argv, environ, 0) == -1 &&
                    errno == ENOTDIR);
        syscall(SYS_execveat, bin, "true", argv, environ, 0);
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
    pid = CHECK_OK(fork());
    if (pid == 0) {
        char *argv[] = {"true", NULL};
        syscall(SYS_execveat, true_fd, "", argv, environ, AT_EMPTY_PATH); // fexecve
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
    close(bin);
    close(true_fd);
}

// Reads argv.out, which a --child-argv helper wrote, into `text`.
static void read_arguments(char *text, size_t size) {
    memset(text, 0, size);
    int fd = open("argv.out", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(read(fd, text, size - 1) > 0);
        close(fd);
    }
}

// A #! script: the interpreter gets its name from the #! line, the line's one argument
// (spaces and all, trailing blanks dropped), the script's path as execve was given it,
// then the arguments after argv[0].
TEST(execve_of_a_script) {
    char line[PATH_MAX + 64];
    snprintf(line, sizeof line, "#!%s --child-argv  a b \t\nignored\n", self_path);
    CHECK(strlen(line) < 256);
    check_write_file("script", line);
    chmod("script", 0755);
    char *argv[] = {"name", "one", "two", NULL};
    CHECK_EQ(exit_code(CHECK_OK(spawn_program("./script", argv))), 0);
    char text[4096], expected[PATH_MAX + 64];
    read_arguments(text, sizeof text);
    snprintf(expected, sizeof expected, "5\n%s\n--child-argv  a b\n./script\none\ntwo\n",
             self_path);
    CHECK_STR(text, expected);
    // Without an argument on the line; a shell script.
    check_write_file("bare", "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$0\" \"$1\" \"$#\" >sh.out\n");
    chmod("bare", 0755);
    char *bare_argv[] = {"whatever", "first arg", NULL};
    CHECK_EQ(exit_code(CHECK_OK(spawn_program("bare", bare_argv))), 0);
    int fd = CHECK_OK(open("sh.out", O_RDONLY));
    char out[256] = {0};
    CHECK(read(fd, out, sizeof out - 1) > 0);
    CHECK_STR(out, "bare|first arg|1\n");
    close(fd);
}

// The re-executed copy with `mode` and up to two more arguments; its exit code.
static int run_helper(const char *mode, const char *a, const char *b) {
    char *argv[] = {self_path, (char *)mode, (char *)a, (char *)b, NULL};
    return exit_code(spawn_program(self_path, argv));
}

TEST(close_on_exec) {
    int closed = CHECK_OK(open("/dev/null", O_RDONLY | O_CLOEXEC));
    int kept = CHECK_OK(open("/dev/null", O_RDONLY));
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", closed);
    snprintf(b, sizeof b, "%d", kept);
    CHECK_EQ(run_helper("--child-fds", a, b), 0 + 4 * 1);
    // FD_CLOEXEC set and cleared with fcntl, dup3's O_CLOEXEC, dup's copy without it.
    CHECK_OK(fcntl(kept, F_SETFD, FD_CLOEXEC));
    CHECK_OK(fcntl(closed, F_SETFD, 0));
    CHECK_EQ(run_helper("--child-fds", a, b), 1 + 4 * 0);
    int dup_cloexec = CHECK_OK(dup3(closed, 50, O_CLOEXEC));
    int dup_plain = CHECK_OK(dup(kept));
    snprintf(a, sizeof a, "%d", dup_cloexec);
    snprintf(b, sizeof b, "%d", dup_plain);
    CHECK_EQ(run_helper("--child-fds", a, b), 0 + 4 * 1);
    int ends[2];
    CHECK_OK(pipe2(ends, O_CLOEXEC));
    snprintf(a, sizeof a, "%d", ends[0]);
    snprintf(b, sizeof b, "%d", ends[1]);
    CHECK_EQ(run_helper("--child-fds", a, b), 0);
    close_pair(ends);
    close(closed), close(kept), close(dup_cloexec), close(dup_plain);
}

// exec resets caught signals to their default action, keeps ignored ones ignored, and
// keeps the mask and what is pending.
TEST(signal_state_after_exec) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        catch_signal(SIGUSR1, on_usr1, 0);
        signal(SIGUSR2, SIG_IGN);
        sigset_t block;
        sigemptyset(&block);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, NULL);
        raise(SIGINT);
        char *argv[] = {self_path, "--child-signals", NULL};
        execve(self_path, argv, environ);
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
}

TEST(pid_and_parent_stay_across_exec) {
    char a[16], b[16];
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        snprintf(a, sizeof a, "%d", getpid());
        snprintf(b, sizeof b, "%d", getppid());
        char *argv[] = {self_path, "--child-ids", a, b, NULL};
        execve(self_path, argv, environ);
        _exit(127);
    }
    CHECK_EQ(exit_code(pid), 0);
}

// ---- open file descriptions shared between processes ---------------------------------------

TEST(shared_offset_and_status_flags_after_fork) {
    check_write_file("data", "abcdefghi");
    int fd = CHECK_OK(open("data", O_RDONLY));
    char buffer[4] = {0};
    CHECK_EQ(read(fd, buffer, 3), 3);
    CHECK_STR(buffer, "abc");
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char mine[4] = {0};
        CHILD_CHECK(read(fd, mine, 3) == 3 && strcmp(mine, "def") == 0);
        CHILD_CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK); // the child's change is the parent's
    CHECK_EQ(read(fd, buffer, 3), 3);
    CHECK_STR(buffer, "ghi");
    close(fd);
    // A descriptor opened after the fork is not shared.
    fd = CHECK_OK(open("data", O_RDONLY));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        int own = open("data", O_RDONLY);
        char c;
        CHILD_CHECK(read(own, &c, 1) == 1 && c == 'a');
        CHILD_CHECK(lseek(own, 5, SEEK_SET) == 5);
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    close(fd);
}

// Two processes appending to one file: no record is lost or torn.
TEST(o_append_writers_in_two_processes) {
    enum { kRecords = 500, kSize = 16 };
    int fd = CHECK_OK(open("log", O_WRONLY | O_CREAT | O_APPEND, 0644));
    int other = CHECK_OK(open("log", O_WRONLY | O_APPEND)); // a description of its own
    pid_t pid = CHECK_OK(fork());
    char record[kSize + 1];
    if (pid == 0) {
        for (int i = 0; i < kRecords; i++) {
            snprintf(record, sizeof record, "child  %08d\n", i);
            CHILD_CHECK(write(other, record, kSize) == kSize);
        }
        _exit(0);
    }
    for (int i = 0; i < kRecords; i++) {
        snprintf(record, sizeof record, "parent %08d\n", i);
        CHECK_EQ(write(fd, record, kSize), kSize);
    }
    CHECK_EQ(exit_code(pid), 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 2 * kRecords * kSize);
    FILE *log = fopen("log", "r");
    int parent = 0, child = 0, next_parent = 0, next_child = 0;
    char line[64];
    while (log && fgets(line, sizeof line, log)) {
        int n;
        if (sscanf(line, "parent %d", &n) == 1 && n == next_parent)
            parent++, next_parent++;
        else if (sscanf(line, "child  %d", &n) == 1 && n == next_child)
            child++, next_child++;
    }
    if (log)
        fclose(log);
    CHECK_EQ(parent, kRecords);
    CHECK_EQ(child, kRecords);
    close(fd);
    close(other);
}

// A pipe reads EOF only once every write end, in every process, has closed.
TEST(pipe_eof_after_every_writer_closes) {
    int data[2], closed[2], release[2];
    CHECK_OK(pipe(data));
    CHECK_OK(pipe(closed));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(data[0]);
        close(release[1]);
        char byte;
        read(release[0], &byte, 1); // first
        write(data[1], "w", 1);
        close(data[1]);
        write(closed[1], "c", 1);
        read(release[0], &byte, 1); // then stays alive until the parent is done
        _exit(0);
    }
    close(data[1]);
    close(release[0]);
    struct pollfd poll_data = {data[0], POLLIN, 0};
    CHECK_EQ(poll(&poll_data, 1, 0), 0); // the child's end is still open
    CHECK_EQ(write(release[1], "1", 1), 1);
    char byte;
    CHECK_EQ(read(closed[0], &byte, 1), 1);
    CHECK_EQ(read(data[0], &byte, 1), 1);
    CHECK_EQ(byte, 'w');
    CHECK_EQ(read(data[0], &byte, 1), 0); // EOF
    close(release[1]);
    CHECK_EQ(exit_code(pid), 0);
    close(data[0]);
    close_pair(closed);
}

// The reader's process ends: a writer gets EPIPE and SIGPIPE, which kills it by default.
TEST(sigpipe_when_the_reader_process_ends) {
    int ends[2];
    CHECK_OK(pipe(ends));
    pid_t reader = CHECK_OK(fork());
    if (reader == 0)
        _exit(0); // with its copy of both ends
    close(ends[0]);
    CHECK_EQ(exit_code(reader), 0);
    pid_t writer = CHECK_OK(fork());
    if (writer == 0) {
        write(ends[1], "x", 1);
        _exit(0);
    }
    CHECK_EQ(reap(writer), SIGPIPE);
    // Blocked: EPIPE, and SIGPIPE pending for the writing thread.
    sigset_t block, old, pending;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
    CHECK_ERR(write(ends[1], "x", 1), EPIPE);
    CHECK_OK(sigpending(&pending));
    CHECK(sigismember(&pending, SIGPIPE));
    struct timespec zero = {0, 0};
    CHECK_EQ(CHECK_OK(sigtimedwait(&block, NULL, &zero)), SIGPIPE);
    signal(SIGPIPE, SIG_IGN); // were it still pending, it would end the test
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    signal(SIGPIPE, SIG_DFL);
    close(ends[1]);
}

TEST(a_pipe_between_two_processes_carries_everything) {
    enum { kBytes = 1 << 20 };
    int ends[2];
    CHECK_OK(pipe(ends));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(ends[0]);
        static unsigned char chunk[4096];
        for (int i = 0; i < kBytes; i += (int)sizeof chunk) {
            for (size_t j = 0; j < sizeof chunk; j++)
                chunk[j] = (unsigned char)((i + (int)j) * 7);
            CHILD_CHECK(write(ends[1], chunk, sizeof chunk) == (ssize_t)sizeof chunk);
        }
        _exit(0);
    }
    close(ends[1]);
    long total = 0, wrong = 0;
    unsigned char buffer[8192];
    ssize_t n;
    while ((n = read(ends[0], buffer, sizeof buffer)) > 0) {
        for (ssize_t j = 0; j < n; j++)
            wrong += buffer[j] != (unsigned char)((total + j) * 7);
        total += n;
    }
    CHECK_EQ(n, 0);
    CHECK_EQ(total, kBytes);
    CHECK_EQ(wrong, 0);
    CHECK_EQ(exit_code(pid), 0);
    close(ends[0]);
}

// After fork, MAP_SHARED memory (anonymous or a file's) is the same memory in both
// processes; MAP_PRIVATE memory is each one's copy.
TEST(shared_and_private_memory_after_fork) {
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *private = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check_write_file("mapped", "0000");
    int fd = CHECK_OK(open("mapped", O_RDWR));
    char *file = mmap(NULL, 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(shared != MAP_FAILED && private != MAP_FAILED && file != MAP_FAILED);
    if (shared == MAP_FAILED || private == MAP_FAILED || file == MAP_FAILED)
        return;
    *shared = 1, *private = 1;
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHILD_CHECK(*shared == 1 && *private == 1 && file[0] == '0');
        *shared = 42, *private = 42;
        file[0] = 'c';
        _exit(0);
    }
    CHECK_EQ(exit_code(pid), 0);
    CHECK_EQ(*shared, 42);
    CHECK_EQ(*private, 1);
    CHECK_EQ(file[0], 'c');
    char byte = 0;
    CHECK_EQ(pread(fd, &byte, 1, 0), 1);
    CHECK_EQ(byte, 'c');
    munmap(shared, 4096), munmap(private, 4096), munmap(file, 4);
    close(fd);
}

// A futex in a file two processes map (MAP_SHARED, not FUTEX_PRIVATE_FLAG): a wake in
// one process reaches a waiter in the other, as sem_post reaches sem_wait (Python's
// multiprocessing locks). The parent wakes until the child has ended; the child's
// timeout only keeps a lost wake from hanging the run (it then fails).
TEST(futex_shared_between_processes) {
    atomic_int *word = map_shared_file("futex"); // a file: sem_open's kind
    if (word == MAP_FAILED)
        return;
    atomic_store(word, 0);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct timespec guard = {20, 0};
        while (atomic_load(word) == 0)
            if (syscall(SYS_futex, word, FUTEX_WAIT, 0, &guard, NULL, 0) == -1 &&
                errno == ETIMEDOUT)
                _exit(1);
        _exit(0);
    }
    atomic_store(word, 1);
    int status = 0;
    pid_t got;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
        syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
        sched_yield();
    }
    CHECK_EQ(got, pid);
    CHECK_EQ(status, 0);
    munmap(word, 4096);
}

// A process-shared POSIX semaphore in a file both map (as sem_open makes and Python's
// multiprocessing locks use): the child waits in sem_wait, the parent posts.
TEST(semaphore_shared_between_processes) {
    sem_t *semaphore = map_shared_file("semaphore");
    if (semaphore == MAP_FAILED)
        return;
    CHECK_OK(sem_init(semaphore, 1, 0));
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        write(ready[1], "r", 1);
        struct timespec guard; // only so that a lost post fails instead of hanging
        clock_gettime(CLOCK_REALTIME, &guard);
        guard.tv_sec += 20;
        while (sem_timedwait(semaphore, &guard) == -1)
            if (errno != EINTR)
                _exit(1);
        _exit(0);
    }
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    CHECK_OK(sem_post(semaphore));
    CHECK_EQ(exit_code(pid), 0);
    sem_destroy(semaphore);
    munmap(semaphore, 4096);
    close_pair(ready);
}

// ---- vfork, posix_spawn, clone -------------------------------------------------------------

TEST(vfork_child_exits_or_execs) {
    pid_t pid = vfork();
    if (pid == 0)
        _exit(9);
    CHECK(pid > 0);
    CHECK_EQ(exit_code(pid), 9);
    // The parent resumes once the child has exec'd: what the child wrote before is there.
    int ends[2];
    CHECK_OK(pipe2(ends, O_NONBLOCK));
    pid = vfork();
    if (pid == 0) {
        write(ends[1], "v", 1);
        char *argv[] = {"true", NULL};
        execve("/bin/true", argv, environ);
        _exit(127);
    }
    char byte = 0;
    CHECK_EQ(read(ends[0], &byte, 1), 1);
    CHECK_EQ(byte, 'v');
    CHECK_EQ(exit_code(pid), 0);
    // A failed exec in the child: the child goes on to _exit with the errno.
    pid = vfork();
    if (pid == 0) {
        char *argv[] = {"missing", NULL};
        execve("missing", argv, environ);
        _exit(errno);
    }
    CHECK_EQ(exit_code(pid), ENOENT);
    close_pair(ends);
}

TEST(posix_spawn_runs_and_reports_exec_errors) {
    pid_t pid = 0;
    char *argv[] = {"true", NULL};
    CHECK_EQ(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ), 0);
    CHECK(pid > 0);
    CHECK_EQ(exit_code(pid), 0);
    char *missing[] = {"missing", NULL};
    CHECK_EQ(posix_spawn(&pid, "./missing", NULL, NULL, missing, environ), ENOENT);
    // (a PATH of directories anyone may search: else EACCES, as for a user in /root/...)
    char *path = strdup(getenv("PATH") ? getenv("PATH") : "");
    setenv("PATH", "/usr/bin:/bin", 1);
    CHECK_EQ(posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, missing, environ),
             ENOENT);
    setenv("PATH", path, 1);
    free(path);
    CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD); // the failed child was reaped by glibc
    // File actions: the child's stdout is a pipe.
    int ends[2];
    CHECK_OK(pipe(ends));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, ends[1], 1);
    posix_spawn_file_actions_addclose(&actions, ends[0]);
    char *echo[] = {"echo", "spawned", NULL};
    CHECK_EQ(posix_spawn(&pid, "/bin/echo", &actions, NULL, echo, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(ends[1]);
    char out[32] = {0};
    CHECK_EQ(read_full(ends[0], out, 8), 8);
    CHECK_STR(out, "spawned\n");
    CHECK_EQ(exit_code(pid), 0);
    close(ends[0]);
}

static int clone_child(void *arg) {
    return (int)(long)arg + (getppid() > 0 ? 0 : 1);
}

TEST(clone_of_a_process) {
    enum { kStack = 64 * 1024 };
    char *stack = malloc(kStack);
    pid_t parent_tid = 0;
    pid_t pid = CHECK_OK(clone(clone_child, stack + kStack, SIGCHLD | CLONE_PARENT_SETTID,
                               (void *)33L, &parent_tid));
    CHECK_EQ(parent_tid, pid);
    CHECK_EQ(exit_code(pid), 33);
    // Raw, without a stack: fork.
    pid = (pid_t)CHECK_OK(syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL));
    if (pid == 0)
        _exit(34);
    CHECK_EQ(exit_code(pid), 34);
    // Another exit signal than SIGCHLD (SIGURG: ignored by default): a "clone" child,
    // which only __WCLONE or __WALL wait for.
    pid = CHECK_OK(clone(clone_child, stack + kStack, SIGURG, (void *)35L));
    int status;
    CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
    CHECK_EQ(waitpid(pid, &status, __WALL), pid);
    CHECK_EQ(status, 35 << 8);
    pid = CHECK_OK(clone(clone_child, stack + kStack, 0, (void *)36L));
    CHECK_EQ(waitpid(pid, &status, __WCLONE), pid);
    CHECK_EQ(status, 36 << 8);
    free(stack);
}

// ---- zombies, orphans, exit of a process with threads --------------------------------------

// /proc/PID/NAME of process `pid` into `text` (NUL-terminated): its length, or -1.
static ssize_t read_proc(pid_t pid, const char *name, char *text, size_t size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    ssize_t n = check_read_file(path, text, size);
    return n > 0 ? n : -1;
}

// After the name in /proc/PID/stat (which may hold anything), or null.
static const char *after_name(pid_t pid, char *text, size_t size) {
    return read_proc(pid, "stat", text, size) < 0 ? NULL : strrchr(text, ')');
}

static int process_state(pid_t pid, int *parent) {
    char text[512];
    const char *end = after_name(pid, text, sizeof text);
    char state = 0;
    if (!end || sscanf(end + 1, " %c %d", &state, parent) != 2)
        return -1;
    return state;
}

// The state letter /proc/PID/status shows ("State:\tS (sleeping)"), or -1.
static int status_state(pid_t pid) {
    char text[1024];
    if (read_proc(pid, "status", text, sizeof text) < 0)
        return -1;
    char *line = strstr(text, "\nState:\t");
    return line ? line[8] : -1;
}

// utime + stime of /proc/PID/stat (fields 14 and 15), in clock ticks, or -1.
static long cpu_ticks(pid_t pid) {
    char text[1024];
    const char *end = after_name(pid, text, sizeof text);
    unsigned long user, system;
    if (!end || sscanf(end + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &user,
                       &system) != 2)
        return -1;
    return (long)(user + system);
}

// Another process's CPU time shows in its /proc/PID/stat: a child that used a third of a
// second has at least 25 ticks (USER_HZ 100) there.
TEST(proc_pid_stat_shows_the_cpu_time_of_another_process) {
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        check_burn_cpu(330000000);
        write(ready[1], "r", 1);
        check_await_release(release);
        _exit(0);
    }
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    long ticks = cpu_ticks(pid);
    CHECK(ticks >= 25);
    CHECK(ticks < 1000);
    release_child(release);
    CHECK_EQ(exit_code(pid), 0);
    close_pair(ready);
}

// /proc/PID/fd of another process lists its descriptors and shows where each leads: a
// file by its path, a pipe as pipe:[inode], /dev/null; an unused number is ENOENT.
TEST(proc_pid_fd_of_another_process) {
    int release[2], ready[2];
    CHECK_OK(pipe(release));
    CHECK_OK(pipe(ready));
    int file = CHECK_OK(open("data", O_CREAT | O_WRONLY, 0644));
    char cwd[512];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        dup2(file, 40);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 41);
        close(null);
        close(file);
        close(ready[0]);
        close(release[1]);
        write(ready[1], "r", 1);
        close(ready[1]);
        check_await_release(release);
        _exit(0);
    }
    close(file);
    close(ready[1]);
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    char dir[64], path[96], link[600], expected[600];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR *listing = opendir(dir);
    CHECK(listing != NULL);
    int seen40 = 0, seen41 = 0, seen_file = 0;
    for (struct dirent *e; listing && (e = readdir(listing)) != NULL;) {
        seen40 |= strcmp(e->d_name, "40") == 0;
        seen41 |= strcmp(e->d_name, "41") == 0;
        seen_file |= e->d_name[0] != '.' && atoi(e->d_name) == file;
    }
    if (listing)
        closedir(listing);
    CHECK(seen40 && seen41);
    CHECK(!seen_file); // the child closed it
    snprintf(path, sizeof path, "%s/40", dir);
    snprintf(expected, sizeof expected, "%s/data", cwd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    CHECK(n > 0);
    link[n > 0 ? n : 0] = 0;
    CHECK_STR(link, expected);
    snprintf(path, sizeof path, "%s/41", dir);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK_STR(link, "/dev/null");
    struct stat pipe_stat;
    CHECK_OK(fstat(release[0], &pipe_stat));
    snprintf(path, sizeof path, "%s/%d", dir, release[0]);
    snprintf(expected, sizeof expected, "pipe:[%lu]", (unsigned long)pipe_stat.st_ino);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK_STR(link, expected);
    snprintf(path, sizeof path, "%s/%d", dir, release[1]); // the child closed its copy
    CHECK_ERR(readlink(path, link, sizeof link), ENOENT);
    release_child(release);
    CHECK_EQ(exit_code(pid), 0);
    close(ready[0]);
}

TEST(zombie_until_waited) {
    pid_t pid = CHECK_OK(fork());
    if (pid == 0)
        _exit(0);
    siginfo_t info;
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_EQ(kill(pid, SIGKILL), 0); // a zombie takes signals and ignores them
    CHECK_EQ(getpgid(pid), getpgrp());
    CHECK_EQ(exit_code(pid), 0);
    CHECK_ERR(kill(pid, 0), ESRCH);
}

TEST(proc_pid_stat_of_children) {
    int release[2];
    CHECK_OK(pipe(release));
    pid_t pid = blocked_child(release, 0);
    int parent = 0, state, status_line;
    do // the child blocks soon (and may run a moment between the two reads on a busy machine)
        state = process_state(pid, &parent), status_line = status_state(pid);
    while (state == 'R' || status_line == 'R');
    CHECK_EQ(state, 'S');
    CHECK_EQ(status_line, 'S');
    CHECK_EQ(parent, getpid());
    CHECK_OK(kill(pid, SIGSTOP));
    int status;
    CHECK_EQ(waitpid(pid, &status, WUNTRACED), pid);
    CHECK_EQ(process_state(pid, &parent), 'T');
    CHECK_EQ(status_state(pid), 'T');
    CHECK_OK(kill(pid, SIGKILL));
    siginfo_t info;
    CHECK_OK(waitid(P_PID, pid, &info, WEXITED | WNOWAIT));
    CHECK_EQ(process_state(pid, &parent), 'Z');
    CHECK_EQ(reap(pid), SIGKILL);
    CHECK_EQ(process_state(pid, &parent), -1);
    close_pair(release);
}

// A grandchild whose parent ended belongs to the nearest subreaper: this process, which
// is the guest's first process under bascule and a subreaper natively.
TEST(orphan_is_reparented) {
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 1));
    int report[2], from_grandchild[2], go[2];
    CHECK_OK(pipe(report));
    CHECK_OK(pipe(from_grandchild));
    int hold[2];
    CHECK_OK(pipe(hold));
    CHECK_OK(pipe(go));
    pid_t middle = CHECK_OK(fork());
    if (middle == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            close(go[1]);
            pid_t first = getppid();
            write(from_grandchild[1], &first, sizeof first);
            write(hold[1], "h", 1); // its parent may end now
            char byte;
            read(go[0], &byte, 1); // its parent has been reaped
            pid_t now = getppid();
            for (int i = 0; i < 100000 && now == first; i++) {
                sched_yield();
                now = getppid();
            }
            write(from_grandchild[1], &now, sizeof now);
            _exit(0);
        }
        write(report[1], &grandchild, sizeof grandchild);
        char byte;
        read(hold[0], &byte, 1);
        _exit(0);
    }
    close(go[0]);
    pid_t grandchild = 0, first = 0, now = 0;
    CHECK_EQ(read_full(report[0], &grandchild, sizeof grandchild), sizeof grandchild);
    CHECK_EQ(read_full(from_grandchild[0], &first, sizeof first), sizeof first);
    CHECK_EQ(first, middle);
    CHECK_EQ(exit_code(middle), 0);
    CHECK_EQ(write(go[1], "g", 1), 1);
    CHECK_EQ(read_full(from_grandchild[0], &now, sizeof now), sizeof now);
    CHECK_EQ(now, getpid());
    CHECK_EQ(exit_code(grandchild), 0); // the new parent reaps it
    CHECK_OK(prctl(PR_SET_CHILD_SUBREAPER, 0));
    close_pair(report);
    close_pair(from_grandchild);
    close_pair(hold);
    close(go[1]);
}

static void *block_forever(void *arg) {
    char byte;
    read(*(int *)arg, &byte, 1);
    return NULL;
}

static void *exit_group_77(void *arg) {
    (void)arg;
    syscall(SYS_exit_group, 77);
    return NULL;
}

TEST(exit_group_of_a_child_with_threads) {
    int never[2];
    CHECK_OK(pipe(never));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t threads[3];
        for (int i = 0; i < 2; i++)
            pthread_create(&threads[i], NULL, block_forever, &never[0]);
        pthread_create(&threads[2], NULL, exit_group_77, NULL);
        block_forever(&never[0]);
        _exit(1);
    }
    CHECK_EQ(exit_code(pid), 77);
    // The main thread ends with pthread_exit; the last thread's exit ends the process
    // with its code.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, exit_group_77, NULL);
        pthread_exit(NULL);
    }
    CHECK_EQ(exit_code(pid), 77);
    // A fatal signal to one thread ends them all.
    pid = CHECK_OK(fork());
    if (pid == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, block_forever, &never[0]);
        raise(SIGKILL);
        _exit(1);
    }
    CHECK_EQ(reap(pid), SIGKILL);
    close_pair(never);
}

// The child of a process with threads has only the thread that forked.
static void *fork_from_a_thread(void *arg) {
    pid_t pid = fork();
    if (pid == 0) {
        FILE *status = fopen("/proc/self/status", "r");
        char line[128];
        int threads = -1;
        while (status && fgets(line, sizeof line, status))
            if (sscanf(line, "Threads: %d", &threads) == 1)
                break;
        _exit(threads);
    }
    *(pid_t *)arg = pid;
    return NULL;
}

TEST(fork_in_a_process_with_threads) {
    int never[2];
    CHECK_OK(pipe(never));
    pthread_t blocked, forker;
    CHECK_EQ(pthread_create(&blocked, NULL, block_forever, &never[0]), 0);
    pid_t pid = 0;
    CHECK_EQ(pthread_create(&forker, NULL, fork_from_a_thread, &pid), 0);
    CHECK_EQ(pthread_join(forker, NULL), 0);
    CHECK(pid > 0);
    CHECK_EQ(exit_code(pid), 1);
    CHECK_EQ(write(never[1], "x", 1), 1);
    CHECK_EQ(pthread_join(blocked, NULL), 0);
    close_pair(never);
}

// ---- locks between processes -------------------------------------------------------------

// Until child `pid` sleeps (in the blocking call it makes next).
static void wait_until_blocked(pid_t pid) {
    int parent;
    while (process_state(pid, &parent) != 'S')
        sched_yield();
}

// A handler that tells the child it ran, through `handled` (async-signal-safe).
static int handled_fd = -1;
static void on_usr1_tell(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)info, (void)context;
    write(handled_fd, "h", 1);
}

// wait4 that a handled signal interrupts fails with EINTR, and with SA_RESTART starts
// again and reports the child: never the kernel's internal ERESTARTSYS (512), which bascule
// once returned as if it were a pid. The child signals the parent once it sleeps (in wait4);
// without SA_RESTART it signals again each time the parent sleeps until released, in case
// a signal landed before the parent was in wait4.
TEST(wait4_interrupted_by_a_handled_signal) {
    for (int restart = 0; restart < 2; restart++) {
        int handled[2], release[2];
        CHECK_OK(pipe(handled));
        CHECK_OK(pipe(release));
        handled_fd = handled[1];
        CHECK_OK(catch_signal(SIGUSR1, on_usr1_tell, restart ? SA_RESTART : 0));
        pid_t parent = getpid();
        pid_t pid = CHECK_OK(fork());
        if (pid == 0) {
            close(release[1]);
            struct pollfd released = {release[0], POLLIN, 0};
            do {
                wait_until_blocked(parent);
                CHILD_CHECK(kill(parent, SIGUSR1) == 0);
                char byte;
                CHILD_CHECK(read(handled[0], &byte, 1) == 1);
            } while (!restart && poll(&released, 1, 10) == 0);
            _exit(5);
        }
        int status = 0;
        long got = wait4(pid, &status, 0, NULL);
        if (restart) {
            CHECK_EQ(got, pid);
        } else {
            CHECK_EQ(got, -1);
            CHECK_EQ(errno, EINTR);
            CHECK_EQ(write(release[1], "x", 1), 1);
            got = wait4(pid, &status, 0, NULL);
            CHECK_EQ(got, pid);
        }
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
        close_pair(handled);
        close_pair(release);
        signal(SIGUSR1, SIG_DFL);
    }
}

// flock after fork: parent and child hold one lock, the open file's. A description the
// child opens itself conflicts with it, waits, and gets it once the parent unlocks.
TEST(flock_between_processes) {
    int fd = CHECK_OK(open("lockfile", O_RDWR | O_CREAT, 0644));
    CHECK_OK(flock(fd, LOCK_EX));
    int waiting[2], got[2], release[2];
    CHECK_OK(pipe(waiting));
    CHECK_OK(pipe(got));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHILD_CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0); // the parent's lock is this one
        int own = open("lockfile", O_RDONLY);
        CHILD_CHECK(flock(own, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK);
        write(waiting[1], "w", 1);
        CHILD_CHECK(flock(own, LOCK_SH) == 0);
        write(got[1], "g", 1);
        check_await_release(release);
        _exit(0);
    }
    char byte;
    CHECK_EQ(read(waiting[0], &byte, 1), 1);
    wait_until_blocked(pid);
    struct pollfd granted = {got[0], POLLIN, 0};
    CHECK_EQ(poll(&granted, 1, 0), 0);
    CHECK_OK(flock(fd, LOCK_UN));
    CHECK_EQ(read(got[0], &byte, 1), 1);
    CHECK_ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK); // the child's shared lock
    CHECK_OK(flock(fd, LOCK_SH | LOCK_NB));
    release_child(release);
    CHECK_EQ(exit_code(pid), 0);
    CHECK_OK(flock(fd, LOCK_EX | LOCK_NB)); // the child's lock ended with it
    close(fd);
    close_pair(waiting);
    close_pair(got);
}

static int *lock_signals; // in memory parent and child share

static void count_lock_signal(int sig, siginfo_t *info, void *context) {
    (void)sig, (void)info, (void)context;
    (*lock_signals)++;
}

// A flock wait ends with EINTR for a handler without SA_RESTART, and goes on after one
// with SA_RESTART.
TEST(flock_wait_and_signals) {
    lock_signals = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(lock_signals != MAP_FAILED);
    int fd = CHECK_OK(open("lockfile", O_RDWR | O_CREAT, 0644));
    CHECK_OK(flock(fd, LOCK_EX));
    int ready[2];
    CHECK_OK(pipe(ready));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHILD_CHECK(catch_signal(SIGUSR1, count_lock_signal, SA_RESTART) == 0);
        CHILD_CHECK(catch_signal(SIGUSR2, count_lock_signal, 0) == 0);
        int own = open("lockfile", O_RDWR);
        write(ready[1], "1", 1);
        CHILD_CHECK(flock(own, LOCK_EX) == -1 && errno == EINTR); // SIGUSR2
        write(ready[1], "2", 1);
        CHILD_CHECK(flock(own, LOCK_EX) == 0); // SIGUSR1 ran, then the parent unlocked
        CHILD_CHECK(*lock_signals == 2);
        _exit(0);
    }
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    wait_until_blocked(pid);
    CHECK_OK(kill(pid, SIGUSR2));
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    wait_until_blocked(pid);
    CHECK_OK(kill(pid, SIGUSR1));
    while (*lock_signals < 2)
        sched_yield();
    CHECK_OK(flock(fd, LOCK_UN));
    CHECK_EQ(exit_code(pid), 0);
    close(fd);
    close_pair(ready);
    munmap(lock_signals, 4096);
}

// F_GETLK names the process that holds a conflicting record lock by its pid.
TEST(fcntl_getlk_names_another_process) {
    int fd = CHECK_OK(open("lockfile", O_RDWR | O_CREAT, 0644));
    int ready[2], release[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(pipe(release));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct flock mine = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 8};
        CHILD_CHECK(fcntl(fd, F_SETLK, &mine) == 0);
        write(ready[1], "r", 1);
        check_await_release(release);
        _exit(0);
    }
    char byte;
    CHECK_EQ(read(ready[0], &byte, 1), 1);
    struct flock probe = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(fd, F_GETLK, &probe));
    CHECK_EQ(probe.l_type, F_WRLCK);
    CHECK_EQ(probe.l_start, 2);
    CHECK_EQ(probe.l_len, 8);
    CHECK_EQ(probe.l_pid, pid);
    struct flock wanted = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 9, .l_len = 1};
    CHECK_ERR(fcntl(fd, F_SETLK, &wanted), EAGAIN);
    release_child(release);
    CHECK_EQ(exit_code(pid), 0);
    CHECK_OK(fcntl(fd, F_SETLK, &wanted)); // its locks ended with it
    close(fd);
    close_pair(ready);
}

// Stops and continues raise SIGCHLD too (without SA_NOCLDSTOP). Linux may let wait see
// them before the signal is sent, so this waits for the handler itself: last, as it
// would wait for ever were the signal lost.
TEST(sigchld_for_stop_and_continue) {
    sigset_t old;
    block_signal(SIGCHLD, &old);
    install_sigchld(0);
    int release[2];
    CHECK_OK(pipe(release));
    pid_t pid = blocked_child(release, 0);
    CHECK_OK(kill(pid, SIGSTOP));
    wait_for_sigchld(1, &old);
    CHECK_EQ(chld_code, CLD_STOPPED);
    CHECK_EQ(chld_status, SIGSTOP);
    CHECK_EQ(chld_pid, pid);
    CHECK_OK(kill(pid, SIGCONT));
    wait_for_sigchld(2, &old);
    CHECK_EQ(chld_code, CLD_CONTINUED);
    CHECK_EQ(chld_status, SIGCONT);
    CHECK_EQ(chld_pid, pid);
    release_child(release);
    CHECK_EQ(exit_code(pid), 0);
    restore_sigchld(&old);
}
