// SPDX-License-Identifier: MIT
// What the fast calls (fast_calls.cpp) share with the host's other code: a raw system
// call and a lock, neither of which touches thread-local state, and the directory read
// both paths run. See core/host/README.md, "Fast calls".
#pragma once

#include <sys/syscall.h>

#include <atomic>
#include <cstdint>

#include "bascule.h"

namespace bsc::host {

struct DirectoryStream;

// A system call without errno: its result, or -errno.
inline long raw_syscall(long number, long a = 0, long b = 0, long c = 0, long d = 0) {
    register long r10 asm("r10") = d;
    long result;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10)
                 : "rcx", "r11", "memory");
    return result;
}

// A lock for critical sections of a system call or two that a fast call may take: an
// atomic flag, a waiter yielding the CPU by a raw system call.
class FastLock {
public:
    void lock() {
        while (locked_.exchange(true, std::memory_order_acquire))
            raw_syscall(SYS_sched_yield);
    }
    void unlock() { locked_.store(false, std::memory_order_release); }

private:
    std::atomic<bool> locked_{false};
};

// Whole bsc_dirent records of the directory into the guest's `buffer`, as many as fit in
// `size` bytes (`done` of them). Records the kernel returned that did not fit are read
// again next time: the position steps back to just after the last one handed out.
bsc_status read_directory(const DirectoryStream &dir, void *buffer, uint64_t size,
                          uint64_t &done);

} // namespace bsc::host
