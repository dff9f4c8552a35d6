// SPDX-License-Identifier: MIT
// Page classification, LZ4 block compression and decompression.
#include "page_store.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include <lz4.h>

#include "checksum.h"
#include "image_error.h"
#include "parallel.h"

namespace bsc::snapshot {
namespace {

constexpr std::array<std::byte, kPageSize> kZeroPage{};

// Blocks compressed between two writes: enough to keep every core busy, few enough that
// the compressed bytes waiting to be written stay small.
size_t blocks_per_batch(unsigned threads) { return std::max<size_t>(16, 4 * size_t{threads}); }

size_t blocks_for(size_t pages) { return (pages + kPagesPerBlock - 1) / kPagesPerBlock; }

PageEntry classify(std::span<const std::byte> page, uint64_t address, const ParentPages *parent) {
    uint64_t hash = xxh3(page);
    if (hash == zero_page_hash() && std::ranges::equal(page, kZeroPage))
        return {PageLocation::zero, 0, 0, hash};
    if (parent && parent->hash_at(address) == hash)
        return {PageLocation::in_parent, 0, 0, hash};
    return {PageLocation::in_block, 0, 0, hash};
}

std::vector<PageEntry> classify_pages(std::span<const std::byte> memory,
                                      const ParentPages *parent, unsigned threads) {
    std::vector<PageEntry> pages(memory.size() / kPageSize);
    auto address = reinterpret_cast<uint64_t>(memory.data());
    parallel_for(blocks_for(pages.size()), threads, [&](size_t chunk) {
        size_t end = std::min(pages.size(), (chunk + 1) * kPagesPerBlock);
        for (size_t i = chunk * kPagesPerBlock; i < end; i++)
            pages[i] = classify(memory.subspan(i * kPageSize, kPageSize),
                                address + i * kPageSize, parent);
    });
    return pages;
}

// The numbers of the pages block `block` holds, out of all stored pages in page order.
std::span<const size_t> block_members(std::span<const size_t> stored, size_t block) {
    size_t first = block * kPagesPerBlock;
    return stored.subspan(first, std::min<size_t>(kPagesPerBlock, stored.size() - first));
}

std::vector<std::byte> compress_block(std::span<const std::byte> memory,
                                      std::span<const size_t> members) {
    std::vector<std::byte> gathered;
    std::span<const std::byte> input;
    if (members.back() - members.front() + 1 == members.size()) {
        input = memory.subspan(members.front() * kPageSize, members.size() * kPageSize);
    } else {
        gathered.resize(members.size() * kPageSize);
        for (size_t slot = 0; slot < members.size(); slot++)
            std::memcpy(gathered.data() + slot * kPageSize,
                        memory.data() + members[slot] * kPageSize, kPageSize);
        input = gathered;
    }
    auto input_size = static_cast<int>(input.size());
    std::vector<std::byte> output(static_cast<size_t>(LZ4_compressBound(input_size)));
    int size = LZ4_compress_default(reinterpret_cast<const char *>(input.data()),
                                    reinterpret_cast<char *>(output.data()), input_size,
                                    static_cast<int>(output.size()));
    if (size <= 0) // LZ4 documents success for an output of LZ4_compressBound bytes
        throw std::logic_error("LZ4 could not compress a block");
    output.resize(static_cast<size_t>(size));
    return output;
}

// Whether a block's pages go to consecutive targets in slot order, so it can decompress
// straight into them.
bool lands_in_place(std::span<const BlockCopy> run, uint32_t page_count) {
    if (run.size() != page_count)
        return false;
    for (size_t i = 0; i < run.size(); i++)
        if (run[i].slot != i || run[i].target != run.front().target + i * kPageSize)
            return false;
    return true;
}

void copy_block(std::span<const std::byte> blocks_section, const std::vector<BlockRecord> &blocks,
                std::span<const BlockCopy> run, const std::string &name) {
    uint32_t number = run.front().block;
    const auto &block = blocks[number];
    size_t size = block.page_count * kPageSize;
    bool in_place = lands_in_place(run, block.page_count);
    std::vector<std::byte> buffer(in_place ? 0 : size);
    std::byte *output = in_place ? run.front().target : buffer.data();
    auto source = blocks_section.subspan(block.offset, block.stored_size);
    int got = LZ4_decompress_safe(reinterpret_cast<const char *>(source.data()),
                                  reinterpret_cast<char *>(output),
                                  static_cast<int>(source.size()), static_cast<int>(size));
    if (got != static_cast<int>(size))
        throw image_error(name, "block {} does not decompress to its {} pages", number,
                          block.page_count);
    for (const auto &copy : run) {
        std::span<const std::byte> page(output + copy.slot * kPageSize, kPageSize);
        if (xxh3(page) != copy.hash)
            throw image_error(name, "the page at {:#x} does not match its recorded hash",
                              copy.address);
        if (!in_place)
            std::memcpy(copy.target, page.data(), kPageSize);
    }
}

} // namespace

uint64_t zero_page_hash() {
    static const uint64_t hash = xxh3(kZeroPage);
    return hash;
}

ParentPages::ParentPages(const PageIndex &index) : index_(index), locator_(index) {}

std::optional<uint64_t> ParentPages::hash_at(uint64_t address) const {
    auto position = locator_.find(address);
    if (!position)
        return std::nullopt;
    return index_.regions[position->region].pages[position->page].hash;
}

PageStoreWriter::PageStoreWriter(BlockSink sink, unsigned threads)
    : sink_(std::move(sink)), threads_(thread_count(threads)) {}

RegionPages PageStoreWriter::add_region(std::span<const std::byte> memory,
                                        const ParentPages *parent,
                                        const RegionProgress &progress) {
    RegionPages region{reinterpret_cast<uint64_t>(memory.data()),
                       classify_pages(memory, parent, threads_)};
    store_blocks(memory, region.pages, progress);
    return region;
}

// Compresses a batch of blocks in parallel, then hands them to the sink in order, so the
// section's bytes are the same whichever thread finished first.
void PageStoreWriter::store_blocks(std::span<const std::byte> memory,
                                   std::vector<PageEntry> &pages,
                                   const RegionProgress &progress) {
    std::vector<size_t> stored;
    for (size_t i = 0; i < pages.size(); i++)
        if (pages[i].location == PageLocation::in_block)
            stored.push_back(i);
    size_t block_count = blocks_for(stored.size());
    size_t batch = blocks_per_batch(threads_);
    for (size_t first = 0; first < block_count; first += batch) {
        std::vector<std::vector<std::byte>> compressed(std::min(batch, block_count - first));
        parallel_for(compressed.size(), threads_, [&](size_t i) {
            compressed[i] = compress_block(memory, block_members(stored, first + i));
        });
        for (size_t i = 0; i < compressed.size(); i++) {
            auto members = block_members(stored, first + i);
            auto number = static_cast<uint32_t>(blocks_.size());
            for (uint32_t slot = 0; slot < members.size(); slot++) {
                pages[members[slot]].block = number;
                pages[members[slot]].slot = slot;
            }
            blocks_.push_back({section_size_, static_cast<uint32_t>(compressed[i].size()),
                               static_cast<uint32_t>(members.size())});
            sink_(compressed[i]);
            section_size_ += compressed[i].size();
        }
        progress((block_members(stored, first + compressed.size() - 1).back() + 1) * kPageSize);
    }
}

void copy_from_blocks(std::span<const std::byte> blocks_section,
                      const std::vector<BlockRecord> &blocks, std::vector<BlockCopy> copies,
                      unsigned threads, const std::string &name) {
    std::ranges::sort(copies, [](const BlockCopy &a, const BlockCopy &b) {
        return std::tie(a.block, a.slot) < std::tie(b.block, b.slot);
    });
    std::vector<std::span<const BlockCopy>> runs; // one per block
    for (size_t begin = 0, end; begin < copies.size(); begin = end) {
        for (end = begin + 1; end < copies.size() && copies[end].block == copies[begin].block;)
            end++;
        runs.push_back(std::span(copies).subspan(begin, end - begin));
    }
    parallel_for(runs.size(), threads,
                 [&](size_t i) { copy_block(blocks_section, blocks, runs[i], name); });
}

} // namespace bsc::snapshot
