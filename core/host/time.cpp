// SPDX-License-Identifier: MIT
// Clocks and randomness: time_query and random_read.
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include <cerrno>
#include <iterator>

#include "clock.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_time_query(uint32_t clock, int64_t *ns) {
    static constexpr clockid_t kClocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC,
                                            CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    if (clock >= std::size(kClocks))
        return BSC_E_INVALID;
    // The system call, not glibc's vDSO path: that reads the time stamp counter, which
    // is trapped on guest threads, and enabling it for the host costs more than the call.
    timespec now;
    if (::syscall(SYS_clock_gettime, kClocks[clock], &now) != 0)
        return errno_status();
    return write_guest(ns, nanoseconds_of(now));
}

extern "C" bsc_status host_random_read(void *buffer, uint64_t size) {
    // The guest buffer goes straight to the kernel (EFAULT for a bad one). getrandom
    // returns at most 32 MiB at a time and does not block once the pool is initialised,
    // so a signal only shortens one round: keep going.
    auto *at = static_cast<char *>(buffer);
    while (size > 0) {
        ssize_t n = ::getrandom(at, size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_status();
        at += n;
        size -= static_cast<uint64_t>(n);
    }
    return BSC_OK;
}
