// SPDX-License-Identifier: MIT
// futex: wait queues of the LibOS's own, as the kernel keeps them. Each waiter is queued
// under a bucket lock with its word's value checked, then sleeps on a word of its own
// (sync_wait), so that a wake chooses exactly whom it wakes (bitsets, counts), a requeue
// moves waiters to another word, and a priority-inheritance unlock hands the lock to its
// first waiter. Priorities themselves are the host's: nothing is boosted. Keys are the
// address in the process (one address space; a shared futex on a file mapped at two
// addresses of it is two keys). A shared futex in shared memory is waited on in the host,
// so that the processes mapping it wake one another (FUTEX_WAIT and FUTEX_WAKE, and the
// bitset calls with every bit).
#include <asm-generic/errno.h>
#include <linux/futex.h>
#include <linux/time.h>

#include "fork_locks.h"
#include "futex.h"
#include "heap.h"
#include "memory_map.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "thread.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

// The arguments of one call, decoded as Linux decodes them.
struct Futex {
    uint64_t address;
    uint32_t command;
    bool realtime;    // FUTEX_CLOCK_REALTIME
    uint32_t value;   // val
    int64_t deadline; // absolute, on `clock`; -1: none
    uint32_t clock;
    uint64_t address2; // uaddr2
    uint32_t value2;   // the timeout argument read as a number (nr_requeue, nr_wake2)
    uint32_t value3;   // val3
    bool shared;       // no FUTEX_PRIVATE_FLAG
};

struct Bucket;

// A thread in a futex wait, on its own exception stack for the length of the call.
struct Waiter {
    uint64_t address;
    uint32_t bitset;
    uint32_t tid;
    uint32_t woken;          // 0 while queued; what the thread sleeps on
    bool pi;                 // waits to be handed a PI lock (LOCK_PI, or requeued to one)
    uint64_t requeue_target; // WAIT_REQUEUE_PI: the PI lock it waits to be moved to
    Bucket *bucket;          // where it is queued (a requeue moves it)
    Waiter *prev, *next;
    uint32_t *sleeps_on;     // futex_waitv: the word its caller sleeps on for all its
                             // waiters; null: `woken`
};

struct Bucket {
    Spinlock lock;
    Waiter *head, *tail;
};

constexpr uint32_t kBuckets = 256;
Bucket buckets[kBuckets];
LIBOS_FORK_LOCKS(buckets, &buckets[0].lock, kBuckets, sizeof(Bucket));

Bucket &bucket_of(uint64_t address) {
    return buckets[((address >> 2) * 0x9e3779b97f4a7c15ull) >> 56];
}

// Both buckets locked, in a fixed order, and unlocked at the end of the scope.
class BucketPair {
public:
    BucketPair(Bucket &a, Bucket &b) : first_(&a < &b ? a : b), second_(&a < &b ? b : a) {
        first_.lock.lock();
        if (&second_ != &first_)
            second_.lock.lock();
    }
    ~BucketPair() {
        if (&second_ != &first_)
            second_.lock.unlock();
        first_.lock.unlock();
    }
    BucketPair(const BucketPair &) = delete;
    BucketPair &operator=(const BucketPair &) = delete;

private:
    Bucket &first_, &second_;
};

void enqueue(Bucket &b, Waiter &w) {
    w.bucket = &b;
    w.next = nullptr;
    w.prev = b.tail;
    (b.tail ? b.tail->next : b.head) = &w;
    b.tail = &w;
}

void dequeue(Waiter &w) {
    Bucket &b = *w.bucket;
    (w.prev ? w.prev->next : b.head) = w.next;
    (w.next ? w.next->prev : b.tail) = w.prev;
}

// Ends the wait of a queued waiter (its bucket locked): it returns 0.
void wake_waiter(Waiter &w) {
    dequeue(w);
    uint32_t *sleeps_on = w.sleeps_on;
    __atomic_store_n(&w.woken, 1, __ATOMIC_RELEASE);
    if (!sleeps_on) {
        abi().sync_wake(&w.woken, 1, nullptr);
        return;
    }
    __atomic_store_n(sleeps_on, 1, __ATOMIC_RELEASE);
    abi().sync_wake(sleeps_on, 1, nullptr);
}

