// SPDX-License-Identifier: MIT
// The harness's runner: runs every registered test (or those named on the command line)
// in a directory of its own under a fresh scratch directory, reports each failure with
// its place, and ends with "N passed, N failed".
#include "check.h"

#include <linux/capability.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CAP_SETGID_BIT = 6, CAP_SETUID_BIT = 7 }; // linux/capability.h's CAP_SETGID, CAP_SETUID

enum { kMaxTests = 256 };
static struct {
    const char *name;
    check_test_fn fn;
} tests[kMaxTests];
static int test_count;
static int current_failures;
static const char *current_name;

void check_register(const char *name, check_test_fn fn) {
    if (test_count == kMaxTests) {
        fprintf(stderr, "check: more than %d tests\n", kMaxTests);
        exit(2);
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void check_fail(const char *file, int line, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fprintf(stdout, "  FAIL %s (%s:%d): ", current_name, file, line);
    vfprintf(stdout, fmt, args);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(args);
    current_failures++;
}

int check_failure_count(void) { return current_failures; }

void check_write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t size = strlen(text);
    if (fd < 0 || write(fd, text, size) != (ssize_t)size)
        check_fail(__FILE__, __LINE__, "cannot write %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

ssize_t check_read_file(const char *path, char *buffer, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t total = 0, n;
    while ((n = read(fd, buffer + total, size - 1 - total)) > 0)
        total += n;
    close(fd);
    buffer[total] = 0;
    return total;
}

void check_burn_cpu(long long ns) {
    struct timespec start, now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    do {
        for (volatile int i = 0; i < 100000; i++) // mostly user time, not clock_gettime's
            ;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000LL + now.tv_nsec - start.tv_nsec < ns);
}

static volatile sig_atomic_t interrupts;
static struct sigaction interrupts_old_action;

static void count_interrupt(int sig) {
    (void)sig;
    interrupts++;
}

void check_interrupts_start(long period_us, int flags) {
    struct sigaction action = {.sa_handler = count_interrupt, .sa_flags = flags};
    sigemptyset(&action.sa_mask);
    interrupts = 0;
    if (sigaction(SIGALRM, &action, &interrupts_old_action) != 0)
        check_fail(__FILE__, __LINE__, "sigaction(SIGALRM): %s", strerror(errno));
    struct itimerval every = {{0, period_us}, {0, period_us}};
    if (setitimer(ITIMER_REAL, &every, NULL) != 0)
        check_fail(__FILE__, __LINE__, "setitimer: %s", strerror(errno));
}

void check_interrupts_stop(void) {
    // One already sent is handled as this call returns, before the old action is back.
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &interrupts_old_action, NULL);
}

int check_interrupts(void) { return interrupts; }

int check_capable(int cap) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    int answer = -1;
    while (status && fgets(line, sizeof line, status)) {
        unsigned long long mask;
        if (sscanf(line, "CapEff: %llx", &mask) == 1) {
            answer = (int)((mask >> cap) & 1);
            break;
        }
    }
    if (status)
        fclose(status);
    return answer;
}

void check_await_release(int release[2]) {
    close(release[1]);
    char byte;
    while (read(release[0], &byte, 1) == -1 && errno == EINTR)
        ;
}

pid_t check_fork_held(int release[2]) {
    pid_t pid = fork();
    if (pid == 0)
        check_await_release(release);
    return pid;
}

int check_in_child_as_nobody(void (*body)(void)) {
    if (check_capable(CAP_SETUID_BIT) != 1 || check_capable(CAP_SETGID_BIT) != 1)
        return 0;
    pid_t pid = fork();
    if (pid < 0) {
        check_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        gid_t nobody = 65534;
        if (setgroups(1, &nobody) != 0 || setresgid(nobody, nobody, nobody) != 0 ||
            setresuid(nobody, nobody, nobody) != 0)
            check_fail(__FILE__, __LINE__, "cannot become nobody: %s", strerror(errno));
        else
            body();
        _exit(current_failures ? 1 : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        check_fail(__FILE__, __LINE__, "the child as nobody failed (status %#x)", status);
    return 1;
}

void check_in_child(void (*body)(void)) {
    pid_t pid = fork();
    if (pid < 0) {
        check_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        body();
        _exit(current_failures ? 1 : 0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        check_fail(__FILE__, __LINE__, "the child failed (status %#x)", status);
}

int check_mounted(const char *dir, const char *type) {
    static char text[1 << 16];
    if (check_read_file("/proc/self/mounts", text, sizeof text) < 0)
        return -1;
    char wanted[256];
    snprintf(wanted, sizeof wanted, " %s %s ", dir, type);
    return strstr(text, wanted) != NULL;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)ftw;
    // A test may leave a directory without write or search permission. Only directories
    // are opened up: chmod follows a symbolic link, and a test's link to "/" or /etc
    // would take the host's own directory's permissions away.
    if (type == FTW_DP)
        chmod(path, 0700);
    return remove(path);
}

static int selected(int argc, char **argv, const char *name) {
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *tmp = getenv("TMPDIR");
    char scratch[4096];
    snprintf(scratch, sizeof scratch, "%s/bascule-syscalls.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("check: mkdtemp");
        return 2;
    }
    int passed = 0, failed = 0;
    for (int i = 0; i < test_count; i++) {
        if (!selected(argc, argv, tests[i].name))
            continue;
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", scratch, tests[i].name);
        if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
            perror("check: test directory");
            return 2;
        }
        current_name = tests[i].name;
        current_failures = 0;
        tests[i].fn();
        if (current_failures) {
            failed++;
            printf("FAIL %s\n", tests[i].name);
        } else {
            passed++;
            printf("ok   %s\n", tests[i].name);
        }
        if (chdir(scratch) != 0) {
            perror("check: chdir");
            return 2;
        }
    }
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
