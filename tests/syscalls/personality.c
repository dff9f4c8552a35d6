// SPDX-License-Identifier: MIT
// personality: the thread's execution domain and flags, what they change (uname's release
// and machine, select's timeout, READ_IMPLIES_EXEC's PROT_EXEC), /proc/PID/personality,
// and what fork keeps and exec clears.
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/select.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long current(void) { return (unsigned long)personality(0xffffffff); }

// Any value is kept as it is (set_personality checks nothing); 0xffffffff only reads.
TEST(personality_keeps_any_value) {
    unsigned long old = current();
    CHECK_EQ((unsigned long)personality(PER_SVR4), old);
    CHECK_EQ(current(), (unsigned long)PER_SVR4);
    CHECK_EQ((unsigned long)personality(0x12345678), (unsigned long)PER_SVR4);
    CHECK_EQ(current(), 0x12345678ul);
    char text[32];
    CHECK_EQ(check_read_file("/proc/self/personality", text, sizeof text), 9);
    CHECK_MEM(text, "12345678\n", 9);
    personality(old);
    CHECK_EQ(current(), old);
}

// UNAME26: "2.6." and 60 plus the real minor number, the rest of the release kept.
// PER_LINUX32: the machine of a 32-bit program.
TEST(uname26_and_linux32) {
    unsigned long old = current();
    struct utsname real, shown;
    CHECK_OK(uname(&real));
    unsigned major = 0, minor = 0;
    CHECK_EQ(sscanf(real.release, "%u.%u", &major, &minor), 2);
    const char *rest = real.release;
    for (int dots = 0; *rest; rest++) {
        if (*rest == '.' && ++dots >= 3)
            break;
        if ((*rest < '0' || *rest > '9') && *rest != '.')
            break;
    }
    char expected[80];
    snprintf(expected, sizeof expected, "2.6.%u%s", minor + 60, rest);
    personality(PER_LINUX | UNAME26);
    CHECK_OK(uname(&shown));
    CHECK_STR(shown.release, expected);
    CHECK_STR(shown.machine, real.machine);
    personality(PER_LINUX32);
    CHECK_OK(uname(&shown));
    CHECK_STR(shown.release, real.release);
    CHECK_STR(shown.machine, "i686");
    personality(old);
}

// STICKY_TIMEOUTS: select leaves the timeout as it was given.
TEST(sticky_timeouts_keep_select_timeout) {
    unsigned long old = current();
    struct timeval tv = {0, 10};
    CHECK_OK(select(0, NULL, NULL, NULL, &tv));
    CHECK_EQ(tv.tv_usec, 0);
    personality(PER_LINUX | STICKY_TIMEOUTS);
    tv.tv_usec = 10;
    CHECK_OK(select(0, NULL, NULL, NULL, &tv));
    personality(old);
    CHECK_EQ(tv.tv_sec, 0);
    CHECK_EQ(tv.tv_usec, 10);
}

// The permissions /proc/self/maps shows for the mapping at `at`.
static void permissions_of(void *at, char perms[5]) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    strcpy(perms, "none");
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char p[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, p) == 3 && start <= (unsigned long)at &&
            (unsigned long)at < end)
            strcpy(perms, p);
    }
    if (maps)
        fclose(maps);
}

// READ_IMPLIES_EXEC: readable memory is made executable by mmap and mprotect.
TEST(read_implies_exec_adds_exec) {
    unsigned long old = current();
    personality(PER_LINUX | READ_IMPLIES_EXEC);
    char *readable = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *writable = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(readable != MAP_FAILED && writable != MAP_FAILED);
    CHECK_OK(mprotect(writable, 4096, PROT_READ | PROT_WRITE));
    personality(old);
    char perms[5];
    permissions_of(readable, perms);
    CHECK_STR(perms, "r-xp");
    permissions_of(writable, perms);
    CHECK_STR(perms, "rwxp");
    munmap(readable, 4096);
    munmap(writable, 4096);
}

// fork's child has its parent's; exec keeps it but READ_IMPLIES_EXEC
// (set_personality_64bit).
TEST(fork_keeps_and_exec_clears_read_implies_exec) {
    unsigned long old = current();
    personality(PER_LINUX | UNAME26 | READ_IMPLIES_EXEC);
    int out[2];
    CHECK_OK(pipe(out));
    pid_t child = fork();
    if (child == 0) {
        if (current() != (PER_LINUX | UNAME26 | READ_IMPLIES_EXEC))
            _exit(3);
        dup2(out[1], 1);
        execl("/bin/cat", "cat", "/proc/self/personality", (char *)NULL);
        _exit(4);
    }
    personality(old);
    close(out[1]);
    char text[32] = "";
    CHECK_EQ(read(out[0], text, sizeof text - 1), 9);
    CHECK_STR(text, "00020000\n");
    close(out[0]);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
}

// ADDR_NO_RANDOMIZE: a new program's break starts right after its last segment
// (randomised, it starts some pages further).
TEST(addr_no_randomize_puts_the_break_after_the_program) {
    unsigned long old = current();
    personality(PER_LINUX | ADDR_NO_RANDOMIZE);
    int out[2];
    CHECK_OK(pipe(out));
    pid_t child = fork();
    if (child == 0) {
        dup2(out[1], 1);
        execl("/bin/cat", "cat", "/proc/self/maps", (char *)NULL);
        _exit(4);
    }
    personality(old);
    close(out[1]);
    FILE *maps = fdopen(out[0], "r");
    char line[512];
    unsigned long previous_end = 0, heap_start = 0, start, end;
    while (maps && fgets(line, sizeof line, maps)) {
        if (sscanf(line, "%lx-%lx", &start, &end) != 2)
            continue;
        if (strstr(line, "[heap]")) {
            heap_start = start;
            break;
        }
        previous_end = end;
    }
    while (maps && fgets(line, sizeof line, maps)) {
    }
    if (maps)
        fclose(maps);
    int status;
    CHECK_EQ(waitpid(child, &status, 0), child);
    CHECK_EQ(status, 0);
    CHECK(heap_start != 0);
    CHECK_EQ(heap_start, previous_end);
}
