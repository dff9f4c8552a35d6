// SPDX-License-Identifier: MIT
// Time system calls, served from the ABI's clocks through one clock-id decoder
// (clock.h); the vDSO runs these handlers too (vdso.cpp).
#include <asm-generic/errno.h>
#include <linux/time.h>
#include <linux/times.h>

#include "clock.h"
#include "signals.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int64_t kBillion = kNanosPerSecond;
constexpr int64_t kUserHz = 100; // clock_t ticks a second (USER_HZ)

// Sleeps until `clock` reaches `deadline`. A signal ends the sleep with EINTR; a relative
// sleep (`remaining` non-zero) then writes what is left of it. An interruption for no
// signal (a checkpoint) sleeps on.
int64_t sleep_until(uint32_t clock, int64_t deadline, uint64_t remaining) {
    for (;;) {
        bsc_status status = abi().time_sleep_until(clock, deadline);
        if (status != BSC_E_INTERRUPTED)
            return result_of(status);
        if (!signal_pending())
            continue;
        int64_t left = deadline - clock_now(clock);
        if (remaining && !put_user(remaining, to_timespec(left > 0 ? left : 0)))
            return -EFAULT;
        return -EINTR;
    }
}

// Whether Linux has a sleep for a named clock: the raw and coarse clocks and the
// caller's thread CPU clock have none (EOPNOTSUPP).
bool has_sleep(uint32_t clock) {
    return clock != BSC_CLOCK_THREAD_CPU && clock != BSC_CLOCK_MONOTONIC_RAW &&
           clock != BSC_CLOCK_REALTIME_COARSE && clock != BSC_CLOCK_MONOTONIC_COARSE;
}

bool is_thread_cpu_clock(uint32_t clock) {
    return clock == BSC_CLOCK_THREAD_CPU || clock == BSC_CLOCK_THREAD_CPU_USER ||
           clock == BSC_CLOCK_THREAD_CPU_ACCOUNTED;
}

// The clock of a clock_nanosleep, in Linux's order of checks: a named clock is checked
// before the time is read; a CPU clock id after it, and the caller cannot sleep on its
// own thread's CPU clock, which would never advance (EINVAL). File descriptor clocks
// (kind 3) have no sleep.
int64_t sleep_clock(int64_t id, uint64_t time, uint32_t &clock, int64_t &ns) {
    constexpr int64_t kFdClockKind = 3;
    if (id >= 0) {
        if (int64_t error = clock_decode(id, clock))
            return error;
        if (!has_sleep(clock))
            return -EOPNOTSUPP;
    } else if ((id & 7) == kFdClockKind) {
        return -EOPNOTSUPP;
    }
    if (!time)
        return -EFAULT;
    if (int64_t error = timespec_from_user(time, ns))
        return error;
    if (id >= 0)
        return 0;
    if (int64_t error = clock_decode(id, clock))
        return error;
    return is_thread_cpu_clock(clock) ? -EINVAL : 0;
}

// A relative sleep's deadline, saturated as the kernel's ktime_add_safe.
int64_t deadline_after(uint32_t clock, int64_t ns) {
    int64_t now = clock_now(clock);
    return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

int64_t to_clock_ticks(int64_t ns) { return ns / (kBillion / kUserHz); }

} // namespace

int64_t sys_clock_gettime(Syscall &call) {
    Timespec now;
    if (int64_t error = clock_read(call.arg[0], now))
        return error;
    return put_user(call.arg[1], now) ? 0 : -EFAULT;
}

int64_t sys_clock_getres(Syscall &call) {
    Timespec resolution;
    if (int64_t error = clock_resolution(call.arg[0], resolution))
        return error;
    return !call.arg[1] || put_user(call.arg[1], resolution) ? 0 : -EFAULT;
}

// clock_settime: the guest must never set the host's clock. Linux's checks come first
// (EINVAL for a clock that cannot be set, EFAULT, EINVAL for a bad time); then EPERM, which
// is Linux's answer to a caller without the privilege, and the LibOS's to every caller.
int64_t sys_clock_settime(Syscall &call) {
    uint32_t clock;
    if (int64_t error = clock_decode(call.arg[0], clock))
        return error;
    bool cpu_clock = static_cast<int32_t>(call.arg[0]) < 0;
    if (clock != BSC_CLOCK_REALTIME && !cpu_clock)
        return -EINVAL;
    Timespec wanted;
    if (!get_user(call.arg[1], wanted))
        return -EFAULT;
    if (cpu_clock) // no one can set a CPU clock
        return -EPERM;
    if (wanted.sec < 0 || wanted.nsec < 0 || wanted.nsec >= kBillion)
        return -EINVAL;
    report_unsupported("clock_settime", "CLOCK_REALTIME");
    return -EPERM;
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
    // Linux's time() reads the coarse clock: the seconds of the last tick.
    int64_t seconds = clock_now(BSC_CLOCK_REALTIME_COARSE) / kBillion;
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
    return sleep_until(BSC_CLOCK_MONOTONIC, deadline_after(BSC_CLOCK_MONOTONIC, ns), call.arg[1]);
}

int64_t sys_clock_nanosleep(Syscall &call) {
    uint32_t clock;
    int64_t ns;
    if (int64_t error = sleep_clock(static_cast<int32_t>(call.arg[0]), call.arg[2], clock, ns))
        return error;
    if (call.arg[1] & TIMER_ABSTIME) // until a time: nothing remains to report
        return sleep_until(clock, ns, 0);
    // A relative real-time sleep ignores changes of the clock: Linux runs it on the
    // monotonic clock (glibc's nanosleep is one).
    if (clock == BSC_CLOCK_REALTIME)
        clock = BSC_CLOCK_MONOTONIC;
    return sleep_until(clock, deadline_after(clock, ns), call.arg[3]);
}

// times: the process's and its waited-for children's CPU time as getrusage reports it,
// and Linux's jiffies counter in clock ticks: it starts 300 s below 2^32 jiffies at boot
// (the kernel's INITIAL_JIFFIES), so that its wrap-around is met early.
int64_t sys_times(Syscall &call) {
    bsc_process_usage self{}, children{};
    abi().process_usage_query(BSC_USAGE_PROCESS, &self);
    abi().process_usage_query(BSC_USAGE_CHILDREN, &children);
    tms out{};
    out.tms_utime = to_clock_ticks(self.user_ns);
    out.tms_stime = to_clock_ticks(self.system_ns);
    out.tms_cutime = to_clock_ticks(children.user_ns);
    out.tms_cstime = to_clock_ticks(children.system_ns);
    if (call.arg[0] && !put_user(call.arg[0], out))
        return -EFAULT;
    int64_t tick = clock_resolution_ns(BSC_CLOCK_MONOTONIC_COARSE);
    int64_t hz = kBillion / tick;
    auto initial_jiffies = static_cast<int64_t>(static_cast<uint32_t>(-300 * hz));
    int64_t jiffies = initial_jiffies + clock_now(BSC_CLOCK_MONOTONIC_COARSE) / tick;
    return jiffies * kUserHz / hz;
}

} // namespace libos
