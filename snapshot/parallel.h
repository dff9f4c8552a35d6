// SPDX-License-Identifier: MIT
// Runs independent pieces of work (compressing or decompressing blocks) on several cores.
#pragma once

#include <cstddef>
#include <functional>

namespace bsc::snapshot {

// The threads to use when `requested` is 0: one per core.
unsigned thread_count(unsigned requested);

// Calls task(i) for every i below count, on up to `threads` threads (the caller's among
// them), and returns when all are done. Each task writes only its own outputs, so results
// do not depend on which thread ran what. The first exception a task throws is rethrown
// here, once the others have finished.
void parallel_for(size_t count, unsigned threads, const std::function<void(size_t)> &task);

} // namespace bsc::snapshot