// Moves a queued waiter (both buckets locked) to the word at `address`.
void move_waiter(Waiter &w, uint64_t address) {
    dequeue(w);
    w.address = address;
    enqueue(bucket_of(address), w);
}

// The first waiter of `address` in its (locked) bucket after `from` (or from the start).
Waiter *next_waiter(Bucket &b, uint64_t address, Waiter *from = nullptr) {
    for (Waiter *w = from ? from->next : b.head; w; w = w->next)
        if (w->address == address)
            return w;
    return nullptr;
}

// Takes a waiter whose wait ended without a wake out of its queue; false if a wake came
// first. The bucket is the one it is in now, which a requeue may change meanwhile.
bool unqueue(Waiter &w) {
    for (;;) {
        Bucket *b = __atomic_load_n(&w.bucket, __ATOMIC_ACQUIRE);
        SpinGuard guard(b->lock);
        if (__atomic_load_n(&w.bucket, __ATOMIC_ACQUIRE) != b)
            continue;
        if (__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE))
            return false;
        dequeue(w);
        return true;
    }
}

bool has_timeout(uint32_t command) {
    return command == FUTEX_WAIT || command == FUTEX_LOCK_PI || command == FUTEX_LOCK_PI2 ||
           command == FUTEX_WAIT_BITSET || command == FUTEX_WAIT_REQUEUE_PI;
}

// The timeout as Linux reads it: FUTEX_WAIT's is relative to the monotonic clock,
// FUTEX_LOCK_PI's a deadline on the real-time clock, every other a deadline on the
// monotonic clock or, with FUTEX_CLOCK_REALTIME, the real-time clock.
int64_t read_timeout(Futex &f, uint64_t pointer) {
    f.clock = f.command == FUTEX_LOCK_PI || f.realtime ? BSC_CLOCK_REALTIME : BSC_CLOCK_MONOTONIC;
    f.deadline = -1;
    if (!pointer || !has_timeout(f.command))
        return 0;
    int64_t ns;
    if (int64_t error = timespec_from_user(pointer, ns))
        return error;
    int64_t now = f.command == FUTEX_WAIT ? clock_now(BSC_CLOCK_MONOTONIC) : 0;
    f.deadline = ns > INT64_MAX - now ? INT64_MAX : now + ns; // saturated, as ktime_add_safe
    return 0;
}

int64_t time_left(const Futex &f) {
    if (f.deadline < 0)
        return BSC_WAIT_FOREVER;
    int64_t left = f.deadline - clock_now(f.clock);
    return left > 0 ? left : 0;
}

// Sleeps until a wake dequeues `w` (0), its timeout passes (-ETIMEDOUT) or a signal comes
// (`interrupted`).
int64_t sleep(Waiter &w, const Futex &f, int64_t interrupted) {
    while (!__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) {
        bsc_status status = abi().sync_wait(&w.woken, 0, time_left(f));
        bool timed_out = status == BSC_E_TIMED_OUT;
        if (!timed_out && !(status == BSC_E_INTERRUPTED && signal_pending()))
            continue;
        if (unqueue(w))
            return timed_out ? -ETIMEDOUT : interrupted;
    }
    return 0;
}

int64_t check_aligned(uint64_t address) { return address % 4 ? -EINVAL : 0; }

// Linux's futex key: an aligned address, and for a futex shared between processes (no
// FUTEX_PRIVATE_FLAG) one in mapped memory, whose page the key names (EFAULT).
int64_t check_key(uint64_t address, bool shared) {
    if (int64_t error = check_aligned(address))
        return error;
    uint32_t word;
    return shared && !load_user(address, word) ? -EFAULT : 0;
}

