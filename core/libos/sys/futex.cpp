// SPDX-License-Identifier: MIT
// futex: glibc's locks and condition variables, over the ABI's address waits.
#include <asm-generic/errno.h>
#include <linux/futex.h>

#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {

int64_t sys_futex(Syscall &c) {
    uint64_t address = c.arg[0];
    uint32_t op = static_cast<uint32_t>(c.arg[1]);
    uint32_t command = op & FUTEX_CMD_MASK;
    auto *word = reinterpret_cast<const uint32_t *>(address);
    if (address % 4)
        return -EINVAL;
    switch (command) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        bool absolute = command == FUTEX_WAIT_BITSET;
        uint32_t clock = op & FUTEX_CLOCK_REALTIME ? BSC_CLOCK_REALTIME : BSC_CLOCK_MONOTONIC;
        int64_t ns;
        if (int64_t error = timespec_from_user(c.arg[3], ns))
            return error;
        if (absolute && ns >= 0) { // WAIT_BITSET takes a deadline
            int64_t now = 0;
            abi().time_query(clock, &now);
            ns = ns > now ? ns - now : 0;
        }
        uint32_t current;
        if (!get_user(address, current))
            return -EFAULT;
        if (current != static_cast<uint32_t>(c.arg[2]))
            return -EAGAIN;
        bsc_status status = abi().sync_wait(word, static_cast<uint32_t>(c.arg[2]),
                                            ns < 0 ? BSC_WAIT_FOREVER : ns);
        return status == BSC_E_TIMED_OUT ? -ETIMEDOUT : result_of(status);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        uint32_t woken = 0;
        uint32_t count = c.arg[2] > INT32_MAX ? INT32_MAX : static_cast<uint32_t>(c.arg[2]);
        bsc_status status = abi().sync_wake(word, count, &woken);
        return status == BSC_OK ? woken : result_of(status);
    }
    default: return -ENOSYS;
    }
}

} // namespace libos
