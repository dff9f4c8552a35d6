// SPDX-License-Identifier: MIT
// timerfd_create, timerfd_settime, timerfd_gettime: a deadline on one of the ABI's clocks
// and an interval; the expirations are counted from the clock when the program reads or
// polls, so a timerfd needs no thread of its own. The timer lies in memory fork leaves
// shared, so a parent and child that hold it read one count, as on Linux.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>
#include <linux/capability.h>
#include <linux/time.h>

#include "clock.h"
#include "fd_table.h"
#include "heap.h"
#include "poll.h"
#include "process_state.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kCreateFlags = O_CLOEXEC | O_NONBLOCK; // TFD_CLOEXEC, TFD_NONBLOCK
constexpr uint64_t kAbsolute = 1, kCancelOnSet = 2;       // TFD_TIMER_*

struct Itimerspec {
    Timespec interval, value;
};

struct Timer {
    Spinlock lock;
    uint32_t clock;    // the ABI clock it counts
    int64_t deadline;  // on `clock`: the first expiration not yet read; 0: disarmed
    int64_t interval;  // ns; 0: one-shot
    uint32_t changes;  // bumped and woken at every settime: what a blocked read sleeps on
};

Timer &timer_of(OpenFile &file) { return *static_cast<Timer *>(file.state); }

// How many expirations the timer has had by `now` (on its clock); called with the lock held.
uint64_t expirations(const Timer &t, int64_t now) {
    if (!t.deadline || now < t.deadline)
        return 0;
    return 1 + (t.interval ? static_cast<uint64_t>((now - t.deadline) / t.interval) : 0);
}

// Takes the expirations so far: the next one is the first unread, or the timer ends.
uint64_t take_expirations(Timer &t) {
    SpinGuard guard(t.lock);
    uint64_t n = expirations(t, clock_now(t.clock));
    if (n)
        t.deadline = t.interval ? t.deadline + static_cast<int64_t>(n) * t.interval : 0;
    return n;
}

// Nanoseconds until the next expiration (0 when one is unread), or -1 when disarmed.
int64_t time_to_next(Timer &t) {
    SpinGuard guard(t.lock);
    if (!t.deadline)
        return -1;
    int64_t left = t.deadline - clock_now(t.clock);
    return left > 0 ? left : 0;
}

// read: the 8-byte count of expirations since the last read or settime; blocks
// (restartably) until there is one.
int64_t timer_transfer(OpenFile &file, uint64_t buffer, uint64_t size, bool write) {
    Timer &t = timer_of(file);
    if (write || size < sizeof(uint64_t))
        return -EINVAL;
    uint64_t n;
    for (;;) {
        uint32_t seen = __atomic_load_n(&t.changes, __ATOMIC_ACQUIRE);
        if ((n = take_expirations(t)))
            break;
        if (file.flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending())
            return -kRestartSyscall;
        int64_t left = time_to_next(t);
        abi().sync_wait(&t.changes, seen, left < 0 ? BSC_WAIT_FOREVER : left);
    }
    if (!put_user(buffer, n))
        return -EFAULT;
    return sizeof n;
}

int16_t timer_ready(OpenFile &file, Wakeups &wake) {
    int64_t left = time_to_next(timer_of(file));
    if (left == 0)
        return POLLIN;
    if (left > 0)
        wake_at(wake, clock_now(BSC_CLOCK_MONOTONIC) + left);
    return 0;
}

void timer_release(OpenFile &file) { destroy_shared(&timer_of(file)); }

// timerfd_fops has had .read_iter since Linux 6.8, and no write.
const FileKind kTimer = {timer_transfer, nullptr, anonymous_inode_attributes,
                         timer_release, timer_ready, kReadIter};

// The timer of descriptor `fd`: 0, -EBADF, or -EINVAL for a descriptor of something else.
int64_t timer_at(FileRef &file) {
    if (!file)
        return -EBADF;
    return file->kind == &kTimer ? 0 : -EINVAL;
}

