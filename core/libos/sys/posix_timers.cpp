// SPDX-License-Identifier: MIT
// POSIX timers: timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete.
// A timer counts one of the ABI's clocks (clock.h: the named clocks and the CPU clocks of
// the process and of its threads) and notifies as its sigevent says: a signal for the
// process or for one of its threads (SIGEV_SIGNAL, SIGEV_THREAD_ID, which glibc's
// SIGEV_THREAD uses), or nothing (SIGEV_NONE). One LibOS thread serves them all as the
// interval timers' threads serve theirs (timers.cpp): it sleeps until the next deadline,
// makes the signal pending and interrupts a thread that takes it. As on Linux (6.13 on), a
// periodic timer is armed again only when its signal is taken (posix_timer_signal_taken),
// which counts the expirations missed meanwhile, its overrun; a signal of a timer deleted
// or set again since it was raised is dropped then.
#include <asm-generic/errno.h>
#include <asm/signal.h>
#include <linux/resource.h>
#include <linux/time.h>

#include "clock.h"
#include "fork_locks.h"
#include "heap.h"
#include "process_state.h"
#include "process_tree.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int32_t kSigevSignal = 0, kSigevNone = 1, kSigevThread = 2, kSigevThreadId = 4;
constexpr int32_t kSignalMax = 64; // SIGRTMAX
constexpr int32_t kIdMax = 0x7fffffff;

// The kernel's struct sigevent (64 bytes).
struct Sigevent {
    uint64_t value;
    int32_t signo, notify;
    int32_t thread; // SIGEV_THREAD_ID: the thread to signal
    int32_t pad[11];
};
static_assert(sizeof(Sigevent) == 64);

struct Itimerspec {
    Timespec interval, value;
};

struct PosixTimer {
    PosixTimer *next;
    int32_t id;
    int32_t notify, signo; // the sigevent's
    int64_t target;        // SIGEV_THREAD_ID's thread, else 0: the process
    uint64_t value;        // the sigevent's value, the signal's si_value
    uint32_t made_on;      // the ABI clock it was made on
    uint32_t clock;        // the one its deadline is on (see set_timer)
    int64_t thread;        // the thread whose CPU clock it counts, else 0
    int64_t deadline;      // on `clock`; 0: disarmed
    int64_t interval;      // ns; 0: one-shot
    int64_t overrun;       // expirations missed since its signal was raised, less one
    int64_t overrun_last;  // that of the last signal taken (timer_getoverrun)
    uint32_t generation;   // bumped by every setting and every re-arming by a signal
    uint32_t queued_generation; // the generation its pending signal stands for
    bool queued;           // its signal is pending (or parked) and not yet taken
    bool parked;           // its signal is ignored and waits until it is not (queued too)
    bool made;             // timer_create has given out its id: the calls may name it
};

// Every timer of the process and their state. Lock order: this, then the thread list's,
// then the signal lock; a signal is raised with this lock released.
Spinlock posix_timer_lock;
LIBOS_FORK_LOCK(posix_timer_lock);
PosixTimer *timers;
uint32_t timer_count;
int32_t next_id;   // where the search for a free id starts (Linux's posix_timer_id)
uint32_t changes;  // bumped and woken at every change the service must see
bsc_handle service = BSC_NO_HANDLE;
bool service_started;

PosixTimer *find(int64_t id) {
    for (PosixTimer *t = timers; t; t = t->next)
        if (t->id == id)
            return t;
    return nullptr;
}

// The timer an id argument names (timer_t is an int; a negative one is none): null if none.
PosixTimer *timer_of(uint64_t arg) {
    auto id = static_cast<int32_t>(arg);
    PosixTimer *t = id < 0 ? nullptr : find(id);
    return t && t->made ? t : nullptr;
}

