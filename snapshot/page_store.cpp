// SPDX-License-Identifier: MIT
// Page classification and LZ4 block compression.
#include "page_store.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <lz4.h>

#include "checksum.h"
#include "parallel.h"

namespace bsc::snapshot {
namespace {

// LZ4's acceleration 2 gives up on a position without a match a little sooner than the
// default 1. On memory of short unique runs (numeric arrays; both heap_counter patterns)
// it compresses 1.23 to 1.28 times as fast to the same size; on a python3 and a cc1plus
// process's memory it changed the speed by under 2% and the size by 1%. Acceleration 3
// costs those 2.5% in size.
constexpr int kAcceleration = 2;
// A thread classifies and compresses 1 MiB of pages, up to 16 blocks, at a time: a third
// of a millisecond of work. Handing each result to the caller's thread wakes it, and each
// wake-up costs the thread it displaces a context switch; with 256 KiB tasks those took a
// tenth of the time.
constexpr size_t kBlocksPerTask = 16;
constexpr size_t kPagesPerTask = kBlocksPerTask * kPagesPerBlock;
// Progress is reported every 4 MiB of the region.
constexpr size_t kTasksPerProgress = 4;
constexpr size_t kBlockBytes = size_t{kPagesPerBlock} * kPageSize;
// The most a block's compressed bytes can take: LZ4 expands what it cannot shrink.
const size_t kCompressedBlockBound = static_cast<size_t>(LZ4_compressBound(kBlockBytes));

// Tasks whose blocks may wait for the ones before them to reach the sink: enough that a
// thread always has one to work on while the caller takes them in order.
size_t compressed_slots(unsigned threads) { return 2 * size_t{threads} + 2; }

size_t groups_of(size_t count, size_t group_size) {
    return (count + group_size - 1) / group_size;
}

// Group `number` of `items` cut into groups of `group_size`.
std::span<const size_t> group(std::span<const size_t> items, size_t number, size_t group_size) {
    size_t first = number * group_size;
    return items.subspan(first, std::min(group_size, items.size() - first));
}

PageEntry classify(std::span<const std::byte> page, uint64_t address, const ParentPages *parent) {
    uint64_t hash = xxh3(page);
    if (hash == zero_page_hash() && std::ranges::equal(page, zero_page()))
        return {.location = PageLocation::zero, .hash = hash};
    if (parent && parent->hash_at(address) == hash)
        return {.location = PageLocation::in_parent, .hash = hash};
    return {.location = PageLocation::in_block, .hash = hash};
}

// Classifies the pages of `memory` that `range` numbers into `pages`; returns those that
// go into blocks. A page not written since the parent is the parent's, and is not read.
std::span<const size_t> classify_range(std::span<const std::byte> memory, PageEntries &pages,
                                       std::pair<size_t, size_t> range,
                                       const ParentPages *parent,
                                       const std::optional<WrittenPages> &written,
                                       std::vector<size_t> &stored) {
    auto address = reinterpret_cast<uint64_t>(memory.data());
    stored.clear();
    for (size_t i = range.first; i < range.second; i++) {
        uint64_t page_address = address + i * kPageSize;
        std::optional<PageEntry> unchanged;
        if (parent && written && !written->may_differ(i))
            unchanged = parent->unchanged_at(page_address);
        pages[i] = unchanged ? *unchanged
                             : classify(memory.subspan(i * kPageSize, kPageSize), page_address,
                                        parent);
        if (pages[i].location == PageLocation::in_block)
            stored.push_back(i);
    }
    return stored;
}

// What a compression thread reuses from block to block: LZ4's working state, and room to
// gather pages that are not contiguous in memory. Allocating and zero-filling buffers for
// each block cost a twentieth of the capture time.
struct Compressor {
    LZ4_stream_t state;
    std::unique_ptr<std::byte[]> gathered =
        std::make_unique_for_overwrite<std::byte[]>(kBlockBytes);

