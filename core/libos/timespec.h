// SPDX-License-Identifier: MIT
// Time as the program passes it (struct timespec, read from its memory as nanoseconds) and
// the ABI's clocks.
#pragma once

#include <stdint.h>

namespace libos {

inline constexpr int64_t kNanosPerSecond = 1000000000;

struct Timespec {
    int64_t sec, nsec;
};

inline Timespec to_timespec(int64_t ns) { return {ns / kNanosPerSecond, ns % kNanosPerSecond}; }

// The current time of an ABI clock (BSC_CLOCK_*), in nanoseconds.
int64_t clock_now(uint32_t clock);

// Reads the timespec at user address `address` into ns: 0, -EFAULT, or -EINVAL for a
// negative or malformed value. A null address gives `absent` (for "no timeout").
int64_t timespec_from_user(uint64_t address, int64_t &ns, int64_t absent = -1);

} // namespace libos
