// SPDX-License-Identifier: MIT
// parallel_for over a shared counter: a thread that finishes early takes the next index.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bsc::snapshot {

unsigned thread_count(unsigned requested) {
    return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)> &task) {
    std::atomic<size_t> next{0};
    std::mutex failure_mutex;
    std::exception_ptr failure;
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < count;) {
            try {
                task(i);
            } catch (...) {
                std::lock_guard lock(failure_mutex);
                if (!failure)
                    failure = std::current_exception();
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
    if (failure)
        std::rethrow_exception(failure);
}

} // namespace bsc::snapshot
