// SPDX-License-Identifier: MIT
// Opening an image: every check runs before the reader exists.
#include "image_reader.h"

#include <cstring>

#include <fmt/core.h>

#include "checksum.h"
#include "image_error.h"
#include "portable_codec.h"
#include "section_compression.h"

namespace bsc::snapshot {
namespace {

template <class Record>
Record decode_section(std::span<const std::byte> bytes, SectionKind kind, Trailing trailing,
                      const std::string &name) {
    try {
        return decode_record<Record>(bytes, trailing);
    } catch (const cereal::Exception &e) {
        throw image_error(name, "the {} section does not decode: {}", to_string(kind), e.what());
    }
}

// The schema version is the metadata's first field; it is read alone first, so metadata
// of another version is refused as such instead of failing to decode.
ImageMetadata read_metadata(std::span<const std::byte> bytes, const std::string &name) {
    auto version = decode_section<uint32_t>(bytes, SectionKind::metadata, Trailing::ignored, name);
    if (version != kSchemaVersion)
        throw image_error(name, "metadata schema version {}, this build reads version {}",
                          version, kSchemaVersion);
    auto metadata = decode_section<ImageMetadata>(bytes, SectionKind::metadata,
                                                  Trailing::refused, name);
    check_metadata(metadata, name);
    return metadata;
}

PageIndex read_page_index(const Sections &sections, const ImageMetadata &metadata,
                          const std::string &name) {
    auto raw = decompress_section(sections[SectionKind::page_index], name);
    auto index = decode_section<PageIndex>(raw, SectionKind::page_index, Trailing::refused, name);
    check_page_index(index, metadata, sections.entry(SectionKind::page_blocks).size, name);
    return index;
}

// The images of a tree's members lie back to back in the member_images section, in the
// metadata's order, and fill it.
void check_member_placement(const Sections &sections, const ImageMetadata &metadata,
                            const std::string &name) {
    const auto &section = sections.entry(SectionKind::member_images);
    uint64_t next = section.offset;
    for (const auto &member : metadata.tree_members) {
        if (member.image_offset != next || member.image_size > section.offset + section.size - next)
            throw image_error(name, "the image of process {} ({} bytes at {}) is not where the "
                                    "member_images section holds the next one",
                              member.process_id, member.image_size, member.image_offset);
        next += member.image_size;
    }
    if (next != section.offset + section.size)
        throw image_error(name, "{} bytes of the member_images section belong to no process",
                          section.offset + section.size - next);
}

// The metadata of the image `source` holds, its container checked; the page index is
// neither read nor checked.
ImageMetadata metadata_only(ImageSource &source, const std::string &name) {
    return read_metadata(
        read_container(source, name, SectionReading::metadata_only)[SectionKind::metadata], name);
}

} // namespace

ImageMetadata read_image_metadata(const std::filesystem::path &path) {
    ImageSource source(path);
    return metadata_only(source, path.string());
}

ImageReader::ImageReader(std::string name, std::filesystem::path path,
                         std::shared_ptr<ImageSource> source, const ReadOptions &options)
    : name_(std::move(name)), path_(std::move(path)), source_(std::move(source)),
      sections_(read_container(*source_, name_)),
      metadata_(read_metadata(sections_[SectionKind::metadata], name_)),
      index_(read_page_index(sections_, metadata_, name_)), locator_(index_) {
    check_member_placement(sections_, metadata_, name_);
    if (options.block_checks == BlockChecks::at_open)
        check_blocks(blocks(), index_.blocks, options.threads, name_);
}

ImageReader ImageReader::open(const std::filesystem::path &path, const ReadOptions &options) {
    return ImageReader(path.string(), path, std::make_shared<ImageSource>(path), options);
}

ImageReader ImageReader::open_bytes(std::span<const std::byte> bytes, std::string name,
                                    const ReadOptions &options) {
    return ImageReader(std::move(name), {}, std::make_shared<ImageSource>(bytes), options);
}

std::string ImageReader::member_name(const TreeMemberRecord &member) const {
    return fmt::format("{} (process {})", name_, member.process_id);
}

std::shared_ptr<ImageSource> ImageReader::member_source(const TreeMemberRecord &member) const {
    return source_->file()
               ? std::make_shared<ImageSource>(path_, member.image_offset, member.image_size)
               : std::make_shared<ImageSource>(
                     source_->memory().subspan(member.image_offset, member.image_size));
}

ImageReader ImageReader::open_member(const TreeMemberRecord &member,
                                     const ReadOptions &options) const {
    return ImageReader(member_name(member), path_, member_source(member), options);
}

ImageMetadata ImageReader::member_metadata(const TreeMemberRecord &member) const {
    return metadata_only(*member_source(member), member_name(member));
}

BlockSource ImageReader::blocks() const {
    return {*source_, sections_.entry(SectionKind::page_blocks).offset};
}

RegionStats ImageReader::region_stats(size_t region) const {
    return snapshot::region_stats(index_, region);
}

std::vector<uint64_t> ImageReader::page_hashes(size_t region) const {
    std::vector<uint64_t> hashes;
    for (const auto &entry : index_.regions.at(region).pages)
        hashes.push_back(entry.hash);
    return hashes;
}

std::vector<PageRequest> ImageReader::fill_pages(std::span<const PageRequest> requests,
                                                 const ReadOptions &options,
                                                 const PagesWritten &written) const {
    std::vector<PageRequest> in_parent;
    std::vector<BlockCopy> copies;
    for (const auto &request : requests) {
        auto position = locator_.find(request.address);
        if (!position)
            throw image_error(name_, "has no page at {:#x}, which its child image takes from it",
                              request.address);
        const auto &entry = index_.regions[position->region].pages[position->page];
        switch (entry.location) {
        case PageLocation::zero:
            write_pages(options.write_pages, request.target, zero_page());
            break;
        case PageLocation::in_parent:
            in_parent.push_back(request);
            break;
        case PageLocation::in_block:
            copies.push_back(
                {entry.block, entry.slot, request.target, entry.hash, request.address});
            break;
        }
    }
    if (written)
        written(requests.size() - in_parent.size() - copies.size()); // the zero pages
    copy_from_blocks(blocks(), index_.blocks, std::move(copies),
                     {options.threads, options.check_page_hashes, options.write_pages, written},
                     name_);
    return in_parent;
}

void ImageReader::take_parent_hashes(const ImageReader &parent) {
    for (auto &region : index_.regions)
        for (size_t i = 0; i < region.pages.size(); i++) {
            auto &entry = region.pages[i];
            if (entry.location != PageLocation::in_parent)
                continue;
            uint64_t address = region.address + i * kPageSize;
            auto position = parent.locator_.find(address);
            if (!position)
                throw image_error(name_, "its page at {:#x} is in its parent {}, which has no "
                                         "page there",
                                  address, parent.name());
            entry.hash = parent.index_.regions[position->region].pages[position->page].hash;
        }
}

} // namespace bsc::snapshot
