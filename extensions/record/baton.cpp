// SPDX-License-Identifier: MIT
#include "baton.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <new>

#include "shared_page.h"

namespace bsc::record {

Baton::Baton()
    : shared_(new (replay::map_shared_page(sizeof(Shared), "the threads' turn")) Shared{}) {}

void Baton::take() {
    uint32_t ticket = __atomic_fetch_add(&shared_->next, 1, __ATOMIC_RELAXED);
    for (;;) {
        uint32_t serving = __atomic_load_n(&shared_->serving, __ATOMIC_ACQUIRE);
        if (serving == ticket)
            return;
        ::syscall(SYS_futex, &shared_->serving, FUTEX_WAIT, serving, nullptr, nullptr, 0);
    }
}

void Baton::give() {
    uint32_t serving = __atomic_add_fetch(&shared_->serving, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&shared_->next, __ATOMIC_RELAXED) != serving) // a later ticket waits
        ::syscall(SYS_futex, &shared_->serving, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

bool Baton::others_waiting() const {
    return __atomic_load_n(&shared_->next, __ATOMIC_RELAXED) -
               __atomic_load_n(&shared_->serving, __ATOMIC_RELAXED) > 1;
}

} // namespace bsc::record
