/* SPDX-License-Identifier: MIT */
/* The LibOS's vDSO: the five calls Linux's x86-64 vDSO exports, with its argument handling,
 * answered by the LibOS's own system call handlers without a trap (see vdso_data.h). */
#include <asm/unistd.h>
#include <linux/time.h>
#include <stdint.h>

#include "vdso_data.h"

struct vdso_timespec {
    int64_t sec, nsec;
};
struct vdso_timeval {
    int64_t sec, usec;
};
struct vdso_timezone {
    int32_t minuteswest, dsttime;
};

/* The ELF header the vDSO is mapped at (the linker's symbol): the data page lies below. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));

/* The LibOS's answer (vdso_data.h), the call counted in the thread's TCB meanwhile. */
static int64_t serve(uint64_t number, uint64_t arg0, uint64_t arg1) {
    const struct vdso_data *data =
        (const struct vdso_data *)((uintptr_t)__ehdr_start - VDSO_DATA_SIZE);
    __asm__ volatile("incq %%gs:%c0" : : "i"(VDSO_CALLS_TCB_OFFSET) : "memory");
    int64_t result = data->serve(number, arg0, arg1);
    __asm__ volatile("decq %%gs:%c0" : : "i"(VDSO_CALLS_TCB_OFFSET) : "memory");
    return result;
}

/* The system call itself, for what Linux's vDSO leaves to it (it traps to the LibOS). */
static int64_t system_call(uint64_t number, uint64_t arg0, uint64_t arg1) {
    int64_t result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "0"(number), "D"(arg0), "S"(arg1)
                     : "rcx", "r11", "memory");
    return result;
}

/* The clocks Linux's vDSO reads itself (its high-resolution, coarse and raw clocks); it
 * makes the system call for every other id (the CPU-time clocks, invalid ids). */
#define VDSO_CLOCKS                                                                         \
    (1u << CLOCK_REALTIME | 1u << CLOCK_MONOTONIC | 1u << CLOCK_MONOTONIC_RAW |            \
     1u << CLOCK_REALTIME_COARSE | 1u << CLOCK_MONOTONIC_COARSE | 1u << CLOCK_BOOTTIME |   \
     1u << CLOCK_TAI)

static int read_here(int32_t clock) { return (uint32_t)clock < 32 && (VDSO_CLOCKS >> clock & 1); }

/* Like Linux's vDSO, the functions below store into the caller's pointers themselves: a bad
 * pointer faults here (SIGSEGV) rather than giving EFAULT. */

int __vdso_clock_gettime(int32_t clock, struct vdso_timespec *ts) {
    if (!read_here(clock))
        return (int)system_call(__NR_clock_gettime, (uint64_t)clock, (uintptr_t)ts);
    struct vdso_timespec now;
    int result = (int)serve(__NR_clock_gettime, (uint64_t)clock, (uintptr_t)&now);
    if (result == 0)
        *ts = now;
    return result;
}

int __vdso_clock_getres(int32_t clock, struct vdso_timespec *res) {
    if (!read_here(clock))
        return (int)system_call(__NR_clock_getres, (uint64_t)clock, (uintptr_t)res);
    struct vdso_timespec resolution;
    int result = (int)serve(__NR_clock_getres, (uint64_t)clock, (uintptr_t)&resolution);
    if (result == 0 && res)
        *res = resolution;
    return result;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, struct vdso_timezone *tz) {
    struct vdso_timeval now;
    struct vdso_timezone zone;
    int result = (int)serve(__NR_gettimeofday, (uintptr_t)&now, (uintptr_t)&zone);
    if (result != 0)
        return result;
    if (tv)
        *tv = now;
    if (tz)
        *tz = zone;
    return 0;
}

int64_t __vdso_time(int64_t *t) {
    int64_t now = serve(__NR_time, 0, 0);
    if (t)
        *t = now;
    return now;
}

/* The third argument (struct getcpu_cache *) is unused, as in Linux. */
long __vdso_getcpu(uint32_t *cpu, uint32_t *node, void *unused) {
    (void)unused;
    uint32_t where[2]; /* processor, node */
    long result = (long)serve(__NR_getcpu, (uintptr_t)&where[0], (uintptr_t)&where[1]);
    uint32_t *wanted[2] = {cpu, node};
    for (int i = 0; result == 0 && i < 2; i++)
        if (wanted[i])
            *wanted[i] = where[i];
    return result;
}

/* The unprefixed names Linux's x86-64 vDSO also exports, as weak aliases. */
int clock_gettime(int32_t, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int clock_getres(int32_t, struct vdso_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
int gettimeofday(struct vdso_timeval *, struct vdso_timezone *)
    __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
long getcpu(uint32_t *, uint32_t *, void *) __attribute__((weak, alias("__vdso_getcpu")));

/* The note Linux's vDSO carries (name "Linux", type 0): the kernel's LINUX_VERSION_CODE,
 * which the LibOS writes when it maps the image, from the release uname reports. */
__attribute__((section(".note.Linux"), aligned(4), used)) static const struct {
    uint32_t namesz, descsz, type;
    char name[8];
    uint32_t version;
} linux_note = {6, 4, 0, "Linux", 0};
