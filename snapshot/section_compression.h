// SPDX-License-Identifier: MIT
// A whole section compressed with LZ4, for the page index: its entries repeat (runs of
// zero pages, parent pages), so it shrinks many times and an incremental image stays small.
// Stored as the little-endian uint64 size of the raw bytes, then one LZ4 block.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "huge_pages.h"

namespace bsc::snapshot {

std::vector<std::byte> compress_section(std::span<const std::byte> raw);
// The same into `stored`, whose memory is reused: a writer of many sections keeps one
// buffer rather than faulting in fresh pages for each.
void compress_section(std::span<const std::byte> raw, std::vector<std::byte> &stored);

// The raw bytes; throws ImageError naming `name` for bytes that are not a compressed
// section (including a raw size LZ4 could not have produced from them). In huge pages
// where large (huge_pages.h): a 1 GiB guest's page index is 5 MiB.
HugeBytes decompress_section(std::span<const std::byte> stored, const std::string &name);
// The same into `raw`, whose memory is reused.
void decompress_section(std::span<const std::byte> stored, const std::string &name,
                        std::vector<std::byte> &raw);

} // namespace bsc::snapshot
