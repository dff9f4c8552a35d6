// SPDX-License-Identifier: MIT
// The futex wait queues seen from the rest of the LibOS: a thread's exit wakes the thread
// that joins it and gives up the robust locks it held (sys/futex.cpp).
#pragma once

#include "kernel.h"

namespace libos {

struct Thread;

// FUTEX_WAKE of up to `count` waiters of the word at `address`, whatever their bitset:
// how many woke.
int64_t futex_wake(uint64_t address, uint32_t count);

// What the kernel's exit_robust_list does for an exiting thread: each robust lock on its
// list (and the one it was about to take or release) that it still owns gets
// FUTEX_OWNER_DIED, and a waiter is woken to take it.
void release_robust_futexes(Thread &thread);

} // namespace libos