bool is_cpu_clock(uint32_t clock) {
    return clock == BSC_CLOCK_PROCESS_CPU || clock == BSC_CLOCK_PROCESS_CPU_USER ||
           clock == BSC_CLOCK_PROCESS_CPU_ACCOUNTED || clock == BSC_CLOCK_THREAD_CPU ||
           clock == BSC_CLOCK_THREAD_CPU_USER || clock == BSC_CLOCK_THREAD_CPU_ACCOUNTED;
}

// Linux's TICK_NSEC: CPU timers are checked at the tick, and an ignored periodic timer's
// signal comes at most once a tick.
int64_t tick() { return clock_resolution_ns(BSC_CLOCK_MONOTONIC_COARSE); }

int64_t processors() {
    static uint32_t count;
    if (!count) {
        bsc_system_info info{};
        abi().system_info_query(&info);
        count = info.cpu_count ? info.cpu_count : 1;
    }
    return count;
}

// The timer's clock now: false if it is a thread's CPU clock and the thread has ended.
bool now_of(const PosixTimer &t, int64_t &now) {
    if (!t.thread) {
        now = clock_now(t.clock);
        return true;
    }
    return call_on_thread(t.thread, [&](bsc_handle thread) {
               return abi().thread_time_query(thread, t.clock, &now);
           }) == BSC_OK;
}

// Moves a periodic timer's deadline to its first expiration after `now` (hrtimer_forward,
// bump_cpu_timer): how many intervals it moved, 0 if the deadline is still ahead.
int64_t forward(PosixTimer &t, int64_t now) {
    if (now < t.deadline)
        return 0;
    int64_t n = (now - t.deadline) / t.interval + 1, step;
    if (__builtin_mul_overflow(n, t.interval, &step) ||
        __builtin_add_overflow(t.deadline, step, &t.deadline))
        t.deadline = INT64_MAX;
    return n;
}

// Whether the timer fired and waits for its signal to be taken (Linux's requeue pending).
bool waits_for_signal(const PosixTimer &t) {
    return t.queued && t.queued_generation == t.generation;
}

// si_overrun and timer_getoverrun are ints: Linux caps the count at INT_MAX.
int32_t overrun_to_int(int64_t overrun) {
    return overrun > kIdMax ? kIdMax : static_cast<int32_t>(overrun);
}

// The timer's setting as timer_gettime shows it (common_timer_get): the interval and the
// time to the next expiration. A periodic timer waiting for its signal to be taken, or one
// that notifies no one, is first moved past now (the expirations it skips are overruns);
// one past its deadline that has not fired yet shows 1 ns, an expired one-shot SIGEV_NONE
// timer 0. The lock held.
Itimerspec setting_of(PosixTimer &t) {
    Itimerspec out{to_timespec(t.interval), {0, 0}};
    int64_t now;
    if (!t.deadline || !now_of(t, now))
        return out;
    bool notifies = t.notify != kSigevNone;
    if (t.interval && (waits_for_signal(t) || !notifies))
        t.overrun += forward(t, now);
    if (t.deadline > now)
        out.value = to_timespec(t.deadline - now);
    else if (notifies)
        out.value = {0, 1};
    return out;
}

// A timespec in nanoseconds, saturated as the kernel's timespec64_to_ktime.
int64_t nanoseconds(const Timespec &ts) {
    if (ts.sec >= INT64_MAX / kNanosPerSecond)
        return INT64_MAX;
    return ts.sec * kNanosPerSecond + ts.nsec;
}

bool valid(const Timespec &ts) { return ts.sec >= 0 && ts.nsec >= 0 && ts.nsec < kNanosPerSecond; }

void wake_service() {
    __atomic_add_fetch(&changes, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&changes, 1, nullptr);
}

