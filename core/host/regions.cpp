// SPDX-License-Identifier: MIT
// The map of guest-owned memory regions.
#include "regions.h"

#include <algorithm>

namespace bsc::host {

void RegionMap::split_at(uint64_t addr) {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin())
        return;
    Region &lower = std::prev(it)->second;
    if (addr <= lower.start || addr >= lower.end())
        return;
    Region upper = lower;
    upper.start = addr;
    upper.size = lower.end() - addr;
    // The upper part shows the stream further on; offsets of anonymous regions stay 0.
    if (upper.origin == RegionOrigin::stream)
        upper.offset += addr - lower.start;
    lower.size = addr - lower.start;
    regions_.emplace(addr, std::move(upper));
}

void RegionMap::insert(Region region) {
    erase(region.start, region.end());
    regions_.emplace(region.start, std::move(region));
}

void RegionMap::erase(uint64_t start, uint64_t end) {
    split_at(start);
    split_at(end);
    regions_.erase(regions_.lower_bound(start), regions_.lower_bound(end));
}

bool RegionMap::overlaps(uint64_t start, uint64_t end) const {
    auto it = regions_.lower_bound(start);
    if (it != regions_.begin() && std::prev(it)->second.end() > start)
        return true;
    return it != regions_.end() && it->second.start < end;
}

std::vector<Range> RegionMap::gaps(uint64_t start, uint64_t end) const {
    std::vector<Range> result;
    uint64_t cursor = start;
    auto it = regions_.upper_bound(start);
    if (it != regions_.begin())
        --it;
    for (; it != regions_.end() && it->second.start < end && cursor < end; ++it) {
        const Region &region = it->second;
        if (region.end() <= cursor)
            continue;
        if (region.start > cursor)
            result.push_back({cursor, region.start});
        cursor = std::max(cursor, region.end());
    }
    if (cursor < end)
        result.push_back({cursor, end});
    return result;
}

uint64_t RegionMap::first_fit(uint64_t low, uint64_t high, uint64_t size) const {
    uint64_t cursor = low;
    auto it = regions_.lower_bound(low);
    if (it != regions_.begin())
        cursor = std::max(cursor, std::prev(it)->second.end());
    for (; it != regions_.end(); ++it) {
        const Region &region = it->second;
        if (region.start >= high)
            break;
        if (region.start - cursor >= size)
            return cursor;
        cursor = std::max(cursor, region.end());
    }
    return cursor < high && high - cursor >= size ? cursor : 0;
}

} // namespace bsc::host
