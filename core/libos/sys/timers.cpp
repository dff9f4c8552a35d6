// SPDX-License-Identifier: MIT
// Interval timers: alarm, setitimer and getitimer (ITIMER_REAL). A LibOS thread of its own
// sleeps until the deadline, makes SIGALRM pending and interrupts the program's thread,
// which then runs the handler at its next ABI boundary.
#include <asm-generic/errno.h>
#include <asm/signal.h>

#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Itimerval {
    int64_t interval_sec, interval_usec, value_sec, value_usec;
};

Spinlock timer_lock;
int64_t deadline;   // monotonic ns, 0: disarmed
int64_t interval;   // ns, 0: one-shot
uint32_t generation; // bumped on every change; the timer thread waits on it
bool thread_started;

int64_t now() { return clock_now(BSC_CLOCK_MONOTONIC); }

void timer_thread() {
    for (;;) {
        uint32_t seen = __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
        int64_t wait = BSC_WAIT_FOREVER;
        bool fire = false;
        {
            SpinGuard guard(timer_lock);
            if (deadline) {
                int64_t left = deadline - now();
                if (left <= 0) {
                    fire = true;
                    deadline = interval ? deadline + interval : 0;
                } else {
                    wait = left;
                }
            }
        }
        if (fire) {
            raise_signal(SIGALRM, kSiKernel);
            abi().thread_interrupt(start_info().thread);
            continue;
        }
        abi().sync_wait(&generation, seen, wait);
    }
}

// Arms the timer (0 disarms); returns what was left of the old one, and its interval.
void set_timer(int64_t value, int64_t every, int64_t &old_left, int64_t &old_every) {
    bool start;
    {
        SpinGuard guard(timer_lock);
        int64_t t = now();
        old_left = deadline ? (deadline > t ? deadline - t : 1) : 0;
        old_every = interval;
        deadline = value ? t + value : 0;
        interval = every;
        start = !thread_started && value;
        thread_started = thread_started || start;
    }
    __atomic_fetch_add(&generation, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&generation, 1, nullptr);
    if (start)
        start_internal_thread(timer_thread);
}

Itimerval to_itimerval(int64_t left, int64_t every) {
    return {every / kNanosPerSecond, every % kNanosPerSecond / 1000, left / kNanosPerSecond,
            left % kNanosPerSecond / 1000};
}

} // namespace

int64_t sys_alarm(Syscall &c) {
    int64_t old_left, old_every;
    set_timer(static_cast<int64_t>(c.arg[0] & 0xffffffff) * kNanosPerSecond, 0, old_left,
              old_every);
    // Linux rounds the old remainder to the nearest second, at least 1 if it was armed.
    int64_t seconds = (old_left + kNanosPerSecond / 2) / kNanosPerSecond;
    return old_left && !seconds ? 1 : seconds;
}

int64_t sys_setitimer(Syscall &c) {
    if (c.arg[0] != 0 /* ITIMER_REAL */)
        return -EINVAL;
    Itimerval wanted{};
    if (c.arg[1] && !get_user(c.arg[1], wanted))
        return -EFAULT;
    if (wanted.value_sec < 0 || wanted.value_usec < 0 || wanted.value_usec >= 1000000 ||
        wanted.interval_sec < 0 || wanted.interval_usec < 0 || wanted.interval_usec >= 1000000)
        return -EINVAL;
    int64_t old_left, old_every;
    set_timer(wanted.value_sec * kNanosPerSecond + wanted.value_usec * 1000,
              wanted.interval_sec * kNanosPerSecond + wanted.interval_usec * 1000, old_left,
              old_every);
    return !c.arg[2] || put_user(c.arg[2], to_itimerval(old_left, old_every)) ? 0 : -EFAULT;
}

int64_t sys_getitimer(Syscall &c) {
    if (c.arg[0] != 0 /* ITIMER_REAL */)
        return -EINVAL;
    int64_t left, every;
    {
        SpinGuard guard(timer_lock);
        int64_t t = now();
        left = deadline ? (deadline > t ? deadline - t : 1) : 0;
        every = interval;
    }
    return put_user(c.arg[1], to_itimerval(left, every)) ? 0 : -EFAULT;
}

} // namespace libos
