// SPDX-License-Identifier: MIT
// Encoding and checking the container: header, section table, section checksums.
#include "image_format.h"

#include <algorithm>
#include <cstring>

#include "checksum.h"
#include "file_io.h"
#include "image_error.h"
#include "little_endian.h"

namespace bsc::snapshot {
namespace {

// Where each field sits in the header and in a section table entry.
constexpr size_t kVersionAt = 8, kHeaderSizeAt = 12, kSectionCountAt = 16, kReservedAt = 20,
                 kTableOffsetAt = 24, kTableChecksumAt = 32, kHeaderChecksumAt = 40;
constexpr size_t kKindAt = 0, kEntryReservedAt = 4, kOffsetAt = 8, kSizeAt = 16,
                 kChecksumAt = 24;

struct Header {
    uint32_t section_count;
    uint64_t table_offset;
    uint64_t table_checksum;
};

void check_magic(std::span<const std::byte> head, const std::string &name) {
    if (head.empty())
        throw image_error(name, "empty file, not a bascule image");
    size_t compared = std::min(head.size(), kMagic.size());
    if (std::memcmp(head.data(), kMagic.data(), compared) != 0)
        throw image_error(name, "not a bascule image (it does not start with BSCLIMG)");
}

// The version comes before the header checksum: another version's header may be laid out
// differently, and "version N" says more than "corrupt".
void check_version(std::span<const std::byte> head, const std::string &name) {
    if (head.size() < kVersionAt + sizeof(uint32_t))
        return;
    if (auto version = get_le<uint32_t>(head, kVersionAt); version != kFormatVersion)
        throw image_error(name, "image format version {}, this build reads version {}",
                          version, kFormatVersion);
}

// `head`: the file's first kHeaderSize bytes, or all of it if it is shorter.
Header read_header(std::span<const std::byte> head, const std::string &name) {
    check_magic(head, name);
    check_version(head, name);
    if (head.size() < kHeaderSize)
        throw image_error(name, "truncated: {} bytes, less than the {}-byte header",
                          head.size(), kHeaderSize);
    if (!checksum_matches(get_le<uint64_t>(head, kHeaderChecksumAt),
                          xxh3(head.first(kHeaderChecksumAt))))
        throw image_error(name, "header checksum mismatch: the header is corrupt");
    if (auto size = get_le<uint32_t>(head, kHeaderSizeAt); size != kHeaderSize)
        throw image_error(name, "header size {}, format version {} has {}", size,
                          kFormatVersion, kHeaderSize);
    if (auto reserved = get_le<uint32_t>(head, kReservedAt); reserved != 0)
        throw image_error(name, "reserved header field holds {}", reserved);
    return {get_le<uint32_t>(head, kSectionCountAt), get_le<uint64_t>(head, kTableOffsetAt),
            get_le<uint64_t>(head, kTableChecksumAt)};
}

std::span<const std::byte> section_table(ImageSource &source, const Header &header,
                                         const std::string &name) {
    if (header.section_count != kSectionKinds)
        throw image_error(name, "{} sections, format version {} has {}", header.section_count,
                          kFormatVersion, kSectionKinds);
    uint64_t size = uint64_t{header.section_count} * kSectionEntrySize;
    if (header.table_offset < kHeaderSize)
        throw image_error(name, "the section table at byte {} overlaps the header",
                          header.table_offset);
    uint64_t file_size = source.size();
    if (header.table_offset > file_size || file_size - header.table_offset < size)
        throw image_error(name,
                          "truncated: the section table at byte {} needs {} bytes, "
                          "the file has {}",
                          header.table_offset, size, file_size);
    if (auto extra = file_size - header.table_offset - size; extra != 0)
        throw image_error(name, "{} stray bytes follow the section table", extra);
    auto table = source.bytes(header.table_offset, size);
    if (!checksum_matches(header.table_checksum, xxh3(table)))
        throw image_error(name, "section table checksum mismatch: the table is corrupt");
    return table;
}

SectionEntry decode_entry(std::span<const std::byte> entry, const std::string &name) {
    SectionEntry decoded{static_cast<SectionKind>(get_le<uint32_t>(entry, kKindAt)),
                         get_le<uint64_t>(entry, kOffsetAt), get_le<uint64_t>(entry, kSizeAt),
                         get_le<uint64_t>(entry, kChecksumAt)};
    if (!is_known(decoded.kind))
        throw image_error(name, "a section of unknown kind {}",
                          static_cast<uint32_t>(decoded.kind));
    if (auto reserved = get_le<uint32_t>(entry, kEntryReservedAt); reserved != 0)
        throw image_error(name, "the {} section's reserved field holds {}",
                          to_string(decoded.kind), reserved);
    return decoded;
}

// Sections must tile the bytes between the header and the table, one of each kind, so
// that no byte of the file goes unchecked.
Sections locate_sections(ImageSource &source, std::span<const std::byte> table,
                         uint64_t table_offset, const std::string &name, SectionReading reading) {
    Sections sections{};
    std::array<bool, kSectionKinds> seen{};
    uint64_t next = kHeaderSize;
    for (size_t at = 0; at < table.size(); at += kSectionEntrySize) {
        auto entry = decode_entry(table.subspan(at, kSectionEntrySize), name);
        auto kind = static_cast<size_t>(entry.kind);
        if (std::exchange(seen[kind], true))
            throw image_error(name, "two {} sections", to_string(entry.kind));
        if (entry.offset != next)
            throw image_error(name, "the {} section starts at byte {}, the one before ends at {}",
                              to_string(entry.kind), entry.offset, next);
        if (entry.size > table_offset - next)
            throw image_error(name, "the {} section runs into the section table",
                              to_string(entry.kind));
        sections.entries[kind] = entry;
        bool skipped = read_at_open(entry.kind) && reading == SectionReading::metadata_only &&
                       entry.kind != SectionKind::metadata;
        if (read_at_open(entry.kind) && !skipped)
            sections.bytes[kind] = source.bytes(entry.offset, entry.size);
        if (!skipped &&
            !checksum_matches(entry.checksum, section_checksum(entry.kind, sections.bytes[kind])))
            throw image_error(name, "{} section checksum mismatch: the section is corrupt",
                              to_string(entry.kind));
        next += entry.size;
    }
    if (next != table_offset)
        throw image_error(name, "{} stray bytes between the sections and the section table",
                          table_offset - next);
    return sections;
}

} // namespace

uint64_t section_checksum(SectionKind kind, std::span<const std::byte> bytes) {
    return read_at_open(kind) ? xxh3(bytes) : 0;
}

std::vector<std::byte> encode_section_table(std::span<const SectionEntry> sections) {
    std::vector<std::byte> table(sections.size() * kSectionEntrySize);
    std::span<std::byte> out(table);
    for (size_t i = 0; i < sections.size(); i++) {
        auto entry = out.subspan(i * kSectionEntrySize, kSectionEntrySize);
        put_le(entry, kKindAt, static_cast<uint32_t>(sections[i].kind));
        put_le(entry, kOffsetAt, sections[i].offset);
        put_le(entry, kSizeAt, sections[i].size);
        put_le(entry, kChecksumAt, sections[i].checksum);
    }
    return table;
}

std::array<std::byte, kHeaderSize> encode_header(uint64_t table_offset, uint32_t section_count,
                                                 std::span<const std::byte> table) {
    std::array<std::byte, kHeaderSize> header{};
    std::memcpy(header.data(), kMagic.data(), kMagic.size());
    put_le(header, kVersionAt, kFormatVersion);
    put_le(header, kHeaderSizeAt, kHeaderSize);
    put_le(header, kSectionCountAt, section_count);
    put_le(header, kTableOffsetAt, table_offset);
    put_le(header, kTableChecksumAt, xxh3(table));
    put_le(header, kHeaderChecksumAt, xxh3(std::span(header).first(kHeaderChecksumAt)));
    return header;
}

Sections read_container(ImageSource &source, const std::string &name, SectionReading reading) {
    auto header = read_header(source.bytes(0, std::min<uint64_t>(source.size(), kHeaderSize)),
                              name);
    auto table = section_table(source, header, name);
    return locate_sections(source, table, header.table_offset, name, reading);
}

} // namespace bsc::snapshot
