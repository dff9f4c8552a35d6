// SPDX-License-Identifier: MIT
// A small lock for LibOS data touched by several guest threads; held only briefly and
// never across a blocking downcall.
#pragma once

namespace libos {

class Spinlock {
public:
    void lock() {
        while (__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&locked_, __ATOMIC_RELAXED))
                __builtin_ia32_pause();
    }
    bool try_lock() { return !__atomic_exchange_n(&locked_, true, __ATOMIC_ACQUIRE); }
    void unlock() { __atomic_store_n(&locked_, false, __ATOMIC_RELEASE); }

private:
    bool locked_ = false;
};

class SpinGuard {
public:
    explicit SpinGuard(Spinlock &lock) : lock_(lock) { lock_.lock(); }
    ~SpinGuard() { lock_.unlock(); }
    SpinGuard(const SpinGuard &) = delete;
    SpinGuard &operator=(const SpinGuard &) = delete;

private:
    Spinlock &lock_;
};

} // namespace libos