// Queues `w` on its word if the word holds the call's value (EAGAIN if not), then sleeps
// until it is woken (0), times out or a signal comes (`interrupted`).
int64_t queue_and_sleep(const Futex &f, Waiter &w, int64_t interrupted) {
    Bucket &b = bucket_of(f.address);
    {
        SpinGuard guard(b.lock);
        uint32_t current;
        if (!load_user(f.address, current))
            return -EFAULT;
        if (current != f.value)
            return -EAGAIN;
        enqueue(b, w);
    }
    return sleep(w, f, interrupted);
}

// Whether a futex word is one other processes may wait on and wake: a shared futex (no
// FUTEX_PRIVATE_FLAG) in shared memory, which processes of the guest map together. Its
// waiters sleep on the word itself, in the host, where another process's wake reaches
// them; the LibOS's own queues are its process's alone.
bool between_processes(uint64_t address, bool shared) {
    Region region;
    return shared && map_find(address, region) && region.shared;
}

// A wait on a futex shared between processes: the host's (sync_wait on the word), until
// a wake, the timeout, or a signal.
int64_t wait_in_host(const Futex &f, int64_t interrupted) {
    for (;;) {
        int64_t left = time_left(f);
        if (left == 0)
            return -ETIMEDOUT;
        switch (abi().sync_wait(reinterpret_cast<const uint32_t *>(f.address), f.value, left)) {
        case BSC_OK: return 0; // woken (or spuriously, which FUTEX_WAIT may be too)
        case BSC_E_AGAIN: return -EAGAIN;
        case BSC_E_TIMED_OUT: return -ETIMEDOUT;
        case BSC_E_FAULT: return -EFAULT;
        case BSC_E_INTERRUPTED:
            if (signal_pending())
                return interrupted;
            continue;
        default: return -EINVAL;
        }
    }
}

int64_t wait(const Futex &f, uint32_t bitset) {
    if (!bitset)
        return -EINVAL;
    if (int64_t error = check_aligned(f.address))
        return error;
    int64_t interrupted = f.deadline < 0 ? -kRestartSyscall : -EINTR;
    if (bitset == FUTEX_BITSET_MATCH_ANY && between_processes(f.address, f.shared))
        return wait_in_host(f, interrupted);
    Waiter w{f.address, bitset, static_cast<uint32_t>(current_tid()), 0, false, 0, nullptr,
             nullptr, nullptr, nullptr};
    // Linux restarts a wait without a timeout after an SA_RESTART handler.
    return queue_and_sleep(f, w, interrupted);
}

// Wakes up to `count` waiters of `address` (its bucket locked) whose bitset meets
// `bitset`, as futex_wake counts them (a count of 0 or less still wakes one); EINVAL if
// one waits for a PI lock.
int64_t wake_locked(Bucket &b, uint64_t address, uint32_t count, uint32_t bitset) {
    int64_t woken = 0;
    for (Waiter *w = next_waiter(b, address), *next; w; w = next) {
        next = next_waiter(b, address, w);
        if (w->pi || w->requeue_target)
            return -EINVAL;
        if (!(w->bitset & bitset))
            continue;
        wake_waiter(*w);
        if (++woken >= static_cast<int32_t>(count))
            break;
    }
    return woken;
}

int64_t wake(uint64_t address, uint32_t count, uint32_t bitset, bool shared) {
    if (!bitset)
        return -EINVAL;
    if (int64_t error = check_key(address, shared))
        return error;
    uint32_t woken_in_host = 0;
    if (bitset == FUTEX_BITSET_MATCH_ANY && between_processes(address, shared)) {
        abi().sync_wake(reinterpret_cast<const uint32_t *>(address), count, &woken_in_host);
        if (woken_in_host >= count)
            return woken_in_host;
        count -= woken_in_host;
    }
    Bucket &b = bucket_of(address);
    SpinGuard guard(b.lock);
    return woken_in_host + wake_locked(b, address, count, bitset);
}

// Sets FUTEX_WAITERS in a PI lock word held by another thread, as Linux marks it before
// it sleeps; the word's value after, or -EFAULT.
int64_t mark_waiters(uint64_t address, uint32_t current) {
    for (;;) {
        uint32_t found;
        if (!compare_exchange_user(address, current, current | FUTEX_WAITERS, found))
            return -EFAULT;
        if (found == current)
            return current | FUTEX_WAITERS;
        current = found;
    }
}

