// SPDX-License-Identifier: MIT
#include "baton.h"

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bsc::record {

Baton::Baton() {
    void *page = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        throw std::runtime_error(std::string("cannot map the threads' turn: ") + std::strerror(errno));
    shared_ = new (page) Shared{};
}

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
