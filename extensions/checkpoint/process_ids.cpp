// SPDX-License-Identifier: MIT
#include "process_ids.h"

namespace bsc::checkpoint {
namespace {

constexpr uint64_t kMoved = uint64_t{1} << 32; // Linux pids stay below 2^22

} // namespace

uint64_t ProcessIds::above(uint64_t host) const {
    for (const auto &[id, restored_host] : restored_)
        if (restored_host == host)
            return id;
    for (const auto &[id, restored_host] : restored_)
        if (id == host)
            return host + kMoved;
    return host;
}

uint64_t ProcessIds::below(uint64_t id) const {
    for (const auto &[restored_id, host] : restored_)
        if (restored_id == id)
            return host;
    return id >= kMoved ? id - kMoved : id;
}

void ProcessIds::add_restored(uint64_t id, uint64_t host) {
    for (const auto &[known, known_host] : restored_)
        if (known == id)
            return;
    restored_.emplace_back(id, host);
}

} // namespace bsc::checkpoint
