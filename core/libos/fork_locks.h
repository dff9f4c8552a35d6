// SPDX-License-Identifier: MIT
// The LibOS locks a fork holds. process_fork copies the process as it is at one instant:
// a lock another thread held then would stay held for ever in the child, where that
// thread does not exist. So the forking thread takes every registered lock first (all or
// none, trying, so that no lock order is needed) and lets go of them in both processes.
#pragma once

#include <stdint.h>

#include "spinlock.h"

namespace libos {

// `count` locks, `stride` bytes apart from `first` (a lock in each element of an array).
struct ForkLocks {
    Spinlock *first;
    uint32_t count, stride;
};

// Registers a lock (or an array's) with the fork: one line beside its definition.
#define LIBOS_FORK_LOCKS(name, first, count, stride)                                          \
    [[gnu::used, gnu::section("libos_fork_locks")]] constinit const ::libos::ForkLocks        \
        fork_locks_##name{first, count, stride}
#define LIBOS_FORK_LOCK(lock) LIBOS_FORK_LOCKS(lock, &lock, 1, 0)

// Takes every registered lock; then releases them (in the parent and in the child).
void hold_fork_locks();
void release_fork_locks();

} // namespace libos