// Sets the timer as timer_settime asks (common_timer_set): its old setting first; the
// overrun counts start again, and a signal still pending from before will be dropped. A
// relative CLOCK_REALTIME timer runs on the monotonic clock, as Linux's, which no change
// of the time of day moves. 0, or -ESRCH if its thread (a thread CPU clock's) has ended.
// The lock held.
int64_t set_timer(PosixTimer &t, const Itimerspec &wanted, bool absolute, Itimerspec &old) {
    int64_t now = 0;
    bool relative_realtime = t.made_on == BSC_CLOCK_REALTIME && !absolute;
    uint32_t clock = relative_realtime ? uint32_t{BSC_CLOCK_MONOTONIC} : t.made_on;
    if (t.thread && !now_of(t, now))
        return -ESRCH; // posix_cpu_timer_set's answer
    old = setting_of(t);
    t.generation++;
    t.overrun_last = 0;
    t.overrun = -1;
    t.interval = 0;
    int64_t value = nanoseconds(wanted.value);
    // Disarming leaves a SIGEV_NONE timer's hrtimer its old expiry, which timer_gettime
    // still counts down (common_timer_get); a CPU timer's expiry is cleared.
    if (value || t.notify != kSigevNone || is_cpu_clock(t.clock))
        t.deadline = 0;
    if (!value)
        return 0;
    t.interval = nanoseconds(wanted.interval);
    t.clock = clock;
    if (!t.thread)
        now = clock_now(clock);
    if (absolute)
        t.deadline = value;
    else if (__builtin_add_overflow(now, value, &t.deadline))
        t.deadline = INT64_MAX;
    return 0;
}

// How long the service may sleep before it looks at timer t again, `left` ns before its
// deadline. A CPU clock runs at most as fast as the threads it counts run: one processor
// for a thread's, all of them for the process's; the service looks at its timers no
// sooner than Linux does, at the tick. A real-time deadline is looked at every second, so
// that a change of the host's time of day is followed.
int64_t wait_before(const PosixTimer &t, int64_t left) {
    if (is_cpu_clock(t.clock)) {
        int64_t wait = left / (t.thread ? 1 : processors());
        return wait > tick() ? wait : tick();
    }
    bool wall = t.clock == BSC_CLOCK_REALTIME || t.clock == BSC_CLOCK_TAI;
    return wall && left > kNanosPerSecond ? kNanosPerSecond : left;
}

// A signal the service raises, taken from its timer under the lock.
struct Firing {
    SignalInfo info;
    int64_t target;
    int64_t deadline; // the timer's, as it fired
};

void fill_firing(const PosixTimer &t, Firing &firing) {
    firing = {};
    firing.deadline = t.deadline;
    firing.target = t.target;
    firing.info.signo = t.signo;
    firing.info.code = kSiTimer;
    firing.info.timer_id = t.id;
    firing.info.value = t.value;
}

// Timer t's deadline has come (posix_timer_queue_signal): a periodic timer waits for its
// signal to be taken, a one-shot one is disarmed. If its signal from before a setting is
// pending or parked still, that one stands for this expiration (nothing is raised:
// false), except that a parked one-shot signal is dropped (posixtimer_send_sigqueue).
// The lock held.
bool expire(PosixTimer &t, Firing &firing) {
    fill_firing(t, firing);
    if (!t.interval)
        t.deadline = 0;
    bool raise = !t.queued;
    if (t.parked && !t.interval)
        t.queued = t.parked = false;
    else
        t.queued = true;
    t.queued_generation = t.generation;
    return raise;
}

// Its signal was ignored (or its thread is gone): a periodic timer waits, parked, until
// the signal is no longer ignored, as Linux keeps it on its list of ignored timers; a
// one-shot timer's signal is lost (posixtimer_sig_ignore). The lock held.
void drop_or_park(PosixTimer &t) {
    if (t.interval && t.queued_generation == t.generation)
        t.parked = true;
    else
        t.queued = t.parked = false;
}

// A signal raised was not made pending: dropped, or busy (another of its number is
// pending: the expiration stays due and is tried again a tick later, where Linux would
// queue both, which sets `wait`). A parked signal raised again that is dropped (its thread
// gone) leaves its timer waiting for good, as Linux leaves it. The lock held.
void not_queued(const Firing &firing, Queued queued, bool unparked, int64_t &wait) {
    PosixTimer *t = find(firing.info.timer_id);
    if (!t || !t->queued)
        return;
    if (queued == Queued::dropped) {
        if (!unparked)
            drop_or_park(*t);
        return;
    }
    t->queued = t->parked = false;
    if (t->queued_generation != t->generation)
        return; // set again meanwhile
    t->deadline = firing.deadline;
    wait = tick();
}

