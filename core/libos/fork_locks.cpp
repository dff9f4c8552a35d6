// SPDX-License-Identifier: MIT
// The LibOS locks a fork holds (fork_locks.h), found in the section their registrations
// are put in.
#include "fork_locks.h"

#include "kernel.h"

extern "C" {
extern const libos::ForkLocks __start_libos_fork_locks[];
extern const libos::ForkLocks __stop_libos_fork_locks[];
}

namespace libos {
namespace {

Spinlock &lock_at(const ForkLocks &locks, uint32_t i) {
    return *reinterpret_cast<Spinlock *>(reinterpret_cast<char *>(locks.first) +
                                         uint64_t{i} * locks.stride);
}

template <class Visit> void for_each_lock(Visit visit) {
    for (const ForkLocks *locks = __start_libos_fork_locks; locks < __stop_libos_fork_locks;
         locks++)
        for (uint32_t i = 0; i < locks->count; i++)
            visit(lock_at(*locks, i));
}

// Takes every lock or, when one is busy, none (letting go of those taken): true if all.
bool try_all() {
    uint64_t taken = 0;
    bool all = true;
    for_each_lock([&](Spinlock &lock) {
        if (all && lock.try_lock())
            taken++;
        else
            all = false;
    });
    if (all)
        return true;
    for_each_lock([&](Spinlock &lock) {
        if (taken) {
            lock.unlock();
            taken--;
        }
    });
    return false;
}

} // namespace

void hold_fork_locks() {
    while (!try_all())
        abi().thread_yield();
}

void release_fork_locks() {
    for_each_lock([](Spinlock &lock) { lock.unlock(); });
}

} // namespace libos