    std::span<const std::byte> input(std::span<const std::byte> memory,
                                     std::span<const size_t> members) {
        if (members.back() - members.front() + 1 == members.size())
            return memory.subspan(members.front() * kPageSize, members.size() * kPageSize);
        for (size_t slot = 0; slot < members.size(); slot++)
            std::memcpy(gathered.get() + slot * kPageSize,
                        memory.data() + members[slot] * kPageSize, kPageSize);
        return {gathered.get(), members.size() * kPageSize};
    }
};

// Compresses the pages of `memory` that `members` numbers into `output`, which has room
// for kCompressedBlockBound bytes; returns the compressed size. (LZ4_compress_fast_extState
// clears the 16 KiB state for each block; the variant that does not is not exported by
// the shared liblz4, and clearing costs 2% of a block's compression.)
size_t compress_block(std::span<const std::byte> memory, std::span<const size_t> members,
                      std::byte *output) {
    thread_local Compressor compressor;
    auto input = compressor.input(memory, members);
    int size = LZ4_compress_fast_extState(&compressor.state,
                                          reinterpret_cast<const char *>(input.data()),
                                          reinterpret_cast<char *>(output),
                                          static_cast<int>(input.size()),
                                          static_cast<int>(kCompressedBlockBound), kAcceleration);
    if (size <= 0) // LZ4 documents success for an output of LZ4_compressBound bytes
        throw std::logic_error("LZ4 could not compress a block");
    return static_cast<size_t>(size);
}

} // namespace

ParentPages::ParentPages(const PageIndex &index) : index_(index), locator_(index) {}

std::optional<uint64_t> ParentPages::hash_at(uint64_t address) const {
    auto position = locator_.find(address);
    if (!position)
        return std::nullopt;
    return index_.regions[position->region].pages[position->page].hash;
}

std::optional<PageEntry> ParentPages::unchanged_at(uint64_t address) const {
    auto position = locator_.find(address);
    if (!position)
        return std::nullopt;
    const PageEntry &entry = index_.regions[position->region].pages[position->page];
    return PageEntry{.location = entry.location == PageLocation::zero ? PageLocation::zero
                                                                      : PageLocation::in_parent,
                     .hash = entry.hash};
}

PageStoreWriter::PageStoreWriter(BlockSink sink, unsigned threads)
    : sink_(std::move(sink)), threads_(thread_count(threads)),
      compressed_(compressed_slots(threads_)) {
    for (auto &task : compressed_) {
        task.bytes =
            std::make_unique_for_overwrite<std::byte[]>(kBlocksPerTask * kCompressedBlockBound);
        task.blocks.reserve(kBlocksPerTask);
        task.members.reserve(kPagesPerTask);
    }
}

// One pass over the region, a task of kPagesPerTask pages at a time: each task's thread
// classifies its pages and compresses the stored ones while they are still in its cache,
// and this thread hands the blocks to the sink in order, so the section's bytes are the
// same whichever thread finished first. A task's stored pages are cut into blocks of
// kPagesPerBlock.
RegionPages PageStoreWriter::add_region(std::span<const std::byte> memory,
                                        const ParentPages *parent,
                                        const RegionProgress &progress,
                                        std::optional<WrittenPages> written) {
    RegionPages region{reinterpret_cast<uint64_t>(memory.data()),
                       PageEntries(memory.size() / kPageSize)};
    auto &pages = region.pages;
    size_t task_count = groups_of(pages.size(), kPagesPerTask);
    auto compress = [&](size_t task, size_t slot) {
        auto &compressed = compressed_[slot];
        std::pair range{task * kPagesPerTask, std::min(pages.size(), (task + 1) * kPagesPerTask)};
        auto members = classify_range(memory, pages, range, parent, written, compressed.members);
        compressed.blocks.clear();
        for (size_t i = 0; i < groups_of(members.size(), kPagesPerBlock); i++) {
            auto block_members = group(members, i, kPagesPerBlock);
            std::span output(compressed.bytes.get() + i * kCompressedBlockBound,
                             kCompressedBlockBound);
            output = output.first(compress_block(memory, block_members, output.data()));
            compressed.blocks.push_back({0, static_cast<uint32_t>(output.size()),
                                         static_cast<uint32_t>(block_members.size()),
                                         xxh3(output)});
        }
    };
    auto append = [&](size_t task, size_t slot) {
        const auto &compressed = compressed_[slot];
        std::span<const size_t> members = compressed.members;
        for (size_t i = 0; i < compressed.blocks.size(); i++)
            append_block(compressed.blocks[i],
                         {compressed.bytes.get() + i * kCompressedBlockBound,
                          compressed.blocks[i].stored_size},
                         group(members, i, kPagesPerBlock), pages);
        if ((task + 1) % kTasksPerProgress == 0 || task + 1 == task_count)
            progress(std::min(pages.size(), (task + 1) * kPagesPerTask) * kPageSize);
    };
    ordered_parallel(task_count, threads_, compressed_.size(), compress, append);
    return region;
}

// Records `block`, holding `members`, as the next of the section, and hands its bytes to
// the sink.
void PageStoreWriter::append_block(BlockRecord block, std::span<const std::byte> bytes,
                                   std::span<const size_t> members,
                                   PageEntries &pages) {
    auto number = static_cast<uint32_t>(blocks_.size());
    for (uint16_t slot = 0; slot < members.size(); slot++) {
        pages[members[slot]].block = number;
        pages[members[slot]].slot = slot;
    }
    block.offset = section_size_;
    blocks_.push_back(block);
    sink_(bytes);
    section_size_ += bytes.size();
}

} // namespace bsc::snapshot