// Makes the signals of `firings` pending (the lock not held) and settles those that were
// not; lowers `wait` to when one must be tried again. `unparked`: they were parked.
void raise_firings(const Firing *firings, int count, bool unparked, int64_t &wait) {
    for (int i = 0; i < count; i++) {
        Queued queued = queue_timer_signal(firings[i].info, firings[i].target);
        if (queued == Queued::yes)
            continue;
        int64_t retry = BSC_WAIT_FOREVER;
        {
            SpinGuard guard(posix_timer_lock);
            not_queued(firings[i], queued, unparked, retry);
        }
        if (retry >= 0 && (wait < 0 || retry < wait))
            wait = retry;
    }
}

constexpr int kBatch = 8; // the signals raised at a time, from a stack array

// Fires the timers that are due (a batch at a time) and says how long the service may
// sleep.
int64_t fire_due() {
    Firing firings[kBatch];
    int count = 0;
    int64_t wait = BSC_WAIT_FOREVER;
    {
        SpinGuard guard(posix_timer_lock);
        for (PosixTimer *t = timers; t; t = t->next) {
            int64_t now;
            if (!t->deadline || t->notify == kSigevNone || waits_for_signal(*t) || !now_of(*t, now))
                continue;
            if (now < t->deadline) {
                int64_t until = wait_before(*t, t->deadline - now);
                wait = wait < 0 || until < wait ? until : wait;
            } else if (count == kBatch) {
                wait = 0; // more are due: look again at once
                break;
            } else if (expire(*t, firings[count])) {
                count++;
            }
        }
    }
    raise_firings(firings, count, false, wait);
    return wait;
}

void run_service() {
    for (;;) {
        uint32_t seen = __atomic_load_n(&changes, __ATOMIC_ACQUIRE);
        int64_t wait = fire_due();
        if (wait != 0) // an interruption (a checkpoint) only ends the wait early
            abi().sync_wait(&changes, seen, wait);
    }
}

// The service thread starts with the first timer armed.
void start_service() {
    bool start;
    {
        SpinGuard guard(posix_timer_lock);
        start = !service_started;
        service_started = true;
    }
    if (start)
        __atomic_store_n(&service, start_internal_thread(run_service), __ATOMIC_RELEASE);
}

// The sigevent's checks (good_sigevent): 0 or -EINVAL.
int64_t check_sigevent(const Sigevent &event) {
    switch (event.notify) {
    case kSigevSignal | kSigevThreadId:
        if (event.thread <= 0 || !is_thread_of_process(event.thread))
            return -EINVAL;
        [[fallthrough]];
    case kSigevSignal:
    case kSigevThread:
        return event.signo <= 0 || event.signo > kSignalMax ? -EINVAL : 0;
    case kSigevNone: return 0;
    default: return -EINVAL;
    }
}

// The clock of a new timer, in Linux's order: an unknown id (EINVAL), a clock with no
// timers (EOPNOTSUPP: the raw and coarse clocks, a descriptor's). `late` is the check
// Linux makes once the id is written: the alarm clocks, a CPU clock that is none of the
// program's.
int64_t timer_clock(int64_t clockid, int64_t &late) {
    constexpr int32_t kSgiCycle = 10, kFdClockKind = 3;
    auto id = static_cast<int32_t>(clockid);
    late = 0;
    if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
        return -EOPNOTSUPP;
    if (id < 0 && (id & 7) == kFdClockKind)
        return -EOPNOTSUPP;
    if (id == kSgiCycle || id > CLOCK_TAI)
        return -EINVAL;
    if (id == CLOCK_REALTIME_ALARM || id == CLOCK_BOOTTIME_ALARM) {
        // Linux makes an alarm timer only with a wake-up capable real-time clock device,
        // which the guest has none of, as its clock_gettime on these clocks says.
        report_unsupported("timer_create", "CLOCK_*_ALARM");
        late = -EOPNOTSUPP;
    }
    return 0;
}

