// SPDX-License-Identifier: MIT
#include "region_map.h"

#include "bascule.h"

namespace bsc::checkpoint {

void RegionMap::split_at(uint64_t address) {
    auto next = regions_.upper_bound(address);
    if (next == regions_.begin())
        return;
    auto &[start, region] = *std::prev(next);
    if (start == address || region.end() <= address)
        return;
    Region upper = region;
    upper.address = address;
    upper.size = region.end() - address;
    if (upper.origin != RegionOrigin::anonymous)
        upper.stream_offset += address - region.address;
    region.size = address - region.address;
    regions_.emplace(address, std::move(upper));
}

void RegionMap::erase(uint64_t address, uint64_t size) {
    split_at(address);
    split_at(address + size);
    regions_.erase(regions_.lower_bound(address), regions_.lower_bound(address + size));
}

void RegionMap::insert(Region region) {
    erase(region.address, region.size);
    region.ever_accessible = region.ever_accessible || region.protection != BSC_PROT_NONE;
    regions_.emplace(region.address, std::move(region));
}

void RegionMap::protect(uint64_t address, uint64_t size, uint32_t protection) {
    split_at(address);
    split_at(address + size);
    for (auto it = regions_.lower_bound(address); it != regions_.end() && it->first < address + size;
         ++it) {
        it->second.protection = protection;
        it->second.ever_accessible = it->second.ever_accessible || protection != BSC_PROT_NONE;
    }
}

std::vector<Region> RegionMap::list() const {
    std::vector<Region> out;
    out.reserve(regions_.size());
    for (const auto &[start, region] : regions_)
        out.push_back(region);
    return out;
}

} // namespace bsc::checkpoint