// Hands the PI lock at `address` (its bucket locked) to its first waiter, if any: the word
// becomes the waiter's tid with FUTEX_WAITERS (and FUTEX_OWNER_DIED if `owner_died`), and
// the waiter returns owning it. False if no one waits, or -EFAULT-like failure to write.
bool hand_over(Bucket &b, uint64_t address, uint32_t current, bool owner_died) {
    Waiter *w = next_waiter(b, address);
    while (w && !w->pi)
        w = next_waiter(b, address, w);
    if (!w)
        return false;
    uint32_t wanted = w->tid | FUTEX_WAITERS | (owner_died ? FUTEX_OWNER_DIED : 0);
    for (;;) {
        uint32_t found;
        if (!compare_exchange_user(address, current, wanted, found))
            return false;
        if (found == current)
            break;
        current = found;
    }
    wake_waiter(*w);
    return true;
}

// Takes the PI lock at `address` for thread `tid` if it is free (its bucket locked),
// keeping FUTEX_OWNER_DIED and setting FUTEX_WAITERS if `waiters`: 1 if taken, 0 if
// another thread owns it (the word in `current`), or -errno.
int64_t take_if_free(uint64_t address, uint32_t tid, bool waiters, uint32_t &current) {
    if (!load_user(address, current))
        return -EFAULT;
    for (;;) {
        uint32_t owner = current & FUTEX_TID_MASK;
        if (owner == tid)
            return -EDEADLK;
        if (owner)
            return 0;
        uint32_t wanted = (current & FUTEX_OWNER_DIED) | tid | (waiters ? FUTEX_WAITERS : 0);
        uint32_t found;
        if (!compare_exchange_user(address, current, wanted, found))
            return -EFAULT;
        if (found == current)
            return 1;
        current = found;
    }
}

// LOCK_PI, LOCK_PI2, TRYLOCK_PI: a free word becomes the caller's; a word owned by another
// live thread gets FUTEX_WAITERS and the caller waits to be handed the lock (TRYLOCK_PI:
// EAGAIN); an owner that does not exist is ESRCH.
int64_t lock_pi(const Futex &f) {
    if (int64_t error = check_aligned(f.address))
        return error;
    auto tid = static_cast<uint32_t>(current_tid());
    Waiter w{f.address, FUTEX_BITSET_MATCH_ANY, tid, 0, true, 0, nullptr, nullptr, nullptr,
             nullptr};
    Bucket &b = bucket_of(f.address);
    {
        SpinGuard guard(b.lock);
        uint32_t current;
        bool queued = next_waiter(b, f.address) != nullptr;
        int64_t taken = take_if_free(f.address, tid, queued, current);
        if (taken != 0)
            return taken < 0 ? taken : 0;
        int64_t marked = mark_waiters(f.address, current);
        if (marked < 0)
            return marked;
        if (!thread_lives(current & FUTEX_TID_MASK))
            return -ESRCH;
        if (f.command == FUTEX_TRYLOCK_PI)
            return -EAGAIN;
        enqueue(b, w);
    }
    return sleep(w, f, -kRestartNoInterrupt); // Linux restarts it after any handler
}

// UNLOCK_PI: only the owner may unlock; the first waiter is handed the lock, else the word
// becomes 0 (EAGAIN if it changed meanwhile: user space looks again).
int64_t unlock_pi(const Futex &f) {
    if (int64_t error = check_aligned(f.address))
        return error;
    Bucket &b = bucket_of(f.address);
    SpinGuard guard(b.lock);
    uint32_t current;
    if (!load_user(f.address, current))
        return -EFAULT;
    if ((current & FUTEX_TID_MASK) != static_cast<uint32_t>(current_tid()))
        return -EPERM;
    if (hand_over(b, f.address, current, false))
        return 0;
    uint32_t found;
    if (!compare_exchange_user(f.address, current, 0, found))
        return -EFAULT;
    return found == current ? 0 : -EAGAIN;
}

// FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_CMP_REQUEUE_PI: wakes up to nr_wake waiters of
// the first word and moves up to nr_requeue more to the second; how many it woke and
// moved. With PI, the first waiter is given the PI lock at the second word if that is
// free, and those moved wait to be handed that lock.
int64_t requeue(const Futex &f, bool compare, bool pi) {
    auto nr_wake = static_cast<int32_t>(f.value), nr_requeue = static_cast<int32_t>(f.value2);
    if (nr_wake < 0 || nr_requeue < 0)
        return -EINVAL;
    if (pi && (f.address == f.address2 || nr_wake != 1))
        return -EINVAL;
    if (int64_t error = check_key(f.address, f.shared) ?: check_key(f.address2, f.shared))
        return error;
    // Waiters of another process wait in the host on the word itself, which no downcall
    // moves to another: they are neither woken nor moved here (LTP futex_cmp_requeue01).
    if (between_processes(f.address, f.shared))
        report_unsupported("futex", "a requeue of a word shared between processes");
    Bucket &b1 = bucket_of(f.address), &b2 = bucket_of(f.address2);
    BucketPair locked(b1, b2);
    if (compare) {
        uint32_t current;
        if (!load_user(f.address, current))
            return -EFAULT;
        if (current != f.value3)
            return -EAGAIN;
    }
    int64_t count = 0; // woken and moved, as the kernel's task_count
    if (Waiter *top = pi ? next_waiter(b1, f.address) : nullptr) {
        if (!top->requeue_target || top->requeue_target != f.address2)
            return -EINVAL;
        uint32_t current;
        int64_t taken = take_if_free(f.address2, top->tid, true, current);
        if (taken < 0)
            return taken == -EDEADLK ? -EINVAL : taken;
        if (taken) {
            wake_waiter(*top);
            count = 1;
        } else if (int64_t marked = mark_waiters(f.address2, current); marked < 0) {
            return marked;
        } else if (!thread_lives(current & FUTEX_TID_MASK)) {
            return -ESRCH;
        }
    }
    for (Waiter *w = next_waiter(b1, f.address), *next; w; w = next) {
        next = next_waiter(b1, f.address, w);
        if (count - nr_wake >= nr_requeue)
            break;
        if (w->pi || (w->requeue_target != 0) != pi || (pi && w->requeue_target != f.address2))
            return -EINVAL;
        if (++count <= nr_wake && !pi) {
            wake_waiter(*w);
            continue;
        }
        w->pi = pi;
        w->requeue_target = 0;
        move_waiter(*w, f.address2);
    }
    return count;
}

// WAIT_REQUEUE_PI: waits on the first word to be moved to the PI lock at the second
// (CMP_REQUEUE_PI) and handed it; returns owning it.
int64_t wait_requeue_pi(const Futex &f) {
    if (f.address == f.address2)
        return -EINVAL;
    if (int64_t error = check_aligned(f.address) ?: check_aligned(f.address2))
        return error;
    Waiter w{f.address, FUTEX_BITSET_MATCH_ANY, static_cast<uint32_t>(current_tid()), 0, false,
             f.address2, nullptr, nullptr, nullptr, nullptr};
    return queue_and_sleep(f, w, -kRestartNoInterrupt);
}

