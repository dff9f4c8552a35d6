// SPDX-License-Identifier: MIT
#include "changed_pages.h"

#include <algorithm>

namespace bsc::checkpoint {

void ChangedPages::begin(const std::optional<snapshot::ImageId> &parent) {
    against_last_ = parent && last_ == parent;
    last_.reset();
    reading_.clear();
}

std::optional<std::vector<uint8_t>> ChangedPages::restart(uint64_t address, uint64_t size,
                                                          const Query &query) {
    constexpr uint64_t kPage = 4096;
    std::vector<uint8_t> bits((size / kPage + 7) / 8);
    if (query(address, size, bits.data(), bits.size()) != BSC_OK)
        return std::nullopt; // not restarted: nor will the next capture trust it
    reading_.push_back({address, address + size});
    if (!against_last_ || !read_by_last(address, size))
        return std::nullopt;
    return bits;
}

void ChangedPages::committed(const snapshot::ImageId &id) {
    last_ = id;
    last_read_ = std::move(reading_);
    reading_.clear();
    std::ranges::sort(last_read_, {}, &Range::start);
}

// Regions come and go whole or in parts, so a region read now may be a piece of one read
// then, or span two neighbours it read: each page must be in some range it read.
bool ChangedPages::read_by_last(uint64_t address, uint64_t size) const {
    uint64_t covered = address, end = address + size;
    for (const Range &range : last_read_) // in address order
        if (range.start <= covered && range.end > covered)
            covered = range.end;
    return covered >= end;
}

} // namespace bsc::checkpoint
