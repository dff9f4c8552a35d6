// SPDX-License-Identifier: MIT
// Clocks and randomness: time_query, time_resolution, time_sleep_until and random_read.
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include <cerrno>

#include "clock.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"

using namespace bsc;
using namespace bsc::host;

namespace {

// The clocks a thread can sleep on: Linux cannot put a thread to sleep on its own CPU
// clocks (it would never wake up).
bool is_thread_clock(uint32_t clock) {
    return clock == BSC_CLOCK_THREAD_CPU || clock == BSC_CLOCK_THREAD_CPU_USER ||
           clock == BSC_CLOCK_THREAD_CPU_ACCOUNTED;
}

// Reads a host clock's time or resolution (SYS_clock_gettime / SYS_clock_getres) into
// *ns. The system call, not glibc's vDSO path: that reads the time stamp counter, which
// is trapped on guest threads, and enabling it for the host costs more than the call.
bsc_status read_clock(uint32_t clock, int64_t *ns, long system_call) {
    clockid_t id = host_clock_id(clock);
    timespec value;
    if (id == -1)
        return BSC_E_INVALID;
    if (::syscall(system_call, id, &value) != 0)
        return errno_status();
    return write_guest(ns, nanoseconds_of(value));
}

} // namespace

extern "C" bsc_status host_time_query(uint32_t clock, int64_t *ns) {
    return read_clock(clock, ns, SYS_clock_gettime);
}

extern "C" bsc_status host_time_resolution(uint32_t clock, int64_t *ns) {
    return read_clock(clock, ns, SYS_clock_getres);
}

extern "C" bsc_status host_time_sleep_until(uint32_t clock, int64_t deadline_ns) {
    clockid_t id = host_clock_id(clock);
    if (id == -1 || is_thread_clock(clock))
        return BSC_E_INVALID;
    timespec deadline = timespec_of(deadline_ns);
    // EINTR: the runtime interrupted the thread; one that came before the sleep began
    // ends it only if the deadline is still ahead.
    if (blocking_syscall(SYS_clock_nanosleep, id, TIMER_ABSTIME,
                         reinterpret_cast<long>(&deadline)) == 0)
        return BSC_OK;
    if (errno == EINTR && clock_now(id) >= deadline_ns)
        return BSC_OK;
    return errno_status();
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
