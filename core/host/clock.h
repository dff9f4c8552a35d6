// SPDX-License-Identifier: MIT
// Nanoseconds, the ABI's unit of time, to and from the kernel's timespec.
#pragma once

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <time.h>

#include <cstdint>

namespace bsc::host {

inline constexpr int64_t kNanosecondsPerSecond = 1000000000;

inline int64_t nanoseconds_of(const timespec &ts) {
    return int64_t{ts.tv_sec} * kNanosecondsPerSecond + ts.tv_nsec;
}

// Rounds towards minus infinity, so times before 1970 keep 0 <= tv_nsec < 1e9.
inline timespec timespec_of(int64_t ns) {
    timespec ts{ns / kNanosecondsPerSecond, ns % kNanosecondsPerSecond};
    if (ts.tv_nsec < 0) {
        ts.tv_nsec += kNanosecondsPerSecond;
        ts.tv_sec -= 1;
    }
    return ts;
}

// Linux's CPU clock id of process or thread `id` (0: the caller's) of `kind` (0 the
// profiling clock, 1 user time, 2 the scheduler's), as include/linux/posix-timers.h
// encodes it: the complement of the id shifted left by 3, bit 2 for a thread.
inline constexpr clockid_t kCpuClockProfile = 0, kCpuClockUser = 1, kCpuClockScheduler = 2;
constexpr clockid_t cpu_clock_id(pid_t id, clockid_t kind, bool thread) {
    return static_cast<clockid_t>((~static_cast<unsigned>(id) << 3) | (thread ? 4u : 0u) |
                                  static_cast<unsigned>(kind));
}

// The host clock behind an ABI clock (BSC_CLOCK_*), or -1 for none. Inline: the fast
// time_query (fast_calls.cpp) runs it with the guest's %fs.
inline clockid_t host_clock_id(uint32_t clock) {
    static constexpr clockid_t kClocks[] = {
        CLOCK_REALTIME,
        CLOCK_MONOTONIC,
        CLOCK_PROCESS_CPUTIME_ID,
        CLOCK_THREAD_CPUTIME_ID,
        CLOCK_MONOTONIC_RAW,
        CLOCK_REALTIME_COARSE,
        CLOCK_MONOTONIC_COARSE,
        CLOCK_BOOTTIME,
        CLOCK_TAI,
        cpu_clock_id(0, kCpuClockUser, false),
        cpu_clock_id(0, kCpuClockProfile, false),
        cpu_clock_id(0, kCpuClockUser, true),
        cpu_clock_id(0, kCpuClockProfile, true),
    };
    return clock < sizeof kClocks / sizeof kClocks[0] ? kClocks[clock] : -1;
}

// The current time of a clock in nanoseconds (0 if the clock cannot be read). The system
// call, not the vDSO: on a guest thread rdtsc traps (PR_SET_TSC), and a trap and the two
// prctl calls that let host code read the counter cost more than the call.
inline int64_t clock_now(clockid_t clock) {
    timespec now{};
    ::syscall(SYS_clock_gettime, clock, &now);
    return nanoseconds_of(now);
}

} // namespace bsc::host