// The timer's setting as timerfd_gettime reports it: the time to the next expiration
// (0 for a one-shot timer that has expired) and the interval.
// Called with the lock held.
Itimerspec setting(const Timer &t) {
    Itimerspec out{to_timespec(t.interval), {0, 0}};
    if (!t.deadline)
        return out;
    int64_t now = clock_now(t.clock);
    int64_t next = t.deadline;
    if (now >= next && t.interval)
        next += static_cast<int64_t>(expirations(t, now)) * t.interval;
    out.value = to_timespec(next > now ? next - now : 0);
    return out;
}

bool valid(const Timespec &ts) { return ts.sec >= 0 && ts.nsec >= 0 && ts.nsec < kNanosPerSecond; }

int64_t nanoseconds(const Timespec &ts) { return ts.sec * kNanosPerSecond + ts.nsec; }

// Sets the timer (the expirations not yet read are dropped, as on Linux); its old setting.
Itimerspec arm(Timer &t, const Itimerspec &wanted, uint64_t flags) {
    SpinGuard guard(t.lock);
    Itimerspec old = setting(t);
    int64_t value = nanoseconds(wanted.value);
    t.interval = nanoseconds(wanted.interval);
    t.deadline = !value ? 0 : flags & kAbsolute ? value : clock_now(t.clock) + value;
    if (value && !t.deadline) // an absolute deadline at the clock's zero has passed
        t.deadline = 1;
    __atomic_add_fetch(&t.changes, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&t.changes, UINT32_MAX, nullptr);
    return old;
}

int64_t make_timer(int64_t clockid, uint64_t flags) {
    clockid = static_cast<int32_t>(clockid);
    bool alarm = clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM;
    if ((flags & ~kCreateFlags) || (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC &&
                                    clockid != CLOCK_BOOTTIME && !alarm))
        return -EINVAL;
    // An alarm timer is one on the real-time or boot clock that also wakes a suspended
    // host, which the guest cannot observe; Linux lets only a process with CAP_WAKE_ALARM
    // make one.
    if (alarm && !capable(CAP_WAKE_ALARM))
        return -EPERM;
    clockid = clockid == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME
              : clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
                                                : clockid;
    auto *t = create_shared<Timer>();
    if (!t)
        return -ENOMEM; // timerfd_create's allocation failing
    clock_decode(clockid, t->clock);
    return install_anonymous(&kTimer, t, flags);
}

} // namespace

int64_t sys_timerfd_create(Syscall &c) { return make_timer(static_cast<int64_t>(c.arg[0]), c.arg[1]); }

// The order of the kernel's checks: the new value's copy (EFAULT), the flags and the
// value (EINVAL), the descriptor (EBADF, EINVAL); the old value is written after the
// change.
int64_t sys_timerfd_settime(Syscall &c) {
    Itimerspec wanted;
    if (!get_user(c.arg[2], wanted))
        return -EFAULT;
    uint64_t flags = static_cast<uint32_t>(c.arg[1]);
    if ((flags & ~(kAbsolute | kCancelOnSet)) || !valid(wanted.value) || !valid(wanted.interval))
        return -EINVAL;
    FileRef file(static_cast<int>(c.arg[0]));
    if (int64_t error = timer_at(file))
        return error;
    Itimerspec old = arm(timer_of(*file.get()), wanted, flags);
    if (c.arg[3] && !put_user(c.arg[3], old))
        return -EFAULT;
    return 0;
}

int64_t sys_timerfd_gettime(Syscall &c) {
    FileRef file(static_cast<int>(c.arg[0]));
    if (int64_t error = timer_at(file))
        return error;
    Timer &t = timer_of(*file.get());
    Itimerspec now;
    {
        SpinGuard guard(t.lock);
        now = setting(t);
    }
    return put_user(c.arg[1], now) ? 0 : -EFAULT;
}

} // namespace libos
