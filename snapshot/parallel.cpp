// SPDX-License-Identifier: MIT
// Work handed out from a shared counter: a thread that finishes early takes the next index.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bsc::snapshot {
namespace {

// The first failure of several threads, and whether there was one.
class FirstFailure {
public:
    void record(std::exception_ptr failure) {
        std::lock_guard lock(mutex_);
        if (!failure_)
            failure_ = std::move(failure);
    }
    void rethrow() const {
        if (failure_)
            std::rethrow_exception(failure_);
    }

private:
    std::mutex mutex_;
    std::exception_ptr failure_;
};

// Results waiting to be consumed in order, and the producers waiting for a free slot.
class OrderedSlots {
public:
    explicit OrderedSlots(size_t slots) : ready_(slots) {}

    // Waits until index's slot is free; false once the run is stopped.
    bool wait_to_produce(size_t index) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopped_ || index < consumed_ + ready_.size(); });
        return !stopped_;
    }
    void produced(size_t index) {
        update([&] { ready_[index % ready_.size()] = true; });
    }
    // Waits until index's result is ready; false once the run is stopped.
    bool wait_to_consume(size_t index) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopped_ || ready_[index % ready_.size()]; });
        return !stopped_;
    }
    void consumed(size_t index) {
        update([&] {
            ready_[index % ready_.size()] = false;
            consumed_ = index + 1;
        });
    }
    void stop() {
        update([&] { stopped_ = true; });
    }

private:
    void update(const auto &change) {
        {
            std::lock_guard lock(mutex_);
            change();
        }
        changed_.notify_all();
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<bool> ready_; // by slot
    size_t consumed_ = 0;
    bool stopped_ = false;
};

} // namespace

unsigned thread_count(unsigned requested) {
    return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)> &task) {
    std::atomic<size_t> next{0};
    FirstFailure failure;
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < count;) {
            try {
                task(i);
            } catch (...) {
                failure.record(std::current_exception());
                next = count; // the result is lost anyway: stop handing out work
            }
        }
    };
    size_t helpers = std::min<size_t>(thread_count(threads), count) - (count > 0);
    std::vector<std::jthread> pool;
    for (size_t i = 0; i < helpers; i++)
        pool.emplace_back(work);
    work();
    pool.clear(); // joins
    failure.rethrow();
}

void ordered_parallel(size_t count, unsigned threads, size_t slots,
                      const std::function<void(size_t, size_t)> &produce,
                      const std::function<void(size_t, size_t)> &consume) {
    if (count == 1) { // a lazy restore's read of one touched block: no thread to start
        produce(0, 0);
        consume(0, 0);
        return;
    }
    std::atomic<size_t> next{0};
    OrderedSlots ordered(slots);
    FirstFailure failure;
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < count && ordered.wait_to_produce(i);) {
            try {
                produce(i, i % slots);
                ordered.produced(i);
            } catch (...) {
                failure.record(std::current_exception());
                ordered.stop();
            }
        }
    };
    std::vector<std::jthread> producers;
    for (size_t i = 0; i < std::min<size_t>(thread_count(threads), count); i++)
        producers.emplace_back(work);
    try {
        for (size_t i = 0; i < count && ordered.wait_to_consume(i); i++) {
            consume(i, i % slots);
            ordered.consumed(i);
        }
    } catch (...) {
        failure.record(std::current_exception());
        ordered.stop();
    }
    producers.clear(); // joins
    failure.rethrow();
}

} // namespace bsc::snapshot
