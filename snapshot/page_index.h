// SPDX-License-Identifier: MIT
// The page index: for every page of every region whose contents the image keeps, where
// those contents are (nowhere for a zero page, a slot of a compressed block, or the parent
// image) and their hash; and where each compressed block lies.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checksum.h"
#include "huge_pages.h"
#include "image_schema.h"

namespace bsc::snapshot {

// The most pages a compressed block holds (256 KiB): what a reader decompresses at most to
// get one page. (The writer cuts smaller blocks: page_store.h.)
inline constexpr uint32_t kMaxPagesPerBlock = 64;

enum class PageLocation : uint8_t { zero, in_block, in_parent };
template <> struct EnumNames<PageLocation> {
    static constexpr std::array<std::string_view, 3> names{"zero", "in_block", "in_parent"};
};

// 16 bytes: an index holds one for every page (8 MiB for a 2 GiB guest), and a restore
// decodes them all into fresh memory before the guest runs.
struct PageEntry {
    PageLocation location = PageLocation::zero;
    uint16_t slot = 0;  // in_block: the page's place among the block's pages
    uint32_t block = 0; // in_block: the block holding the page
    // xxh3-64 of the page's contents, wherever they are. Only a stored page's is encoded:
    // a zero page's is known, and an in_parent page's is its parent's (ImageChain fills
    // it in), so the index of an incremental image holds next to nothing for the pages
    // it does not store.
    uint64_t hash = 0;
    bool operator==(const PageEntry &) const = default;
};
static_assert(sizeof(PageEntry) == 16 && kMaxPagesPerBlock <= UINT16_MAX);

struct BlockRecord {
    uint64_t offset = 0;      // in the page_blocks section
    uint32_t stored_size = 0; // LZ4-compressed bytes
    uint32_t page_count = 0;  // pages it decompresses to, 1 to kMaxPagesPerBlock
    uint64_t checksum = 0;    // xxh3-64 of the stored bytes
    bool operator==(const BlockRecord &) const = default;
};

// A region's entries, one a page: 4 MiB for 1 GiB (huge_pages.h).
using PageEntries = std::vector<PageEntry, HugePageAllocator<PageEntry>>;

// The pages of one metadata region, in address order; empty unless the region's contents
// are pages_in_image.
struct RegionPages {
    uint64_t address = 0;
    PageEntries pages;
    bool operator==(const RegionPages &) const = default;
};

struct PageIndex {
    uint32_t page_size = kPageSize;
    std::vector<BlockRecord> blocks; // in section order
    std::vector<RegionPages> regions; // one per metadata region, in the same order
    bool operator==(const PageIndex &) const = default;
};

template <class Archive> void serialize(Archive &archive, BlockRecord &block) {
    archive(block.offset, block.stored_size, block.page_count, block.checksum);
}

// A region's entries go column by column: every page's location (a byte), then the block,
// the slot and the hash of each page stored in this image, in page order. Each column is
// one array, copied whole when decoded; a 1 GiB region's 262,144 entries took 36 ms to
// decode field by field. (A zero page's hash is known, an in_parent page's is the parent's.)
template <class T> using IndexColumn = std::vector<T, HugePageAllocator<T>>;

template <class Archive> void save(Archive &archive, const RegionPages &region) {
    IndexColumn<uint8_t> locations(region.pages.size());
    IndexColumn<uint32_t> blocks, slots;
    IndexColumn<uint64_t> hashes;
    // Sized once: a column grown page by page copies itself into fresh memory at each step.
    auto stored = static_cast<size_t>(
        std::ranges::count(region.pages, PageLocation::in_block, &PageEntry::location));
    blocks.reserve(stored);
    slots.reserve(stored);
    hashes.reserve(stored);
    for (size_t i = 0; i < region.pages.size(); i++) {
        const PageEntry &entry = region.pages[i];
        locations[i] = static_cast<uint8_t>(entry.location);
        if (entry.location == PageLocation::in_block) {
            blocks.push_back(entry.block);
            slots.push_back(entry.slot);
            hashes.push_back(entry.hash);
        }
    }
    archive(region.address, locations, blocks, slots, hashes);
}

// Columns that disagree on how many pages are stored decode to an entry of an unknown
// location, which check_page_index refuses.
template <class Archive> void load(Archive &archive, RegionPages &region) {
    IndexColumn<uint8_t> locations;
    IndexColumn<uint32_t> blocks, slots;
    IndexColumn<uint64_t> hashes;
    archive(region.address, locations, blocks, slots, hashes);
    constexpr auto kUnknown = static_cast<PageLocation>(0xff);
    region.pages.resize(locations.size());
    size_t stored = 0;
    for (size_t i = 0; i < locations.size(); i++) {
        auto location = static_cast<PageLocation>(locations[i]);
        PageEntry &entry = region.pages[i];
        if (location == PageLocation::in_block) {
            if (stored >= blocks.size() || stored >= slots.size() || stored >= hashes.size()) {
                entry.location = kUnknown;
                continue;
            }
            // A slot past any block's pages stays past them, for check_page_index to refuse.
            auto slot = static_cast<uint16_t>(std::min<uint32_t>(slots[stored], UINT16_MAX));
            entry = {.location = location, .slot = slot, .block = blocks[stored],
                     .hash = hashes[stored]};
            stored++;
        } else {
            entry = {.location = location,
                     .hash = location == PageLocation::zero ? zero_page_hash() : 0};
        }
    }
    if (stored != blocks.size() || stored != slots.size() || stored != hashes.size())
        region.pages.assign(1, PageEntry{.location = kUnknown});
}

template <class Archive> void serialize(Archive &archive, PageIndex &index) {
    archive(index.page_size, index.blocks, index.regions);
}

// Checks that the index describes the metadata's regions and the blocks in a page_blocks
// section of `blocks_size` bytes: every region's address and page count, every block laid
// end to end, every block slot used by exactly one page. Throws ImageError naming `name`.
void check_page_index(const PageIndex &index, const ImageMetadata &metadata,
                      uint64_t blocks_size, const std::string &name);

// What a region's pages cost in the image, for inspect.
struct RegionStats {
    uint64_t stored_pages = 0, zero_pages = 0, parent_pages = 0;
    uint64_t compressed_bytes = 0;   // of the blocks holding its stored pages
    uint64_t uncompressed_bytes = 0; // of its stored pages
};
RegionStats region_stats(const PageIndex &index, size_t region);

// Finds the page at an address among an index's regions.
class PageLocator {
public:
    explicit PageLocator(const PageIndex &index);
    struct Position {
        size_t region, page;
    };
    std::optional<Position> find(uint64_t address) const;

private:
    struct Span {
        uint64_t address, end;
        size_t region;
    };
    std::vector<Span> spans_; // by address, not overlapping
};

} // namespace bsc::snapshot