// FUTEX_WAKE_OP: changes the word at address2 as val3 encodes, wakes waiters of the
// first word, and those of the second if its old value passes val3's comparison.
int64_t wake_op(const Futex &f) {
    uint32_t op = f.value3 >> 28 & 7, cmp = f.value3 >> 24 & 15;
    auto sign_extend_12 = [](uint32_t v) { return static_cast<int32_t>(v << 20) >> 20; };
    int32_t oparg = sign_extend_12(f.value3 >> 12 & 0xfff);
    int32_t cmparg = sign_extend_12(f.value3 & 0xfff);
    if (f.value3 >> 31) // FUTEX_OP_OPARG_SHIFT
        oparg = 1 << (oparg & 31);
    if (int64_t error = check_key(f.address, f.shared) ?: check_key(f.address2, f.shared))
        return error;
    if (op > FUTEX_OP_XOR)
        return -ENOSYS;
    uint32_t old, found;
    if (!load_user(f.address2, old))
        return -EFAULT;
    for (;;) {
        auto arg = static_cast<uint32_t>(oparg);
        uint32_t updated = op == FUTEX_OP_SET ? arg : op == FUTEX_OP_ADD ? old + arg
                           : op == FUTEX_OP_OR ? old | arg : op == FUTEX_OP_ANDN ? old & ~arg
                                                                                 : old ^ arg;
        if (!compare_exchange_user(f.address2, old, updated, found))
            return -EFAULT;
        if (found == old)
            break;
        old = found;
    }
    auto o = static_cast<int32_t>(old);
    bool wake_second;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ: wake_second = o == cmparg; break;
    case FUTEX_OP_CMP_NE: wake_second = o != cmparg; break;
    case FUTEX_OP_CMP_LT: wake_second = o < cmparg; break;
    case FUTEX_OP_CMP_LE: wake_second = o <= cmparg; break;
    case FUTEX_OP_CMP_GT: wake_second = o > cmparg; break;
    case FUTEX_OP_CMP_GE: wake_second = o >= cmparg; break;
    default: return -ENOSYS; // after the change, as Linux
    }
    int64_t woken = wake(f.address, f.value, FUTEX_BITSET_MATCH_ANY, false);
    if (woken >= 0 && wake_second) {
        int64_t more = wake(f.address2, f.value2, FUTEX_BITSET_MATCH_ANY, false);
        woken = more < 0 ? more : woken + more;
    }
    return woken;
}

// The kernel's handle_futex_death for the lock word at `address` of exiting thread `tid`.
void handle_death(uint64_t address, uint32_t tid, bool pi, bool pending) {
    if (address % 4)
        return;
    Bucket &b = bucket_of(address);
    SpinGuard guard(b.lock);
    uint32_t current;
    if (!load_user(address, current))
        return;
    for (;;) {
        // A lock released but not yet woken for (the pending operation): wake one waiter.
        if (pending && !pi && current == 0) {
            wake_locked(b, address, 1, FUTEX_BITSET_MATCH_ANY);
            return;
        }
        if ((current & FUTEX_TID_MASK) != tid)
            return;
        if (pi && (current & FUTEX_WAITERS) && hand_over(b, address, current, true))
            return;
        uint32_t died = (current & FUTEX_WAITERS) | FUTEX_OWNER_DIED, found;
        if (!compare_exchange_user(address, current, died, found))
            return;
        if (found != current) {
            current = found;
            continue;
        }
        if (!pi && (current & FUTEX_WAITERS))
            wake_locked(b, address, 1, FUTEX_BITSET_MATCH_ANY);
        return;
    }
}

// A robust list entry: the pointer with its low bit (a PI lock) taken off.
bool fetch_entry(uint64_t at, uint64_t &entry, bool &pi) {
    uint64_t raw;
    if (!get_user(at, raw))
        return false;
    entry = raw & ~uint64_t{1};
    pi = raw & 1;
    return true;
}

// futex_waitv's wait: one waiter per word, all queued before the caller sleeps on one
// word of its own that a wake of any of them sets (Waiter::sleeps_on).
class WaitVector {
  public:
    explicit WaitVector(uint32_t count)
        : count_(count), waiters_(static_cast<Waiter *>(allocate(sizeof(Waiter) * count))) {}
    ~WaitVector() { release(waiters_, sizeof(Waiter) * count_); }
    WaitVector(const WaitVector &) = delete;
    WaitVector &operator=(const WaitVector &) = delete;

