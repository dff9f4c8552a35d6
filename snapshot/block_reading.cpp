// SPDX-License-Identifier: MIT
// Blocks read in chunks by two threads while the others work on the chunk before.
#include "block_reading.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include <lz4.h>

#include "checksum.h"
#include "file_io.h"
#include "image_error.h"
#include "parallel.h"

namespace bsc::snapshot {
namespace {

// Blocks are read from a file up to 8 MiB at a time: a few milliseconds of the disk, and a
// few of decompression on two cores...
constexpr uint64_t kChunkBytes = 8 << 20;
// ...and a gap of up to 128 KiB between wanted blocks is read through rather than costing
// a request of its own (either is about a tenth of a millisecond).
constexpr uint64_t kChunkGap = 128 << 10;
// Chunks read at once: the disk here reads 1.4 GB/s with two requests in flight, 1.1 GB/s
// with one.
constexpr unsigned kReadsInFlight = 2;
// Chunks read, or waiting, while the threads work on one.
constexpr size_t kChunkSlots = kReadsInFlight + 2;

// Blocks close together in the section, read at once: bytes [begin, end) of the section,
// holding wanted blocks [first, end_wanted).
struct Chunk {
    uint64_t begin, end;
    size_t first, end_wanted;
};

std::vector<Chunk> chunks_of(std::span<const uint32_t> wanted,
                             const std::vector<BlockRecord> &blocks) {
    std::vector<Chunk> chunks;
    for (size_t i = 0; i < wanted.size(); i++) {
        const auto &block = blocks[wanted[i]];
        uint64_t end = block.offset + block.stored_size;
        if (!chunks.empty() && end - chunks.back().begin <= kChunkBytes &&
            block.offset - chunks.back().end <= kChunkGap) {
            chunks.back().end = end;
            chunks.back().end_wanted = i + 1;
        } else {
            chunks.push_back({block.offset, end, i, i + 1});
        }
    }
    return chunks;
}

// Where chunks are read to: nowhere from memory, else buffers for the largest of them.
std::vector<AlignedBuffer> chunk_buffers(const BlockSource &source,
                                         std::span<const Chunk> chunks) {
    std::vector<AlignedBuffer> buffers;
    uint64_t largest = 0;
    for (const auto &chunk : chunks)
        largest = std::max(largest, chunk.end - chunk.begin);
    if (source.image.file())
        for (size_t i = 0; i < kChunkSlots; i++)
            buffers.push_back(aligned_buffer(read_buffer_size(largest)));
    return buffers;
}

// Calls visit(i, bytes) with the stored bytes of block wanted[i] for every i, on `threads`
// threads; `wanted` is in ascending order. After the visits of each chunk of blocks,
// chunk_done(first, end), if given, on the caller's thread with the chunk's wanted[first,
// end). Reading a file through the page cache would fill pages the kernel allocates for
// the purpose, which costs more than the disk here (README.md), so a file's blocks are
// read with direct I/O, ahead of the visits.
void visit_blocks(const BlockSource &source, const std::vector<BlockRecord> &blocks,
                  std::span<const uint32_t> wanted, unsigned threads,
                  const std::function<void(size_t, std::span<const std::byte>)> &visit,
                  const std::function<void(size_t first, size_t end)> &chunk_done = {}) {
    auto chunks = chunks_of(wanted, blocks);
    auto buffers = chunk_buffers(source, chunks);
    std::vector<std::span<const std::byte>> loaded(kChunkSlots); // by slot
    auto load = [&](size_t i, size_t slot) {
        const auto &chunk = chunks[i];
        const auto *file = source.image.file();
        uint64_t offset = source.offset + chunk.begin, size = chunk.end - chunk.begin;
        loaded[slot] = file ? file->read(offset, size, buffers[slot].get())
                            : source.image.memory().subspan(offset, size);
    };
    auto visit_chunk = [&](size_t i, size_t slot) {
        const auto &chunk = chunks[i];
        parallel_for(chunk.end_wanted - chunk.first, threads, [&](size_t n) {
            const auto &block = blocks[wanted[chunk.first + n]];
            visit(chunk.first + n,
                  loaded[slot].subspan(block.offset - chunk.begin, block.stored_size));
        });
        if (chunk_done)
            chunk_done(chunk.first, chunk.end_wanted);
    };
    ordered_parallel(chunks.size(), kReadsInFlight, kChunkSlots, load, visit_chunk);
}

void check_block(uint32_t number, const BlockRecord &block, std::span<const std::byte> stored,
                 const std::string &name) {
    if (!checksum_matches(block.checksum, xxh3(stored)))
        throw image_error(name, "block {} does not match its checksum: the block is corrupt",
                          number);
}

using Run = std::span<const BlockCopy>; // the copies out of one block

// The copies grouped by block, in block order (the section's order). The pages of a region
// as the writer stores them come in that order already; an index made otherwise need not.
std::vector<Run> runs_by_block(std::vector<BlockCopy> &copies) {
    auto in_block_order = [](const BlockCopy &a, const BlockCopy &b) {
        return std::tie(a.block, a.slot) < std::tie(b.block, b.slot);
    };
    if (!std::ranges::is_sorted(copies, in_block_order))
        std::ranges::sort(copies, in_block_order);
    std::vector<Run> runs;
    for (size_t begin = 0, end; begin < copies.size(); begin = end) {
        for (end = begin + 1; end < copies.size() && copies[end].block == copies[begin].block;)
            end++;
        runs.push_back(std::span(copies).subspan(begin, end - begin));
    }
    return runs;
}

// Whether a block's pages go to consecutive targets in slot order, so it can decompress
// straight into them.
bool lands_in_place(Run run, uint32_t page_count) {
    if (run.size() != page_count)
        return false;
    for (size_t i = 0; i < run.size(); i++)
        if (run[i].slot != i || run[i].target != run.front().target + i * kPageSize)
            return false;
    return true;
}

// Whether `next` continues the pages of `copy` both in the block and at the targets.
bool follows(const BlockCopy &copy, const BlockCopy &next) {
    return next.slot == copy.slot + 1 && next.target == copy.target + kPageSize;
}

// Checks the block `run` copies from, whose bytes are `stored`, decompresses it and writes
// out the pages the run wants, each checked against its hash if asked. Pages consecutive
// in the block and at their targets are written at once.
void copy_block(const std::vector<BlockRecord> &blocks, Run run,
                std::span<const std::byte> stored, const CopyOptions &options,
                const std::string &name) {
    uint32_t number = run.front().block;
    const auto &block = blocks[number];
    check_block(number, block, stored, name);
    size_t size = block.page_count * kPageSize;
    bool in_place = !options.write && lands_in_place(run, block.page_count);
    thread_local std::vector<std::byte> buffer;
    buffer.resize(in_place ? 0 : size);
    std::byte *output = in_place ? run.front().target : buffer.data();
    int got = LZ4_decompress_safe(reinterpret_cast<const char *>(stored.data()),
                                  reinterpret_cast<char *>(output),
                                  static_cast<int>(stored.size()), static_cast<int>(size));
    if (got != static_cast<int>(size))
        throw image_error(name, "block {} does not decompress to its {} pages", number,
                          block.page_count);
    size_t unwritten = 0; // the first copy whose page is not written yet
    for (size_t i = 0; i < run.size(); i++) {
        const auto &copy = run[i];
        std::span<const std::byte> page(output + copy.slot * kPageSize, kPageSize);
        if (options.check_page_hashes && xxh3(page) != copy.hash)
            throw image_error(name, "the page at {:#x} does not match its recorded hash",
                              copy.address);
        if (in_place || (i + 1 < run.size() && follows(copy, run[i + 1])))
            continue;
        const auto &first = run[unwritten];
        write_pages(options.write, first.target,
                    std::span(output + first.slot * kPageSize, (i + 1 - unwritten) * kPageSize));
        unwritten = i + 1;
    }
}

} // namespace

void write_pages(const PageWriter &write, std::byte *target, std::span<const std::byte> pages) {
    if (write)
        write(target, pages);
    else
        std::memcpy(target, pages.data(), pages.size());
}

void check_blocks(const BlockSource &source, const std::vector<BlockRecord> &blocks,
                  unsigned threads, const std::string &name) {
    std::vector<uint32_t> all(blocks.size());
    for (uint32_t i = 0; i < all.size(); i++)
        all[i] = i;
    visit_blocks(source, blocks, all, threads, [&](size_t i, std::span<const std::byte> stored) {
        check_block(all[i], blocks[all[i]], stored, name);
    });
}

void copy_from_blocks(const BlockSource &source, const std::vector<BlockRecord> &blocks,
                      std::vector<BlockCopy> copies, CopyOptions options,
                      const std::string &name) {
    auto runs = runs_by_block(copies);
    std::vector<uint32_t> wanted;
    for (const auto &run : runs)
        wanted.push_back(run.front().block);
    auto chunk_done = [&](size_t first, size_t end) {
        if (!options.written)
            return;
        uint64_t pages = 0;
        for (size_t i = first; i < end; i++)
            pages += runs[i].size();
        options.written(pages);
    };
    visit_blocks(
        source, blocks, wanted, options.threads,
        [&](size_t i, std::span<const std::byte> stored) {
            copy_block(blocks, runs[i], stored, options, name);
        },
        chunk_done);
}

} // namespace bsc::snapshot
