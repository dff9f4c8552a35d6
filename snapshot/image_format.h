// SPDX-License-Identifier: MIT
// The container of an image file: a fixed header, the sections back to back, and the
// section table that locates and checksums them. README.md gives the layout byte by byte.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "image_schema.h"

namespace bsc::snapshot {

class ImageSource;

inline constexpr std::array<char, 8> kMagic{'B', 'S', 'C', 'L', 'I', 'M', 'G', '\n'};
// Changes with the container: header, table, section kinds or a section's encoding.
// Version 2 stores the page index LZ4-compressed; version 3 a checksum for each block in
// the page index, and none for the page_blocks section as a whole; version 4 a page's hash
// in the index only for a page stored in the image; version 5 the member_images section;
// version 6 the page index column by column (page_index.h).
inline constexpr uint32_t kFormatVersion = 6;
inline constexpr uint32_t kHeaderSize = 48;
inline constexpr uint32_t kSectionEntrySize = 32;

// The file order of the sections: pages first, so the writer streams them as it compresses,
// then the images of the other processes of a tree (empty for one process), then the
// index and the metadata.
enum class SectionKind : uint32_t { metadata, page_index, page_blocks, member_images };
template <> struct EnumNames<SectionKind> {
    static constexpr std::array<std::string_view, 4> names{"metadata", "page_index",
                                                           "page_blocks", "member_images"};
};

// Whether opening an image reads a section whole and checks it against the table's
// checksum. The page blocks are checked block by block, by the page index's checksums, as
// their pages are read; the member images are images, each checked as it is opened.
constexpr bool read_at_open(SectionKind kind) {
    return kind == SectionKind::metadata || kind == SectionKind::page_index;
}
inline constexpr size_t kSectionKinds = EnumNames<SectionKind>::names.size();

struct SectionEntry {
    SectionKind kind = SectionKind::metadata;
    uint64_t offset = 0;   // from the start of the file
    uint64_t size = 0;     // stored bytes
    uint64_t checksum = 0; // xxh3-64 of the stored bytes
};

// The checksum the section table records for a section of `kind` holding `bytes`: their
// xxh3-64 for a section read at open, else 0.
uint64_t section_checksum(SectionKind kind, std::span<const std::byte> bytes);

// The section table's bytes for `sections`, in file order.
std::vector<std::byte> encode_section_table(std::span<const SectionEntry> sections);

// The header of a file whose section table, of `section_count` entries, is `table` at
// `table_offset`.
std::array<std::byte, kHeaderSize> encode_header(uint64_t table_offset, uint32_t section_count,
                                                 std::span<const std::byte> table);

// Where each section is, and the bytes of each but the page blocks, which are read as
// their pages are (block_reading.h).
struct Sections {
    std::array<SectionEntry, kSectionKinds> entries;
    std::array<std::span<const std::byte>, kSectionKinds> bytes; // of those read_at_open
    const SectionEntry &entry(SectionKind kind) const {
        return entries[static_cast<size_t>(kind)];
    }
    std::span<const std::byte> operator[](SectionKind kind) const {
        return bytes[static_cast<size_t>(kind)];
    }
};

// Checks everything the container promises of the image `source` holds (magic, version,
// header and table checksums, bounds, one section of each kind laid end to end, each
// section's checksum) and returns the sections, reading no byte of the page blocks.
// With metadata_only, the page index is neither read nor checked: a caller that needs the
// metadata alone is spared the index, megabytes read past the page cache (a restore reads
// the metadata before it opens the image whole). Throws ImageError naming `name`.
enum class SectionReading { all, metadata_only };
Sections read_container(ImageSource &source, const std::string &name,
                        SectionReading reading = SectionReading::all);

} // namespace bsc::snapshot
