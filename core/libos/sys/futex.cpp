// SPDX-License-Identifier: MIT
// futex: glibc's locks and condition variables over the ABI's address waits, and the
// priority-inheritance operations on the lock word itself. The program has one thread
// (threads come later): a PI lock word owned by any other thread id names a thread that
// does not exist, and no one but a signal or a timeout ends a wait.
#include <asm-generic/errno.h>
#include <linux/futex.h>

#include "signals.h"
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

int64_t check_aligned(uint64_t address) { return address % 4 ? -EINVAL : 0; }

// Linux's futex key: an aligned address, and for a futex shared between processes (no
// FUTEX_PRIVATE_FLAG) one in mapped memory, whose page the key names (EFAULT).
int64_t check_key(uint64_t address, bool shared) {
    if (int64_t error = check_aligned(address))
        return error;
    uint32_t word;
    return shared && !get_user(address, word) ? -EFAULT : 0;
}

int64_t read_word(uint64_t address, uint32_t &value) {
    if (int64_t error = check_aligned(address))
        return error;
    return get_user(address, value) ? 0 : -EFAULT;
}

int64_t wait(const Futex &f, uint32_t bitset) {
    if (!bitset)
        return -EINVAL;
    uint32_t current;
    if (int64_t error = read_word(f.address, current))
        return error;
    if (current != f.value)
        return -EAGAIN;
    auto *word = reinterpret_cast<const uint32_t *>(f.address);
    for (;;) {
        bsc_status status = abi().sync_wait(word, f.value, time_left(f));
        if (status == BSC_E_TIMED_OUT)
            return -ETIMEDOUT;
        if (status != BSC_E_INTERRUPTED)
            return result_of(status);
        if (signal_pending()) // Linux: restarted after an SA_RESTART handler unless timed
            return f.deadline < 0 ? -kRestartSyscall : -EINTR;
    }
}

// Wakes up to `count` waiters of a word: the ABI's waits have no bitsets, so
// FUTEX_WAKE_BITSET wakes any waiter (a waiter checks its word again).
int64_t wake(uint64_t address, uint32_t count, bool shared) {
    if (int64_t error = check_key(address, shared))
        return error;
    uint32_t woken = 0;
    count = count > INT32_MAX ? INT32_MAX : count;
    bsc_status status = abi().sync_wake(reinterpret_cast<const uint32_t *>(address), count, &woken);
    return status == BSC_OK ? woken : result_of(status);
}

// FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: the ABI cannot move a waiter to another word, so
// the waiters to requeue are woken instead (they find their word and wait again); the
// count is the same.
int64_t requeue(const Futex &f, bool compare, bool pi) {
    auto nr_wake = static_cast<int32_t>(f.value), nr_requeue = static_cast<int32_t>(f.value2);
    if (nr_wake < 0 || nr_requeue < 0)
        return -EINVAL;
    if (pi && (f.address == f.address2 || nr_wake != 1))
        return -EINVAL;
    if (int64_t error = check_key(f.address, f.shared) ?: check_key(f.address2, f.shared))
        return error;
    if (compare) {
        uint32_t current;
        if (!get_user(f.address, current))
            return -EFAULT;
        if (current != f.value3)
            return -EAGAIN;
    }
    if (pi) // no thread can be waiting to be requeued onto a PI lock
        return 0;
    return wake(f.address, static_cast<uint32_t>(nr_wake) + static_cast<uint32_t>(nr_requeue),
                f.shared);
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
    if (!get_user(f.address2, old))
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
    int64_t woken = wake(f.address, f.value, false);
    if (woken >= 0 && wake_second) {
        int64_t more = wake(f.address2, f.value2, false);
        woken = more < 0 ? more : woken + more;
    }
    return woken;
}

// LOCK_PI, LOCK_PI2, TRYLOCK_PI: a free word (no owner tid) becomes the caller's tid,
// keeping FUTEX_OWNER_DIED; the caller's own lock is EDEADLK. A word owned by another
// tid gets FUTEX_WAITERS first, as Linux marks it before looking for its owner, who
// does not exist: ESRCH.
int64_t lock_pi(const Futex &f) {
    auto tid = static_cast<uint32_t>(current_tid());
    uint32_t current;
    if (int64_t error = read_word(f.address, current))
        return error;
    for (;;) {
        uint32_t owner = current & FUTEX_TID_MASK;
        if (owner == tid)
            return -EDEADLK;
        uint32_t wanted = owner ? current | FUTEX_WAITERS : (current & FUTEX_OWNER_DIED) | tid;
        uint32_t found;
        if (!compare_exchange_user(f.address, current, wanted, found))
            return -EFAULT;
        if (found == current)
            return owner ? -ESRCH : 0;
        current = found;
    }
}

// UNLOCK_PI: only the owner may unlock; with no waiter in the kernel the word becomes 0.
int64_t unlock_pi(const Futex &f) {
    uint32_t current;
    if (!get_user(f.address, current))
        return -EFAULT;
    if ((current & FUTEX_TID_MASK) != static_cast<uint32_t>(current_tid()))
        return -EPERM;
    if (int64_t error = check_aligned(f.address))
        return error;
    uint32_t found;
    if (!compare_exchange_user(f.address, current, 0, found))
        return -EFAULT;
    return found == current ? 0 : -EAGAIN;
}

// WAIT_REQUEUE_PI: waits on the first word for a requeue that no other thread can make,
// so only the timeout (ETIMEDOUT) or a signal ends it. Linux restarts the call after any
// handler (ERESTARTNOINTR); here it restarts after an SA_RESTART handler only and fails
// with EINTR otherwise (signals.h has no such restart).
int64_t wait_requeue_pi(const Futex &f) {
    if (f.address == f.address2)
        return -EINVAL;
    if (int64_t error = check_aligned(f.address2))
        return error;
    uint32_t current;
    if (int64_t error = read_word(f.address, current))
        return error;
    if (current != f.value)
        return -EAGAIN;
    int64_t deadline = f.deadline < 0 ? INT64_MAX : f.deadline;
    for (;;) {
        bsc_status status = abi().time_sleep_until(f.clock, deadline);
        if (status == BSC_OK)
            return -ETIMEDOUT;
        if (status != BSC_E_INTERRUPTED)
            return result_of(status);
        if (signal_pending())
            return -kRestartSyscall;
    }
}

} // namespace

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
    case FUTEX_WAKE: return wake(f.address, f.value, f.shared);
    case FUTEX_WAKE_BITSET: return f.value3 ? wake(f.address, f.value, f.shared) : -EINVAL;
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

} // namespace libos
