// SPDX-License-Identifier: MIT
// A program without libc that dumps core: it raises RLIMIT_CORE, writes into its data and
// sends itself SIGABRT. Nothing in its memory comes from outside the recorded calls (no
// ld.so, which stores the time stamp counter where a host does not trap rdtsc), so its
// core file's writes replay exactly (core_dump.sh).
static long call(long number, long a, long b, long c) {
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return result;
}

static char data[8192] = "written before the dump";

void _start(void) {
    unsigned long unlimited[2] = {~0ul, ~0ul};
    call(160 /* setrlimit */, 4 /* RLIMIT_CORE */, (long)unlimited, 0);
    data[5000] = 1;
    call(62 /* kill */, call(39 /* getpid */, 0, 0, 0), 6 /* SIGABRT */, 0);
    call(60 /* exit */, 1, 0, 0);
}
