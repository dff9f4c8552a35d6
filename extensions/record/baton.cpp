// SPDX-License-Identifier: MIT
#include "baton.h"

namespace bsc::record {

void Baton::take() {
    uint32_t ticket = __atomic_fetch_add(&next_, 1, __ATOMIC_RELAXED);
    for (;;) {
        uint32_t serving = __atomic_load_n(&serving_, __ATOMIC_ACQUIRE);
        if (serving == ticket)
            return;
        host_->sync_wait(&serving_, serving, BSC_WAIT_FOREVER);
    }
}

void Baton::give() {
    uint32_t serving = __atomic_add_fetch(&serving_, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&next_, __ATOMIC_RELAXED) != serving) // someone holds a later ticket
        host_->sync_wake(&serving_, UINT32_MAX, nullptr);
}

bool Baton::others_waiting() const {
    return __atomic_load_n(&next_, __ATOMIC_RELAXED) - __atomic_load_n(&serving_, __ATOMIC_RELAXED) > 1;
}

void Baton::keep_alone() { __atomic_store_n(&next_, serving_ + 1, __ATOMIC_RELAXED); }

} // namespace bsc::record
