// SPDX-License-Identifier: MIT
// Page contents going into an image: classifying pages (zero, as in the parent, or
// stored) and compressing the stored ones into independent LZ4 blocks, on several cores.
// (block_reading.h takes them back out.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "checksum.h"
#include "page_index.h"

namespace bsc::snapshot {

// The pages of the image an incremental image is written against.
class ParentPages {
public:
    explicit ParentPages(const PageIndex &index); // kept by reference
    // The hash of the parent's page at `address`, if the parent has one there.
    std::optional<uint64_t> hash_at(uint64_t address) const;
    // The same page unchanged in a child image: zero if it is zero, else in the parent.
    std::optional<PageEntry> unchanged_at(uint64_t address) const;

private:
    const PageIndex &index_;
    PageLocator locator_;
};

// Which pages of a region may differ from the parent image's: one bit per page (bit n % 8
// of byte n / 8), set when the page may have been written since the parent was read (the
// host's vm_written_query). A page whose bit is clear is the parent's and is not read.
struct WrittenPages {
    std::span<const uint8_t> bits;
    bool may_differ(size_t page) const { return bits[page / 8] & (1u << (page % 8)); }
};

// The writer cuts blocks of 16 pages, 64 KiB: LZ4 compresses an input of at most 64 KiB
// with 16-bit offsets and a smaller table, 1.15 to 1.5 times as fast as a 256 KiB block,
// and stores it no larger, as it looks back at most 64 KiB anyway. (A reader takes any
// block of 1 to kMaxPagesPerBlock pages.)
inline constexpr uint32_t kPagesPerBlock = 16;

// Takes the compressed blocks, in order, as the page_blocks section's next bytes.
using BlockSink = std::function<void(std::span<const std::byte>)>;
// Told how many bytes of the region being added are done.
using RegionProgress = std::function<void(uint64_t)>;

class PageStoreWriter {
public:
    PageStoreWriter(BlockSink sink, unsigned threads);

    // Indexes every page of `memory` (whole pages, at its own address): a zero page is
    // `zero`, a page with the parent's hash at that address is `in_parent`, any other is
    // compressed into this region's blocks, which go to the sink in page order. The output
    // does not depend on the number of threads. The sink and `progress` are called on the
    // caller's thread, while other threads compress the blocks that follow. With `written`
    // (and a parent), a page not written since the parent is taken as the parent's
    // without reading it.
    RegionPages add_region(std::span<const std::byte> memory, const ParentPages *parent,
                           const RegionProgress &progress,
                           std::optional<WrittenPages> written = std::nullopt);

    const std::vector<BlockRecord> &blocks() const { return blocks_; }

private:
    // The compressed blocks of one task, waiting for the tasks before it to reach the sink.
    struct CompressedTask {
        std::unique_ptr<std::byte[]> bytes; // room for the most each block can take
        std::vector<BlockRecord> blocks;    // each block's size, pages and checksum
        std::vector<size_t> members;        // the task's stored pages, by region page number
    };

    void append_block(BlockRecord block, std::span<const std::byte> bytes,
                      std::span<const size_t> members, PageEntries &pages);

    BlockSink sink_;
    unsigned threads_;
    std::vector<CompressedTask> compressed_; // reused for every region
    std::vector<BlockRecord> blocks_;
    uint64_t section_size_ = 0;
};

} // namespace bsc::snapshot
