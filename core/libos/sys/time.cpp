// SPDX-License-Identifier: MIT
// Time system calls, served from time_query (the vDSO runs these handlers too: vdso.cpp).
#include <asm-generic/errno.h>
#include <linux/time.h>
#include <linux/times.h>

#include "signals.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int64_t kBillion = kNanosPerSecond;

bool clock_for(uint64_t id, uint32_t &clock) {
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE: clock = BSC_CLOCK_REALTIME; return true;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: clock = BSC_CLOCK_MONOTONIC; return true;
    case CLOCK_PROCESS_CPUTIME_ID: clock = BSC_CLOCK_PROCESS_CPU; return true;
    case CLOCK_THREAD_CPUTIME_ID: clock = BSC_CLOCK_THREAD_CPU; return true;
    default: return false;
    }
}

// Sleeps for ns nanoseconds. A signal ends the sleep with EINTR and what remains written
// to `remaining` (never restarted, whatever SA_RESTART says); an interruption for no
// signal (a checkpoint) sleeps on.
int64_t sleep_for(int64_t ns, uint64_t remaining) {
    int64_t deadline = clock_now(BSC_CLOCK_MONOTONIC) + ns;
    for (int64_t left = ns; left > 0; left = deadline - clock_now(BSC_CLOCK_MONOTONIC)) {
        uint32_t ready;
        if (abi().objects_wait_any(nullptr, 0, left, &ready) != BSC_E_INTERRUPTED)
            return 0;
        if (signal_pending()) {
            left = deadline - clock_now(BSC_CLOCK_MONOTONIC);
            if (remaining && !put_user(remaining, to_timespec(left > 0 ? left : 0)))
                return -EFAULT;
            return -EINTR;
        }
    }
    return 0;
}

} // namespace

int64_t sys_clock_gettime(Syscall &call) {
    uint32_t clock;
    if (!clock_for(call.arg[0], clock))
        return -EINVAL;
    int64_t ns = clock_now(clock);
    return put_user(call.arg[1], to_timespec(ns)) ? 0 : -EFAULT;
}

int64_t sys_clock_getres(Syscall &call) {
    uint32_t clock;
    if (!clock_for(call.arg[0], clock))
        return -EINVAL;
    return !call.arg[1] || put_user(call.arg[1], Timespec{0, 1}) ? 0 : -EFAULT;
}

int64_t sys_gettimeofday(Syscall &call) {
    int64_t ns = clock_now(BSC_CLOCK_REALTIME);
    struct {
        int64_t sec, usec;
    } tv{ns / kBillion, ns % kBillion / 1000};
    if (call.arg[0] && !put_user(call.arg[0], tv))
        return -EFAULT;
    if (call.arg[1] && !put_user(call.arg[1], uint64_t{0})) // timezone: UTC
        return -EFAULT;
    return 0;
}

int64_t sys_time(Syscall &call) {
    int64_t seconds = clock_now(BSC_CLOCK_REALTIME) / kBillion;
    if (call.arg[0] && !put_user(call.arg[0], seconds))
        return -EFAULT;
    return seconds;
}

int64_t sys_nanosleep(Syscall &call) {
    int64_t ns;
    if (!call.arg[0])
        return -EFAULT;
    if (int64_t error = timespec_from_user(call.arg[0], ns))
        return error;
    return sleep_for(ns, call.arg[1]);
}

int64_t sys_clock_nanosleep(Syscall &call) {
    uint32_t clock;
    if (!clock_for(call.arg[0], clock) || clock == BSC_CLOCK_THREAD_CPU)
        return -EINVAL;
    int64_t ns;
    if (!call.arg[2])
        return -EFAULT;
    if (int64_t error = timespec_from_user(call.arg[2], ns))
        return error;
    if (call.arg[1] & TIMER_ABSTIME) // until a time: nothing remains to report
        return sleep_for(ns - clock_now(clock), 0);
    return sleep_for(ns, call.arg[3]);
}

int64_t sys_times(Syscall &call) {
    int64_t cpu = clock_now(BSC_CLOCK_PROCESS_CPU);
    tms out{};
    out.tms_utime = cpu / (kBillion / 100);
    if (call.arg[0] && !put_user(call.arg[0], out))
        return -EFAULT;
    return clock_now(BSC_CLOCK_MONOTONIC) / (kBillion / 100);
}

} // namespace libos