// A free id, searched from where the last search ended as Linux's posix_timer_add does;
// -EAGAIN if every id is taken. The lock held.
int64_t allocate_id() {
    int32_t first = next_id;
    do {
        int32_t id = next_id;
        next_id = next_id == kIdMax ? 0 : next_id + 1;
        if (!find(id))
            return id;
    } while (next_id != first);
    return -EAGAIN;
}

// Linux makes a timer on another process's CPU clock too; the LibOS reads only its own.
void report_other_process(int64_t clockid) {
    auto id = static_cast<int32_t>(clockid);
    bool thread = id & 4;
    int32_t pid = ~(id >> 3);
    if (id < 0 && !thread && pid != current_pid() && process_exists(pid))
        report_unsupported("timer_create", "another process's CPU clock");
}

void remove_timer(PosixTimer *timer) {
    for (PosixTimer **at = &timers; *at; at = &(*at)->next) {
        if (*at == timer) {
            *at = timer->next;
            timer_count--;
            return;
        }
    }
}

// Makes the timer of timer_create once its clock is known: its id, or -errno.
int64_t make_timer(int64_t clockid, const Sigevent *event, uint64_t id_out) {
    int64_t late;
    if (int64_t error = timer_clock(clockid, late))
        return error;
    auto *t = create<PosixTimer>();
    int64_t id;
    {
        SpinGuard guard(posix_timer_lock);
        // Each timer holds a signal of its own, which Linux counts against RLIMIT_SIGPENDING.
        id = timer_count >= soft_limit(RLIMIT_SIGPENDING) ? -EAGAIN : allocate_id();
        if (id >= 0) {
            t->id = static_cast<int32_t>(id);
            t->next = timers;
            timers = t;
            timer_count++;
        }
    }
    if (id < 0) {
        destroy(t);
        return id;
    }
    // Filled in while no call can name it (it is not made yet) and the service skips it
    // (it is disarmed).
    int64_t error = event ? check_sigevent(*event) : 0;
    t->notify = event ? event->notify : kSigevSignal;
    t->signo = event ? event->signo : SIGALRM;
    t->value = event ? event->value : static_cast<uint64_t>(id); // Linux's default: the id
    t->target = t->notify & kSigevThreadId ? event->thread : 0;
    if (!error && !put_user(id_out, static_cast<int32_t>(id)))
        error = -EFAULT;
    if (!error)
        error = late;
    if (!error) {
        error = clock_decode_timer(clockid, t->made_on, t->thread);
        if (error)
            report_other_process(clockid);
    }
    t->clock = t->made_on;
    SpinGuard guard(posix_timer_lock);
    t->made = !error;
    if (!error)
        return id;
    remove_timer(t);
    destroy(t);
    return error;
}

} // namespace

bool posix_timer_signal_taken(SignalInfo &info) {
    bool rearmed = false;
    {
        SpinGuard guard(posix_timer_lock);
        PosixTimer *t = find(info.timer_id);
        if (!t || !t->queued)
            return false; // deleted
        t->queued = false;
        if (t->queued_generation != t->generation)
            return false; // set again since
        int64_t now;
        if (t->interval && t->deadline && now_of(*t, now)) { // posixtimer_deliver_signal
            t->overrun += forward(*t, now);
            t->overrun_last = t->overrun;
            t->overrun = -1;
            t->generation++;
            info.overrun = overrun_to_int(t->overrun_last);
            rearmed = true;
        }
    }
    if (rearmed)
        wake_service();
    return true;
}

void posix_timer_signals_discarded(uint64_t sig) {
    SpinGuard guard(posix_timer_lock);
    for (PosixTimer *t = timers; t; t = t->next)
        if (t->queued && !t->parked && static_cast<uint64_t>(t->signo) == sig)
            drop_or_park(*t);
}

