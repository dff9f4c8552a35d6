// SPDX-License-Identifier: MIT
// Interval timers: alarm, setitimer and getitimer, and RLIMIT_CPU's watch. Each of the
// three interval timers has a LibOS thread of its own that sleeps until its deadline, makes
// the signal pending and interrupts the program's thread, which runs the handler at its
// next ABI boundary. ITIMER_REAL counts monotonic time; ITIMER_VIRTUAL the process's user
// CPU time and ITIMER_PROF its user + system time, as the host accounts them: their
// threads sleep on those clocks (time_sleep_until), so they expire as Linux's do, at the
// host's tick. RLIMIT_CPU is a fourth timer of the same kind on ITIMER_PROF's clock.
#include <asm-generic/errno.h>
#include <asm/signal.h>
#include <linux/resource.h>
#include <linux/time.h>

#include "clock.h"
#include "process_state.h"
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

struct IntervalTimer;
void expire_interval(IntervalTimer &t, int64_t now);
void expire_cpu_limit(IntervalTimer &t, int64_t now);

struct IntervalTimer {
    uint32_t clock;       // the ABI clock it counts
    int signal;           // what it raises
    void (*expire)(IntervalTimer &, int64_t now); // at its deadline, under its lock
    Spinlock lock;
    int64_t deadline;     // on `clock`; 0: disarmed
    int64_t interval;     // ns; 0: one-shot
    uint32_t generation;  // bumped on every change; the thread waits on it
    uint32_t seen;        // the generation the thread last saw
    bsc_handle thread;    // BSC_NO_HANDLE until the first arming
};

// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF (setitimer's `which`), then RLIMIT_CPU's.
IntervalTimer timers[] = {
    {BSC_CLOCK_MONOTONIC, SIGALRM, expire_interval, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
    {BSC_CLOCK_PROCESS_CPU_USER, SIGVTALRM, expire_interval, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
    {BSC_CLOCK_PROCESS_CPU_ACCOUNTED, SIGPROF, expire_interval, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
    {BSC_CLOCK_PROCESS_CPU_ACCOUNTED, SIGXCPU, expire_cpu_limit, {}, 0, 0, 0, 0, BSC_NO_HANDLE},
};
constexpr uint64_t kItimerCount = 3;
constexpr uint64_t kCpuLimit = 3;

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

// An interval timer's expiry: its signal becomes pending and a thread of the program that
// does not block it is interrupted; a periodic timer is armed again.
void expire_interval(IntervalTimer &t, int64_t now) {
    t.deadline = next_deadline(t, now);
    raise_signal(static_cast<uint64_t>(t.signal), kSiKernel);
}

// Fires the timer if it is due and unchanged since `seen`. The signal is made pending under
// the timer's lock, as Linux generates it with the timer's state: a setitimer that disarms
// either comes first (nothing fires) or finds the signal pending already (delivered as
// that call ends), never a signal raised after it returned.
void fire_if_due(IntervalTimer &t, uint32_t seen) {
    SpinGuard guard(t.lock);
    int64_t now = clock_now(t.clock);
    if (!t.deadline || __atomic_load_n(&t.generation, __ATOMIC_ACQUIRE) != seen ||
        now < t.deadline)
        return;
    t.expire(t, now);
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
constexpr void (*kTimerThreads[])() = {timer_thread<0>, timer_thread<1>, timer_thread<2>,
                                       timer_thread<3>};

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

// Gives timer `which` a new state, made by `change` under its lock, and tells its thread
// (started at its first arming).
template <typename Change> void change_timer(uint64_t which, Change change) {
    IntervalTimer &t = timers[which];
    bool start;
    uint32_t generation;
    {
        SpinGuard guard(t.lock);
        change(t, clock_now(t.clock));
        start = t.thread == BSC_NO_HANDLE && t.deadline;
        generation = __atomic_add_fetch(&t.generation, 1, __ATOMIC_RELEASE);
    }
    if (start)
        t.thread = start_internal_thread(kTimerThreads[which]);
    if (t.thread != BSC_NO_HANDLE)
        wake_timer_thread(t, generation);
}

// Arms interval timer `which` (value 0 disarms) and returns what was left of it, and its
// interval.
void set_timer(uint64_t which, int64_t value, int64_t every, int64_t &old_left,
               int64_t &old_every) {
    change_timer(which, [&](IntervalTimer &t, int64_t now) {
        old_left = time_left(t, now);
        old_every = t.interval;
        if (value && counts_cpu_time(t))
            value += tick();
        t.deadline = value ? now + value : 0;
        t.interval = every;
    });
}

// RLIMIT_CPU's deadline on the process's CPU clock: its soft limit, or none when that is
// RLIM_INFINITY (Linux then ignores the hard limit too) or beyond what the clock counts.
int64_t cpu_limit_deadline(uint64_t soft) {
    constexpr auto kMaxSeconds = static_cast<uint64_t>(INT64_MAX / kNanosPerSecond);
    return soft > kMaxSeconds ? 0 : static_cast<int64_t>(soft) * kNanosPerSecond;
}

// RLIMIT_CPU reached, as Linux's check_process_timers: at the hard limit the process is
// killed (SIGKILL); at the soft one it gets SIGXCPU and the soft limit moves on a second,
// so that the signal comes again every CPU second. A limit the program raised since the
// timer was armed is only waited for.
void expire_cpu_limit(IntervalTimer &t, int64_t now) {
    uint64_t soft = soft_limit(RLIMIT_CPU);
    t.deadline = cpu_limit_deadline(soft);
    if (!t.deadline || now < t.deadline)
        return;
    int64_t hard_deadline = cpu_limit_deadline(hard_limit(RLIMIT_CPU));
    if (hard_deadline && now >= hard_deadline) {
        t.deadline = 0;
        raise_signal(SIGKILL, kSiKernel);
        return;
    }
    if (move_soft_limit(RLIMIT_CPU, soft, soft + 1)) {
        raise_signal(SIGXCPU, kSiKernel);
        t.deadline = cpu_limit_deadline(soft + 1);
    }
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
    watch_cpu_limit(); // the child's CPU time starts at 0 under the limit it inherits
}

void watch_cpu_limit() {
    change_timer(kCpuLimit, [](IntervalTimer &t, int64_t) {
        t.deadline = cpu_limit_deadline(soft_limit(RLIMIT_CPU));
    });
}

int64_t sys_alarm(Syscall &c) {
    int64_t old_left, old_every;
    set_timer(ITIMER_REAL, static_cast<int64_t>(c.arg[0] & 0xffffffff) * kNanosPerSecond, 0,
              old_left, old_every);
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
    if (which >= kItimerCount)
        return -EINVAL;
    int64_t old_left, old_every;
    set_timer(which, wanted.value_sec * kNanosPerSecond + wanted.value_usec * 1000,
              wanted.interval_sec * kNanosPerSecond + wanted.interval_usec * 1000, old_left,
              old_every);
    return !c.arg[2] || put_user(c.arg[2], to_itimerval(old_left, old_every)) ? 0 : -EFAULT;
}

int64_t sys_getitimer(Syscall &c) {
    uint64_t which = static_cast<uint32_t>(c.arg[0]);
    if (which >= kItimerCount)
        return -EINVAL;
    int64_t left, every;
    get_timer(timers[which], left, every);
    return put_user(c.arg[1], to_itimerval(left, every)) ? 0 : -EFAULT;
}

} // namespace libos
