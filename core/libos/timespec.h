// SPDX-License-Identifier: MIT
// struct timespec as the program passes it: reading one from its memory as nanoseconds.
#pragma once

#include <stdint.h>

namespace libos {

inline constexpr int64_t kNanosPerSecond = 1000000000;

struct Timespec {
    int64_t sec, nsec;
};

inline Timespec to_timespec(int64_t ns) { return {ns / kNanosPerSecond, ns % kNanosPerSecond}; }

// Reads the timespec at user address `address` into ns: 0, -EFAULT, or -EINVAL for a
// negative or malformed value. A null address gives `absent` (for "no timeout").
int64_t timespec_from_user(uint64_t address, int64_t &ns, int64_t absent = -1);

} // namespace libos
