// SPDX-License-Identifier: MIT
// Checking the page index against the metadata and the blocks; statistics; lookups.
#include "page_index.h"

#include <algorithm>

#include "image_error.h"

namespace bsc::snapshot {
namespace {

// Each block's used slots, one bit per slot: a block holds at most 64 pages.
static_assert(kMaxPagesPerBlock <= 64);
using SlotMasks = std::vector<uint64_t>;

uint64_t all_slots(uint32_t page_count) {
    return page_count == 64 ? ~uint64_t{0} : (uint64_t{1} << page_count) - 1;
}

void check_blocks(const std::vector<BlockRecord> &blocks, uint64_t blocks_size,
                  const std::string &name) {
    uint64_t next = 0;
    for (size_t i = 0; i < blocks.size(); i++) {
        const auto &block = blocks[i];
        if (block.page_count == 0 || block.page_count > kMaxPagesPerBlock)
            throw image_error(name, "block {} holds {} pages, not 1 to {}", i, block.page_count,
                              kMaxPagesPerBlock);
        if (block.offset != next || block.stored_size == 0 ||
            block.stored_size > blocks_size - next)
            throw image_error(name,
                              "block {} ({} bytes at offset {}) should start at offset {} and "
                              "fit in the {}-byte page_blocks section",
                              i, block.stored_size, block.offset, next, blocks_size);
        next += block.stored_size;
    }
    if (next != blocks_size)
        throw image_error(name, "the blocks fill {} bytes of the {}-byte page_blocks section",
                          next, blocks_size);
}

// Where a page is, for messages: formatted only for a refusal, as an index has an entry
// for every page.
struct PagePlace {
    size_t page, region;
    std::string text() const { return fmt::format("page {} of region {}", page, region); }
};

void check_entry(const PageEntry &entry, const std::vector<BlockRecord> &blocks,
                 SlotMasks &used, bool has_parent, PagePlace where, const std::string &name) {
    switch (entry.location) {
    case PageLocation::zero:
        return;
    case PageLocation::in_parent:
        if (!has_parent)
            throw image_error(name, "{} is in the parent image, but this image has no parent",
                              where.text());
        return;
    case PageLocation::in_block: {
        if (entry.block >= blocks.size() || entry.slot >= blocks[entry.block].page_count)
            throw image_error(name, "{} is in slot {} of block {}, which does not exist",
                              where.text(), entry.slot, entry.block);
        uint64_t bit = uint64_t{1} << entry.slot;
        if (used[entry.block] & bit)
            throw image_error(name, "{} shares slot {} of block {} with another page",
                              where.text(), entry.slot, entry.block);
        used[entry.block] |= bit;
        return;
    }
    }
    throw image_error(name, "{} has unknown location {}", where.text(),
                      static_cast<uint32_t>(entry.location));
}

void check_region_pages(const RegionPages &pages, const RegionRecord &region, size_t index,
                        const PageIndex &page_index, SlotMasks &used, bool has_parent,
                        const std::string &name) {
    if (pages.address != region.address)
        throw image_error(name, "region {} is at {:#x}, but its page index says {:#x}", index,
                          region.address, pages.address);
    uint64_t expected =
        region.contents == RegionContents::pages_in_image ? region.size / kPageSize : 0;
    if (pages.pages.size() != expected)
        throw image_error(name, "region {} has {} pages in the page index, {} expected", index,
                          pages.pages.size(), expected);
    for (size_t i = 0; i < pages.pages.size(); i++)
        check_entry(pages.pages[i], page_index.blocks, used, has_parent, {i, index}, name);
}

} // namespace

void check_page_index(const PageIndex &index, const ImageMetadata &metadata,
                      uint64_t blocks_size, const std::string &name) {
    if (index.page_size != kPageSize)
        throw image_error(name, "page size {}, this build uses {}", index.page_size, kPageSize);
    check_blocks(index.blocks, blocks_size, name);
    if (index.regions.size() != metadata.regions.size())
        throw image_error(name, "the page index has {} regions, the metadata {}",
                          index.regions.size(), metadata.regions.size());
    SlotMasks used(index.blocks.size());
    for (size_t i = 0; i < index.regions.size(); i++)
        check_region_pages(index.regions[i], metadata.regions[i], i, index, used,
                           metadata.parent.has_value(), name);
    for (size_t i = 0; i < index.blocks.size(); i++)
        if (used[i] != all_slots(index.blocks[i].page_count))
            throw image_error(name, "block {} holds pages no region uses", i);
}

RegionStats region_stats(const PageIndex &index, size_t region) {
    RegionStats stats;
    std::vector<bool> counted(index.blocks.size());
    for (const auto &entry : index.regions.at(region).pages) {
        switch (entry.location) {
        case PageLocation::zero:
            stats.zero_pages++;
            break;
        case PageLocation::in_parent:
            stats.parent_pages++;
            break;
        case PageLocation::in_block:
            stats.stored_pages++;
            if (!counted[entry.block]) {
                counted[entry.block] = true;
                stats.compressed_bytes += index.blocks[entry.block].stored_size;
            }
            break;
        }
    }
    stats.uncompressed_bytes = stats.stored_pages * kPageSize;
    return stats;
}

PageLocator::PageLocator(const PageIndex &index) {
    for (size_t i = 0; i < index.regions.size(); i++) {
        const auto &region = index.regions[i];
        if (!region.pages.empty())
            spans_.push_back({region.address, region.address + region.pages.size() * kPageSize, i});
    }
    std::ranges::sort(spans_, {}, &Span::address);
}

std::optional<PageLocator::Position> PageLocator::find(uint64_t address) const {
    auto after = std::ranges::upper_bound(spans_, address, {}, &Span::address);
    if (after == spans_.begin())
        return std::nullopt;
    const auto &span = *std::prev(after);
    if (address >= span.end)
        return std::nullopt;
    return Position{span.region, (address - span.address) / kPageSize};
}

} // namespace bsc::snapshot