// The parked timers of `sig` raise their signal again (posixtimer_sig_unignore), a batch
// at a time.
void posix_timer_signals_unignored(uint64_t sig) {
    for (;;) {
        Firing firings[kBatch];
        int count = 0;
        {
            SpinGuard guard(posix_timer_lock);
            for (PosixTimer *t = timers; t && count < kBatch; t = t->next) {
                if (!t->parked || static_cast<uint64_t>(t->signo) != sig)
                    continue;
                t->parked = false;
                fill_firing(*t, firings[count++]);
            }
        }
        if (!count)
            return;
        int64_t retry = BSC_WAIT_FOREVER;
        raise_firings(firings, count, true, retry);
        if (retry >= 0)
            wake_service(); // a busy one is due again: the service tries it
    }
}

namespace {

// Takes every timer off the list and frees them.
void free_timers() {
    PosixTimer *list;
    {
        SpinGuard guard(posix_timer_lock);
        list = timers;
        timers = nullptr;
        timer_count = 0;
    }
    while (PosixTimer *t = list) {
        list = t->next;
        destroy(t);
    }
}

} // namespace

void delete_posix_timers() { free_timers(); }

void forget_posix_timers() {
    free_timers();
    next_id = 0;
    service = BSC_NO_HANDLE; // the parent's thread was not copied
    service_started = false;
    posix_timer_lock = Spinlock{};
}

// timer_create: the sigevent is read first (EFAULT); no sigevent means SIGALRM for the
// process with the timer's id as its value.
int64_t sys_timer_create(Syscall &c) {
    Sigevent event;
    if (c.arg[1] && !get_user(c.arg[1], event))
        return -EFAULT;
    int64_t id = make_timer(static_cast<int64_t>(c.arg[0]), c.arg[1] ? &event : nullptr, c.arg[2]);
    return id < 0 ? id : 0;
}

// timer_settime: in the kernel's order, a null new value (EINVAL), its copy (EFAULT), its
// fields (EINVAL), the timer (EINVAL); the old value is written after the change. Of the
// flags only TIMER_ABSTIME counts, as on Linux.
int64_t sys_timer_settime(Syscall &c) {
    if (!c.arg[2])
        return -EINVAL;
    Itimerspec wanted;
    if (!get_user(c.arg[2], wanted))
        return -EFAULT;
    if (!valid(wanted.interval) || !valid(wanted.value))
        return -EINVAL;
    Itimerspec old{};
    {
        SpinGuard guard(posix_timer_lock);
        PosixTimer *t = timer_of(c.arg[0]);
        if (!t)
            return -EINVAL;
        if (int64_t error = set_timer(*t, wanted, c.arg[1] & TIMER_ABSTIME, old))
            return error;
    }
    start_service();
    wake_service();
    return !c.arg[3] || put_user(c.arg[3], old) ? 0 : -EFAULT;
}

int64_t sys_timer_gettime(Syscall &c) {
    Itimerspec now{};
    {
        SpinGuard guard(posix_timer_lock);
        PosixTimer *t = timer_of(c.arg[0]);
        if (!t)
            return -EINVAL;
        now = setting_of(*t);
    }
    return put_user(c.arg[1], now) ? 0 : -EFAULT;
}

// The overrun of the timer's last signal taken, at most INT_MAX.
int64_t sys_timer_getoverrun(Syscall &c) {
    SpinGuard guard(posix_timer_lock);
    PosixTimer *t = timer_of(c.arg[0]);
    return t ? overrun_to_int(t->overrun_last) : -EINVAL;
}

// timer_delete: a signal of the timer still pending is dropped when it is taken.
int64_t sys_timer_delete(Syscall &c) {
    PosixTimer *t;
    {
        SpinGuard guard(posix_timer_lock);
        t = timer_of(c.arg[0]);
        if (!t)
            return -EINVAL;
        remove_timer(t);
    }
    destroy(t);
    wake_service();
    return 0;
}

} // namespace libos