    // Reads the program's array as futex_parse_waitv does: EFAULT, then EINVAL for a
    // flag outside FUTEX2_SIZE_* and FUTEX2_PRIVATE (FUTEX2_NUMA and FUTEX2_MPOL too: a
    // kernel without them refuses them so), a reserved field set, a size other than 32
    // bits or a value that does not fit it.
    int64_t parse(uint64_t array) {
        constexpr uint32_t kSizeMask = 3, kKnown = kSizeMask | FUTEX_PRIVATE_FLAG;
        for (uint32_t i = 0; i < count_; i++) {
            futex_waitv entry;
            if (!copy_from_user(&entry, array + i * sizeof entry, sizeof entry))
                return -EFAULT;
            if ((entry.flags & ~kKnown) || entry.__reserved ||
                (entry.flags & kSizeMask) != FUTEX_32 || entry.val > UINT32_MAX)
                return -EINVAL;
            waiters_[i] = Waiter{entry.uaddr, FUTEX_BITSET_MATCH_ANY,
                                 static_cast<uint32_t>(current_tid()), 0, false, 0,
                                 nullptr, nullptr, nullptr, &any_woken_};
            values_[i] = static_cast<uint32_t>(entry.val);
            shared_[i] = !(entry.flags & FUTEX_PRIVATE_FLAG);
        }
        return 0;
    }

    // Every word's key first (get_futex_key: EINVAL for a misaligned one, EFAULT for a
    // shared one in no mapping), then each waiter queued if its word holds its value: the
    // index of a waiter woken meanwhile, else EAGAIN at the first that differs, EFAULT at
    // one that cannot be read, or 0 with all queued. The kernel's futex_wait_multiple_setup.
    int64_t queue(int64_t &woken) {
        woken = -1;
        for (uint32_t i = 0; i < count_; i++)
            if (int64_t error = check_key(waiters_[i].address, shared_[i]))
                return error;
        for (uint32_t i = 0; i < count_; i++) {
            Bucket &b = bucket_of(waiters_[i].address);
            uint32_t current = 0;
            bool readable;
            {
                SpinGuard guard(b.lock);
                readable = load_user(waiters_[i].address, current);
                if (readable && current == values_[i]) {
                    enqueue(b, waiters_[i]);
                    continue;
                }
            }
            woken = unqueue_first(i);
            if (woken >= 0)
                return 0;
            return readable ? -EAGAIN : -EFAULT;
        }
        return 0;
    }

    // Sleeps until a waiter is woken (its index), the deadline on `clock` passes
    // (ETIMEDOUT) or a signal comes (the kernel's ERESTARTSYS).
    int64_t sleep(int64_t deadline, uint32_t clock) {
        for (;;) {
            int64_t left = BSC_WAIT_FOREVER;
            if (deadline >= 0) {
                int64_t now = clock_now(clock);
                left = deadline > now ? deadline - now : 0;
            }
            bsc_status status = __atomic_load_n(&any_woken_, __ATOMIC_ACQUIRE)
                                    ? BSC_OK
                                    : abi().sync_wait(&any_woken_, 0, left);
            bool timed_out = status == BSC_E_TIMED_OUT;
            bool interrupted = status == BSC_E_INTERRUPTED && signal_pending();
            if (!timed_out && !interrupted && !__atomic_load_n(&any_woken_, __ATOMIC_ACQUIRE))
                continue;
            int64_t woken = unqueue_first(count_);
            if (woken >= 0)
                return woken;
            if (timed_out)
                return -ETIMEDOUT;
            if (interrupted)
                return -kRestartSyscall;
        }
    }

  private:
    // Takes the first `count` waiters out of their queues: the index of one a wake took
    // first, or -1 (futex_unqueue_multiple).
    int64_t unqueue_first(uint32_t count) {
        int64_t woken = -1;
        for (uint32_t i = 0; i < count; i++)
            if (!unqueue(waiters_[i]) && woken < 0)
                woken = i;
        return woken;
    }

    uint32_t count_;
    Waiter *waiters_;
    uint32_t values_[FUTEX_WAITV_MAX];
    bool shared_[FUTEX_WAITV_MAX];
    uint32_t any_woken_ = 0;
};

} // namespace

int64_t futex_wake(uint64_t address, uint32_t count) {
    return wake(address, count, FUTEX_BITSET_MATCH_ANY, false);
}

