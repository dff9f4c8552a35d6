// SPDX-License-Identifier: MIT
#include "shared_turn.h"

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bsc::replay {

SharedTurn::SharedTurn() {
    void *page = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        throw std::runtime_error(std::string("cannot map the threads' turn: ") + std::strerror(errno));
    shared_ = new (page) Shared{0, 1, 0, 0, 0};
}

void SharedTurn::give() {
    __atomic_store_n(&shared_->held, 0, __ATOMIC_RELEASE);
    __atomic_add_fetch(&shared_->changes, 1, __ATOMIC_RELEASE);
    ::syscall(SYS_futex, &shared_->changes, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void SharedTurn::take(uint32_t thread, const std::function<bool()> &mine,
                      const std::function<void()> &waited_long) {
    const timespec second{1, 0};
    for (int64_t waited = 0;;) {
        // Read before looking, so that a turn given up meanwhile ends the wait below.
        uint32_t changes = __atomic_load_n(&shared_->changes, __ATOMIC_ACQUIRE);
        if (!held() && mine()) {
            uint32_t free = 0;
            if (__atomic_compare_exchange_n(&shared_->held, &free, 1, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED)) {
                shared_->holder = thread;
                return;
            }
            continue;
        }
        if (::syscall(SYS_futex, &shared_->changes, FUTEX_WAIT, changes, &second, nullptr, 0) != 0 &&
            errno == ETIMEDOUT && ++waited == kLongWaitSeconds)
            waited_long();
    }
}

} // namespace bsc::replay
