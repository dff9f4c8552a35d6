// SPDX-License-Identifier: MIT
// Interval timers: alarm, setitimer and getitimer. Each of the three timers has a LibOS
// thread of its own that sleeps until its deadline, makes the signal pending and
// interrupts the program's thread, which runs the handler at its next ABI boundary.
// ITIMER_REAL counts monotonic time; ITIMER_VIRTUAL the process's user CPU time and
// ITIMER_PROF its user + system time, as the host accounts them: their threads sleep on
// those clocks (time_sleep_until), so they expire as Linux's do, at the host's tick.
#include <asm-generic/errno.h>
#include <asm/signal.h>
#include <linux/time.h>

#include "clock.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

struct Itimerval {
    int64_t interval_sec, interval_usec, value_sec, value_usec;
};

struct IntervalTimer {
    uint32_t clock;       // the ABI clock it counts
    int signal;           // what it raises
    Spinlock lock;
    int64_t deadline;     // on `clock`; 0: disarmed
    int64_t interval;     // ns; 0: one-shot
    uint32_t generation;  // bumped on every change; the thread waits on it
    uint32_t seen;        // the generation the thread last saw
    bsc_handle thread;    // BSC_NO_HANDLE until the first arming
};

IntervalTimer timers[] = {
    {BSC_CLOCK_MONOTONIC, SIGALRM, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
    {BSC_CLOCK_PROCESS_CPU_USER, SIGVTALRM, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
    {BSC_CLOCK_PROCESS_CPU_ACCOUNTED, SIGPROF, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
};
constexpr uint64_t kTimerCount = sizeof timers / sizeof timers[0];

bool counts_cpu_time(const IntervalTimer &t) { return t.clock != BSC_CLOCK_MONOTONIC; }

// Linux's TICK_NSEC, the resolution of the coarse clocks: CPU timers are checked at the
// tick, so an armed one gets a tick more, and one about to fire shows a tick left.
int64_t tick() { return clock_resolution_ns(BSC_CLOCK_MONOTONIC_COARSE); }

// Sleeps until the deadline or a change of the timer. The monotonic timer waits on its
// generation, which no change can slip past; a CPU-time sleep cannot watch it, so a
// change interrupts it (see wake_timer_thread).
void sleep_until(IntervalTimer &t, uint32_t seen, int64_t deadline) {
    if (!deadline) {
        abi().sync_wait(&t.generation, seen, BSC_WAIT_FOREVER);
    } else if (!counts_cpu_time(t)) {
        int64_t left = deadline - clock_now(t.clock);
        if (left > 0)
            abi().sync_wait(&t.generation, seen, left);
    } else {
        abi().time_sleep_until(t.clock, deadline);
    }
}

// The next deadline of a periodic timer that fired: a CPU timer's moves one interval (Linux
// checks it once a tick), ITIMER_REAL's to its first period after `now` (hrtimer_forward).
int64_t next_deadline(const IntervalTimer &t, int64_t now) {
    if (!t.interval)
        return 0;
    if (counts_cpu_time(t) || t.deadline + t.interval > now)
        return t.deadline + t.interval;
    return t.deadline + ((now - t.deadline) / t.interval + 1) * t.interval;
}

// Fires the timer if it is due and unchanged since `seen`: the signal becomes pending and
// a thread of the program that does not block it is interrupted; a periodic timer is
// armed again. The signal is made pending under the timer's lock, as Linux generates it
// with the timer's state: a setitimer that disarms either comes first (nothing fires) or
// finds the signal pending already (delivered as that call ends), never a signal raised
// after it returned.
void fire_if_due(IntervalTimer &t, uint32_t seen) {
    {
        SpinGuard guard(t.lock);
        int64_t now = clock_now(t.clock);
        if (!t.deadline || __atomic_load_n(&t.generation, __ATOMIC_ACQUIRE) != seen ||
            now < t.deadline)
            return;
        t.deadline = next_deadline(t, now);
        raise_signal(static_cast<uint64_t>(t.signal), kSiKernel); // interrupts a thread
    }
}

void run_timer(IntervalTimer &t) {
    for (;;) {
        uint32_t seen = __atomic_load_n(&t.generation, __ATOMIC_ACQUIRE);
        __atomic_store_n(&t.seen, seen, __ATOMIC_RELEASE);
        abi().sync_wake(&t.seen, 1, nullptr);
        int64_t deadline;
        {
            SpinGuard guard(t.lock);
            deadline = t.deadline;
        }
        sleep_until(t, seen, deadline);
        fire_if_due(t, seen);
    }
}

template <uint64_t kWhich> void timer_thread() { run_timer(timers[kWhich]); }
constexpr void (*kTimerThreads[])() = {timer_thread<0>, timer_thread<1>, timer_thread<2>};

// Tells the timer's thread about generation `generation`. A thread sleeping on a CPU
// clock is interrupted until it has seen it: an interrupt that lands just before its
// downcall would otherwise be lost.
void wake_timer_thread(IntervalTimer &t, uint32_t generation) {
    abi().sync_wake(&t.generation, 1, nullptr);
    if (!counts_cpu_time(t))
        return;
    constexpr int64_t kRetry = 200000; // ns
    for (;;) {
        uint32_t seen = __atomic_load_n(&t.seen, __ATOMIC_ACQUIRE);
        if (seen == generation)
            return;
        abi().thread_interrupt(t.thread);
        abi().sync_wait(&t.seen, seen, kRetry);
    }
}

// What is left of an armed timer at time `now`: a CPU timer past its deadline (about to
// fire at the next tick) shows a tick, ITIMER_REAL a microsecond, as Linux shows them.
int64_t time_left(const IntervalTimer &t, int64_t now) {
    if (!t.deadline)
        return 0;
    if (t.deadline > now)
        return t.deadline - now;
    return counts_cpu_time(t) ? tick() : 1000;
}

// Arms timer t (value 0 disarms) and returns what was left of it, and its interval.
void set_timer(IntervalTimer &t, uint64_t which, int64_t value, int64_t every,
               int64_t &old_left, int64_t &old_every) {
    bool start;
    uint32_t generation;
    {
        SpinGuard guard(t.lock);
        int64_t now = clock_now(t.clock);
        old_left = time_left(t, now);
        old_every = t.interval;
        if (value && counts_cpu_time(t))
            value += tick();
        t.deadline = value ? now + value : 0;
        t.interval = every;
        start = t.thread == BSC_NO_HANDLE && value;
        generation = __atomic_add_fetch(&t.generation, 1, __ATOMIC_RELEASE);
    }
    if (start)
        t.thread = start_internal_thread(kTimerThreads[which]);
    if (t.thread != BSC_NO_HANDLE)
        wake_timer_thread(t, generation);
}

void get_timer(IntervalTimer &t, int64_t &left, int64_t &every) {
    SpinGuard guard(t.lock);
    left = time_left(t, clock_now(t.clock));
    every = t.interval;
}

Itimerval to_itimerval(int64_t left, int64_t every) {
    return {every / kNanosPerSecond, every % kNanosPerSecond / 1000, left / kNanosPerSecond,
            left % kNanosPerSecond / 1000};
}

bool valid_timeval(int64_t sec, int64_t usec) { return sec >= 0 && usec >= 0 && usec < 1000000; }

} // namespace

void forget_interval_timers() {
    for (IntervalTimer &t : timers) {
        if (t.thread != BSC_NO_HANDLE)
            abi().object_close(t.thread);
        t.deadline = t.interval = 0;
        t.thread = BSC_NO_HANDLE;
        t.lock = Spinlock{};
    }
}

int64_t sys_alarm(Syscall &c) {
    int64_t old_left, old_every;
    set_timer(timers[ITIMER_REAL], ITIMER_REAL,
              static_cast<int64_t>(c.arg[0] & 0xffffffff) * kNanosPerSecond, 0, old_left,
              old_every);
    // Linux rounds the old remainder (in microseconds) to the nearest second, at least 1
    // if it was armed.
    Itimerval old = to_itimerval(old_left, 0);
    int64_t seconds = old.value_sec + (old.value_usec >= 500000);
    return !seconds && old.value_usec ? 1 : seconds;
}

// setitimer: the new value is read and checked first (EFAULT, EINVAL), then `which`; a
// null new value disarms, as Linux still allows.
int64_t sys_setitimer(Syscall &c) {
    Itimerval wanted{};
    if (c.arg[1] && !get_user(c.arg[1], wanted))
        return -EFAULT;
    if (!valid_timeval(wanted.value_sec, wanted.value_usec) ||
        !valid_timeval(wanted.interval_sec, wanted.interval_usec))
        return -EINVAL;
    uint64_t which = static_cast<uint32_t>(c.arg[0]);
    if (which >= kTimerCount)
        return -EINVAL;
    int64_t old_left, old_every;
    set_timer(timers[which], which, wanted.value_sec * kNanosPerSecond + wanted.value_usec * 1000,
              wanted.interval_sec * kNanosPerSecond + wanted.interval_usec * 1000, old_left,
              old_every);
    return !c.arg[2] || put_user(c.arg[2], to_itimerval(old_left, old_every)) ? 0 : -EFAULT;
}

int64_t sys_getitimer(Syscall &c) {
    uint64_t which = static_cast<uint32_t>(c.arg[0]);
    if (which >= kTimerCount)
        return -EINVAL;
    int64_t left, every;
    get_timer(timers[which], left, every);
    return put_user(c.arg[1], to_itimerval(left, every)) ? 0 : -EFAULT;
}

} // namespace libos
