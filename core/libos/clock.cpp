// SPDX-License-Identifier: MIT
// Linux clock ids decoded onto the ABI's clocks.
#include "clock.h"

#include <asm-generic/errno.h>
#include <linux/time.h>

#include "thread.h"

namespace libos {
namespace {

// The kernel's encoding of a CPU clock id (include/linux/posix-timers.h): the bitwise
// complement of the pid or tid shifted left by 3, bit 2 for a thread, and the kind.
constexpr int64_t kCpuClockProfile = 0, kCpuClockUser = 1, kCpuClockScheduler = 2;
constexpr int64_t kCpuClockKinds = 3, kCpuClockThreadBit = 4;

int64_t named_clock(int64_t clockid, uint32_t &clock) {
    switch (clockid) {
    case CLOCK_REALTIME: clock = BSC_CLOCK_REALTIME; return 0;
    case CLOCK_MONOTONIC: clock = BSC_CLOCK_MONOTONIC; return 0;
    case CLOCK_PROCESS_CPUTIME_ID: clock = BSC_CLOCK_PROCESS_CPU; return 0;
    case CLOCK_THREAD_CPUTIME_ID: clock = BSC_CLOCK_THREAD_CPU; return 0;
    case CLOCK_MONOTONIC_RAW: clock = BSC_CLOCK_MONOTONIC_RAW; return 0;
    case CLOCK_REALTIME_COARSE: clock = BSC_CLOCK_REALTIME_COARSE; return 0;
    case CLOCK_MONOTONIC_COARSE: clock = BSC_CLOCK_MONOTONIC_COARSE; return 0;
    case CLOCK_BOOTTIME: clock = BSC_CLOCK_BOOTTIME; return 0;
    case CLOCK_TAI: clock = BSC_CLOCK_TAI; return 0;
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
        // Linux serves them only with a wake-up capable real-time clock device, which the
        // guest has no way to program.
        report_unsupported("clock", "CLOCK_*_ALARM");
        return -EINVAL;
    default: return -EINVAL;
    }
}

// A negative id: a CPU clock of a process or thread named by its id (0: the caller's).
// Clock ids of file descriptors (kind 3 without the thread bit, /dev/ptp) are none of
// the program's: EINVAL, as Linux answers for a descriptor that is no clock.
int64_t cpu_clock(int64_t clockid, uint32_t &clock) {
    int64_t kind = clockid & 3, id = ~(clockid >> 3);
    bool thread = clockid & kCpuClockThreadBit;
    if (kind >= kCpuClockKinds)
        return -EINVAL;
    bool own = id == 0 || (thread ? id == current_tid() : id == kPid);
    if (!own)
        return -EINVAL; // no other process, and threads come later
    static constexpr uint32_t kProcess[] = {BSC_CLOCK_PROCESS_CPU_ACCOUNTED,
                                            BSC_CLOCK_PROCESS_CPU_USER, BSC_CLOCK_PROCESS_CPU};
    static constexpr uint32_t kThread[] = {BSC_CLOCK_THREAD_CPU_ACCOUNTED,
                                           BSC_CLOCK_THREAD_CPU_USER, BSC_CLOCK_THREAD_CPU};
    static_assert(kCpuClockProfile == 0 && kCpuClockUser == 1 && kCpuClockScheduler == 2);
    clock = (thread ? kThread : kProcess)[kind];
    return 0;
}

} // namespace

int64_t clock_decode(int64_t clockid, uint32_t &clock) {
    clockid = static_cast<int32_t>(clockid); // clockid_t is an int
    return clockid < 0 ? cpu_clock(clockid, clock) : named_clock(clockid, clock);
}

int64_t clock_resolution_ns(uint32_t clock) {
    int64_t ns = 1;
    abi().time_resolution(clock, &ns);
    return ns > 0 ? ns : 1;
}

namespace {

// The answer of a clock call: `value` of the ABI clock behind a Linux clock id.
int64_t clock_answer(int64_t clockid, Timespec &out, int64_t (*value)(uint32_t)) {
    uint32_t clock;
    if (int64_t error = clock_decode(clockid, clock))
        return error;
    out = to_timespec(value(clock));
    return 0;
}

} // namespace

int64_t clock_read(int64_t clockid, Timespec &out) { return clock_answer(clockid, out, clock_now); }

int64_t clock_resolution(int64_t clockid, Timespec &out) {
    return clock_answer(clockid, out, clock_resolution_ns);
}

} // namespace libos
