// SPDX-License-Identifier: MIT
// The map of guest-owned memory regions: what vm_alloc and stream_map handed out, with
// the protection and origin a checkpoint needs to put each region back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bsc::host {

inline constexpr uint64_t kPage = 4096; // regions start and end on its multiples

enum class RegionOrigin : uint8_t {
    anonymous, // vm_alloc: zero-filled memory
    stream,    // stream_map: pages of a stream (uri, offset)
    shared_segment, // ipc_shared_memory_attach: a System V segment (uri "sysv-shm:ID")
};

// Whether a region allocated with BSC_MAP_FILL is still being filled, and how.
enum class Filling : uint8_t {
    none,
    copying,   // ordinary pages that vm_fill copies into
    userfault, // missing pages that vm_fill installs (userfault.h)
};

struct Region {
    uint64_t start = 0;
    uint64_t size = 0;
    uint32_t prot = 0;  // BSC_PROT_*
    uint32_t flags = 0; // BSC_MAP_SHARED / BSC_MAP_NORESERVE as requested
    RegionOrigin origin = RegionOrigin::anonymous;
    std::string uri;     // stream regions: the URI of the mapped handle
    uint64_t offset = 0; // stream regions: the stream offset that `start` shows
    Filling filling = Filling::none;

    uint64_t end() const { return start + size; }
};

struct Range {
    uint64_t start, end;
};

// Regions ordered by address, never overlapping. Not thread-safe: the caller locks.
class RegionMap {
  public:
    // Records a region, cutting away whatever parts of older regions it overlaps.
    void insert(Region region);
    // Forgets [start, end), splitting regions that straddle its ends.
    void erase(uint64_t start, uint64_t end);
    void protect(uint64_t start, uint64_t end, uint32_t prot) {
        update(start, end, [prot](Region &region) { region.prot = prot; });
    }
    // Calls change(region) on each region, or part of one, within [start, end).
    template <class F> void update(uint64_t start, uint64_t end, F &&change) {
        split_at(start);
        split_at(end);
        for (auto it = regions_.lower_bound(start); it != regions_.lower_bound(end); ++it)
            change(it->second);
    }

    bool covers(uint64_t start, uint64_t end) const { return gaps(start, end).empty(); }
    // Whether regions cover [start, end) and each that meets it satisfies `test`.
    template <class F> bool all_of(uint64_t start, uint64_t end, F &&test) const {
        if (!covers(start, end))
            return false;
        bool all = true;
        for_each_in(start, end, [&](const Region &region) { all = all && test(region); });
        return all;
    }
    // Calls visit(region) for each region that meets [start, end), in address order.
    template <class F> void for_each_in(uint64_t start, uint64_t end, F &&visit) const {
        auto it = regions_.upper_bound(start);
        if (it != regions_.begin())
            --it;
        for (; it != regions_.end() && it->second.start < end; ++it)
            if (it->second.end() > start)
                visit(it->second);
    }
    bool overlaps(uint64_t start, uint64_t end) const;
    // The parts of [start, end) no region covers, in address order.
    std::vector<Range> gaps(uint64_t start, uint64_t end) const;
    // The lowest address in [low, high) where `size` free bytes start, or 0 if none.
    uint64_t first_fit(uint64_t low, uint64_t high, uint64_t size) const;

  private:
    // Makes addr a region boundary by splitting the region that contains it.
    void split_at(uint64_t addr);

    std::map<uint64_t, Region> regions_; // by start
};

} // namespace bsc::host
