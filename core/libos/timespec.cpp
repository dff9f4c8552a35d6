// SPDX-License-Identifier: MIT
// Reading timespecs from the program's memory, and the clocks.
#include "timespec.h"

#include <asm-generic/errno.h>

#include "kernel.h"
#include "user_memory.h"

namespace libos {

int64_t clock_now(uint32_t clock) {
    int64_t ns = 0;
    abi().time_query(clock, &ns);
    return ns;
}

int64_t timespec_from_user(uint64_t address, int64_t &ns, int64_t absent) {
    ns = absent;
    if (!address)
        return 0;
    Timespec t;
    if (!get_user(address, t))
        return -EFAULT;
    if (t.sec < 0 || t.nsec < 0 || t.nsec >= kNanosPerSecond)
        return -EINVAL;
    // Times beyond what nanoseconds hold (year 2262) saturate, as the kernel's ktime does.
    bool too_far = t.sec >= INT64_MAX / kNanosPerSecond;
    ns = too_far ? INT64_MAX : t.sec * kNanosPerSecond + t.nsec;
    return 0;
}

} // namespace libos