void release_robust_futexes(Thread &thread) {
    constexpr int kListLimit = 2048; // the kernel's ROBUST_LIST_LIMIT
    uint64_t head = thread.robust_list;
    uint64_t entry, pending;
    int64_t offset;
    bool pi, pending_pi;
    if (!head || !fetch_entry(head, entry, pi) || !get_user(head + 8, offset) ||
        !fetch_entry(head + 16, pending, pending_pi))
        return;
    for (int limit = kListLimit; entry != head && limit > 0; limit--) {
        uint64_t next;
        bool next_pi;
        bool fetched = fetch_entry(entry, next, next_pi);
        if (entry != pending)
            handle_death(entry + offset, thread.tid, pi, false);
        if (!fetched)
            return;
        entry = next;
        pi = next_pi;
    }
    if (pending)
        handle_death(pending + offset, thread.tid, pending_pi, true);
}

int64_t sys_futex(Syscall &c) {
    auto op = static_cast<uint32_t>(c.arg[1]);
    Futex f{c.arg[0], op & FUTEX_CMD_MASK, (op & FUTEX_CLOCK_REALTIME) != 0,
            static_cast<uint32_t>(c.arg[2]), -1, BSC_CLOCK_MONOTONIC, c.arg[4],
            static_cast<uint32_t>(c.arg[3]), static_cast<uint32_t>(c.arg[5]),
            (op & FUTEX_PRIVATE_FLAG) == 0};
    if (int64_t error = read_timeout(f, c.arg[3]))
        return error;
    if (f.realtime && f.command != FUTEX_WAIT_BITSET && f.command != FUTEX_WAIT_REQUEUE_PI &&
        f.command != FUTEX_LOCK_PI2)
        return -ENOSYS;
    switch (f.command) {
    case FUTEX_WAIT: return wait(f, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAIT_BITSET: return wait(f, f.value3);
    case FUTEX_WAKE: return wake(f.address, f.value, FUTEX_BITSET_MATCH_ANY, f.shared);
    case FUTEX_WAKE_BITSET: return wake(f.address, f.value, f.value3, f.shared);
    case FUTEX_REQUEUE: return requeue(f, false, false);
    case FUTEX_CMP_REQUEUE: return requeue(f, true, false);
    case FUTEX_CMP_REQUEUE_PI: return requeue(f, true, true);
    case FUTEX_WAKE_OP: return wake_op(f);
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
    case FUTEX_TRYLOCK_PI: return lock_pi(f);
    case FUTEX_UNLOCK_PI: return unlock_pi(f);
    case FUTEX_WAIT_REQUEUE_PI: return wait_requeue_pi(f);
    default: return -ENOSYS;
    }
}

// futex_waitv as the kernel's sys_futex_waitv checks it: flags (none exist), the count
// (1 to FUTEX_WAITV_MAX) and the array pointer, the timeout's clock (MONOTONIC or
// REALTIME), the timeout itself (an absolute deadline), then the array.
int64_t sys_futex_waitv(Syscall &c) {
    uint64_t array = c.arg[0], timeout = c.arg[3];
    auto count = static_cast<uint32_t>(c.arg[1]);
    auto clockid = static_cast<int32_t>(c.arg[4]);
    if (static_cast<uint32_t>(c.arg[2]))
        return -EINVAL;
    if (count == 0 || count > FUTEX_WAITV_MAX || !array)
        return -EINVAL;
    int64_t deadline = -1;
    uint32_t clock = BSC_CLOCK_MONOTONIC;
    if (timeout) {
        if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
            return -EINVAL;
        clock = clockid == CLOCK_REALTIME ? BSC_CLOCK_REALTIME : BSC_CLOCK_MONOTONIC;
        if (int64_t error = timespec_from_user(timeout, deadline))
            return error;
    }
    WaitVector waiters(count);
    if (int64_t error = waiters.parse(array))
        return error;
    int64_t woken;
    if (int64_t error = waiters.queue(woken))
        return error;
    return woken >= 0 ? woken : waiters.sleep(deadline, clock);
}

} // namespace libos
