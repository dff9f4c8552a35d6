// SPDX-License-Identifier: MIT
// Nanoseconds, the ABI's unit of time, to and from the kernel's timespec.
#pragma once

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

// The current time of a clock in nanoseconds (0 if the clock cannot be read).
inline int64_t clock_now(clockid_t clock) {
    timespec now{};
    ::clock_gettime(clock, &now);
    return nanoseconds_of(now);
}

} // namespace bsc::host
