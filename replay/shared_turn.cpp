// SPDX-License-Identifier: MIT
#include "shared_turn.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <new>

#include "shared_page.h"

namespace bsc::replay {

SharedTurn::SharedTurn()
    : shared_(new (map_shared_page(sizeof(Shared), "the threads' turn")) Shared{0, 1, 0, 0, 0}) {}

SharedTurn::SharedTurn(const State &state)
    : shared_(new (map_shared_page(sizeof(Shared), "the threads' turn")) Shared(state)) {}

void SharedTurn::give() {
    __atomic_store_n(&shared_->held, 0, __ATOMIC_RELEASE);
    __atomic_add_fetch(&shared_->changes, 1, __ATOMIC_RELEASE);
    ::syscall(SYS_futex, &shared_->changes, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void SharedTurn::start_at(uint64_t order) {
    __atomic_store_n(&shared_->now, order, __ATOMIC_RELEASE);
    __atomic_store_n(&shared_->held, 0, __ATOMIC_RELEASE);
}

void SharedTurn::stop() {
    stopped_.store(true);
    __atomic_add_fetch(&shared_->changes, 1, __ATOMIC_RELEASE);
    ::syscall(SYS_futex, &shared_->changes, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

bool SharedTurn::take(uint32_t thread, const std::function<bool()> &mine,
                      const std::function<void()> &waited_long) {
    const timespec second{1, 0};
    for (int64_t waited = 0;;) {
        // Read before looking, so that a turn given up meanwhile ends the wait below.
        uint32_t changes = __atomic_load_n(&shared_->changes, __ATOMIC_ACQUIRE);
        if (stopped_.load())
            return false;
        if (!held() && mine()) {
            uint32_t free = 0;
            if (__atomic_compare_exchange_n(&shared_->held, &free, 1, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED)) {
                shared_->holder = thread;
                return true;
            }
            continue;
        }
        long slept = ::syscall(SYS_futex, &shared_->changes, FUTEX_WAIT, changes, &second,
                               nullptr, 0);
        if (slept != 0 && errno == ETIMEDOUT && ++waited == kLongWaitSeconds)
            waited_long();
    }
}

} // namespace bsc::replay
