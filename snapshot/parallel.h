// SPDX-License-Identifier: MIT
// Runs independent pieces of work (hashing, compressing or decompressing blocks) on
// several cores.
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

// Calls produce(i, slot) for every i below count on `threads` threads of its own, and
// consume(i, slot) on the caller's thread in order of i, each as soon as its result is
// ready: consuming overlaps producing, and what is consumed does not depend on which
// thread produced what. Result i is in slot i % slots, which is produced into again only
// once consume(i) has returned, so at most `slots` results wait. The first exception of
// either function stops the rest and is rethrown here.
void ordered_parallel(size_t count, unsigned threads, size_t slots,
                      const std::function<void(size_t index, size_t slot)> &produce,
                      const std::function<void(size_t index, size_t slot)> &consume);

} // namespace bsc::snapshot
