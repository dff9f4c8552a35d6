// SPDX-License-Identifier: MIT
// Linux clock ids decoded onto the ABI's clocks.
#include "clock.h"

#include <asm-generic/errno.h>
#include <linux/time.h>

#include "process_tree.h"
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

// A negative id: a CPU clock of a process or thread named by its id (0: the caller's);
// `tid` is set to the id of another thread of the process it names, else 0. Clock ids of
// file descriptors (kind 3 without the thread bit, /dev/ptp) are none of the program's:
// EINVAL, as Linux answers for a descriptor that is no clock; so are other processes'.
int64_t cpu_clock(int64_t clockid, uint32_t &clock, int64_t &tid) {
    int64_t kind = clockid & 3, id = ~(clockid >> 3);
    bool thread = clockid & kCpuClockThreadBit;
    tid = 0;
    if (kind >= kCpuClockKinds)
        return -EINVAL;
    if (thread && id != 0 && id != current_tid()) {
        if (!is_thread_of_process(id))
            return -EINVAL;
        tid = id;
    } else if (!thread && id != 0 && id != current_pid()) {
        return -EINVAL; // no other process
    }
    static constexpr uint32_t kProcess[] = {BSC_CLOCK_PROCESS_CPU_ACCOUNTED,
                                            BSC_CLOCK_PROCESS_CPU_USER, BSC_CLOCK_PROCESS_CPU};
    static constexpr uint32_t kThread[] = {BSC_CLOCK_THREAD_CPU_ACCOUNTED,
                                           BSC_CLOCK_THREAD_CPU_USER, BSC_CLOCK_THREAD_CPU};
    static_assert(kCpuClockProfile == 0 && kCpuClockUser == 1 && kCpuClockScheduler == 2);
    clock = (thread ? kThread : kProcess)[kind];
    return 0;
}

// clock_decode and the thread another thread's CPU clock names (0: none).
int64_t decode(int64_t clockid, uint32_t &clock, int64_t &tid) {
    clockid = static_cast<int32_t>(clockid); // clockid_t is an int
    tid = 0;
    return clockid < 0 ? cpu_clock(clockid, clock, tid) : named_clock(clockid, clock);
}

} // namespace

int64_t clock_decode(int64_t clockid, uint32_t &clock) {
    int64_t tid;
    if (int64_t error = decode(clockid, clock, tid))
        return error;
    if (tid) // a sleep or a timer on another thread's clock
        report_unsupported("clock", "another thread's CPU clock, but to read it");
    return tid ? -EINVAL : 0;
}

int64_t clock_decode_timer(int64_t clockid, uint32_t &clock, int64_t &tid) {
    if (int64_t error = decode(clockid, clock, tid))
        return error;
    bool thread_clock = static_cast<int32_t>(clockid) == CLOCK_THREAD_CPUTIME_ID ||
                        (static_cast<int32_t>(clockid) < 0 && (clockid & kCpuClockThreadBit));
    if (thread_clock && !tid)
        tid = current_tid();
    return 0;
}

int64_t clock_resolution_ns(uint32_t clock) {
    int64_t ns = 1;
    abi().time_resolution(clock, &ns);
    return ns > 0 ? ns : 1;
}

namespace {

// Another live thread's CPU time on `clock`, read while it cannot end (the list's lock):
// false once it has ended.
bool other_thread_time(int64_t tid, uint32_t clock, int64_t &ns) {
    return call_on_thread(tid, [&](bsc_handle thread) {
               return abi().thread_time_query(thread, clock, &ns);
           }) == BSC_OK;
}

} // namespace

int64_t clock_read(int64_t clockid, Timespec &out) {
    uint32_t clock;
    int64_t tid, ns;
    if (int64_t error = decode(clockid, clock, tid))
        return error;
    if (!tid)
        ns = clock_now(clock);
    else if (!other_thread_time(tid, clock, ns))
        return -EINVAL; // it ended meanwhile: no such clock any more
    out = to_timespec(ns);
    return 0;
}

int64_t clock_resolution(int64_t clockid, Timespec &out) {
    uint32_t clock;
    int64_t tid; // another thread's clock ticks as the caller's own
    if (int64_t error = decode(clockid, clock, tid))
        return error;
    out = to_timespec(clock_resolution_ns(clock));
    return 0;
}

} // namespace libos
