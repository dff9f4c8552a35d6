// SPDX-License-Identifier: MIT
// Taking pages back out of an image's blocks: each block checked against its checksum and
// decompressed once, each page checked against its hash unless told not to, on several
// cores; from a file, the blocks are read with direct I/O ahead of the decompression.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "page_index.h"

namespace bsc::snapshot {

class ImageSource;

// Where an image's page_blocks section is: at `offset` of an image's file, or of its bytes
// in memory.
struct BlockSource {
    const ImageSource &image;
    uint64_t offset;
};

// One page to copy out of a block.
struct BlockCopy {
    uint32_t block, slot;
    std::byte *target;
    uint64_t hash;    // what the page's contents must hash to
    uint64_t address; // for messages
};

// Reads every block and checks it against its checksum. Throws ImageError naming `name`
// for a block that does not match, or a file that no longer holds its blocks.
void check_blocks(const BlockSource &source, const std::vector<BlockRecord> &blocks,
                  unsigned threads, const std::string &name);

// Puts whole pages at a target: a restore gives its own, which installs them in memory the
// host fills (vm_fill). Called from several threads at once.
using PageWriter = std::function<void(std::byte *target, std::span<const std::byte> pages)>;

// Writes `pages` at `target` with `write`, or copies them if it is empty.
void write_pages(const PageWriter &write, std::byte *target, std::span<const std::byte> pages);

// Told how many more pages are written, on the calling thread, as the reading goes on.
using PagesWritten = std::function<void(uint64_t pages)>;

struct CopyOptions {
    unsigned threads;
    bool check_page_hashes;
    const PageWriter &write;      // empty: pages are copied, or decompressed in place
    const PagesWritten &written;  // may be empty
};

// Copies each page `copies` names to its target, decompressing each block once. Throws
// ImageError naming `name` for a block that does not match its checksum or does not
// decompress to its pages, a page that does not match its hash (if checked), or a file
// that no longer holds its blocks.
void copy_from_blocks(const BlockSource &source, const std::vector<BlockRecord> &blocks,
                      std::vector<BlockCopy> copies, CopyOptions options,
                      const std::string &name);

} // namespace bsc::snapshot
