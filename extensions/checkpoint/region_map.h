// SPDX-License-Identifier: MIT
// The guest memory regions that crossed the ABI at the checkpoint's position: where they
// are, their protection, and where their contents came from. Partial frees and protection
// changes split regions, as the host's own map would.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "image_schema.h"

namespace bsc::checkpoint {

// Where a region came from, as the image records it.
using RegionOrigin = snapshot::RegionOrigin;

struct Region {
    uint64_t address = 0, size = 0;
    uint32_t protection = 0; // BSC_PROT_*
    uint32_t flags = 0;      // BSC_MAP_* it was made with (FIXED bits dropped)
    RegionOrigin origin = RegionOrigin::anonymous;
    std::string uri{};          // the stream of a mapped region
    uint64_t stream_offset = 0; // the stream offset of `address`
    // Whether the region was ever accessible: one that never was holds only zeros, so a
    // capture need not read it (a large reservation costs nothing).
    bool ever_accessible = false;
    uint64_t share_id = 0; // an anonymous BSC_MAP_SHARED region's (new_shared_id)

    uint64_t end() const { return address + size; }
};

class RegionMap {
public:
    // Adds a region, replacing whatever it overlaps (a fixed allocation does that).
    void insert(Region region);
    void erase(uint64_t address, uint64_t size);
    void protect(uint64_t address, uint64_t size, uint32_t protection);
    // The regions in address order.
    std::vector<Region> list() const;
    void clear() { regions_.clear(); }

private:
    // Splits the region containing `address` (not at its start) in two there.
    void split_at(uint64_t address);

    std::map<uint64_t, Region> regions_; // by start address
};

} // namespace bsc::checkpoint
