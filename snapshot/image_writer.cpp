// SPDX-License-Identifier: MIT
// Writing an image: pages stream into a temporary file as they are compressed; commit adds
// the index, the metadata, the section table and the header, and renames.
#include "image_writer.h"

#include <unistd.h>

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "file_appender.h"
#include "file_io.h"
#include "image_error.h"
#include "image_format.h"
#include "page_store.h"
#include "section_compression.h"
#include "portable_codec.h"

namespace bsc::snapshot {
namespace {

std::filesystem::path directory_of(const std::filesystem::path &path) {
    auto directory = path.parent_path();
    return directory.empty() ? "." : directory;
}

std::filesystem::path temporary_path(const std::filesystem::path &final_path) {
    return directory_of(final_path) /
           fmt::format(".{}.tmp-{}", final_path.filename().string(), ::getpid());
}

ImageId random_image_id() {
    std::random_device random;
    auto next = [&] { return uint64_t{random()} << 32 | random(); };
    return {next(), next()};
}

uint64_t unix_time_ns() {
    auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

// The parent as its child records it: relative to the child's directory, so that images
// moved together keep their chain.
ParentImage parent_record(const ImageChain &parent, const std::filesystem::path &final_path) {
    const auto &path = parent.top().path();
    if (path.empty())
        throw std::invalid_argument("an incremental image's parent must be a file");
    if (std::filesystem::weakly_canonical(path) == std::filesystem::weakly_canonical(final_path))
        throw image_error(final_path.string(), "an incremental image cannot replace its parent");
    auto absolute_parent = std::filesystem::absolute(path).lexically_normal();
    auto child_directory = std::filesystem::absolute(directory_of(final_path)).lexically_normal();
    return {absolute_parent.lexically_relative(child_directory).string(),
            parent.top().metadata().image_id};
}

// The index's encoding, in a buffer reserved whole so that it never grows (each step
// would copy it into fresh memory): a page takes at most 17 bytes (its location, and its
// block, slot and hash if stored), a block 24, a region's address and column lengths 40;
// what is reserved and not used is never touched.
std::vector<std::byte> encode_index(const PageIndex &index) {
    size_t bound = 64 + index.blocks.size() * 24;
    for (const auto &region : index.regions)
        bound += 40 + region.pages.size() * 17;
    std::vector<std::byte> encoded;
    encoded.reserve(bound);
    encode_record(index, encoded);
    return encoded;
}

} // namespace

struct ImageWriter::State {
    State(std::filesystem::path final, const ImageChain *parent, WriteOptions write_options)
        : final_path(std::move(final)), temp_path(temporary_path(final_path)),
          options(std::move(write_options)),
          pages([this](std::span<const std::byte> bytes) { append(bytes); }, options.threads) {
        if (parent) {
            parent_record = snapshot::parent_record(*parent, final_path);
            parent_pages.emplace(parent->top().page_index());
        }
        file.emplace(temp_path); // last: a throw before this leaves no file
        file->append(std::array<std::byte, kHeaderSize>{}); // the header's place, filled by commit
    }

    ~State() {
        file.reset(); // stops writing before the file is removed
        if (!committed) {
            std::error_code ignored;
            std::filesystem::remove(temp_path, ignored);
        }
    }

    void append(std::span<const std::byte> bytes) { file->append(bytes); }

    // Copies each member's image file to the end of this one, and records where it went.
    SectionEntry append_members(std::span<const Member> members,
                                std::vector<TreeMemberRecord> &records) {
        constexpr size_t kChunk = 1 << 20;
        SectionEntry entry{SectionKind::member_images, file->size(), 0, 0};
        AlignedBuffer buffer = aligned_buffer(read_buffer_size(kChunk));
        for (size_t i = 0; i < members.size(); i++) {
            ReadOnlyFile image(members[i].image);
            records[i].image_offset = file->size();
            records[i].image_size = image.size();
            for (uint64_t at = 0; at < image.size(); at += kChunk)
                append(image.read(at, std::min<uint64_t>(kChunk, image.size() - at), buffer.get()));
        }
        entry.size = file->size() - entry.offset;
        return entry;
    }

    SectionEntry append_section(SectionKind kind, std::span<const std::byte> bytes) {
        SectionEntry entry{kind, file->size(), bytes.size(), section_checksum(kind, bytes)};
        append(bytes);
        return entry;
    }

    void check_new_region(size_t index, uint64_t address, uint64_t size) const {
        if (committed)
            throw std::logic_error("a region added after commit");
        if (size == 0 || size % kPageSize != 0 || address % kPageSize != 0)
            throw std::invalid_argument(fmt::format(
                "region {}: {} bytes at {:#x} are not whole pages", index, size, address));
        if (regions.contains(index))
            throw std::invalid_argument(fmt::format("region {} added twice", index));
    }

    void finish_region(size_t index, RegionPages region_pages, uint64_t size) {
        done += size;
        report(0);
        regions.emplace(index, std::move(region_pages));
    }

    void report(uint64_t region_done) const {
        if (options.progress)
            options.progress(done + region_done, options.total_bytes);
    }

    // The index of the regions `metadata` lists, checked as a reader will check it.
    PageIndex page_index_for(const ImageMetadata &metadata) {
        if (!regions.empty() && regions.rbegin()->first >= metadata.regions.size())
            throw std::invalid_argument(
                fmt::format("pages were added for region {}, the metadata has {} regions",
                            regions.rbegin()->first, metadata.regions.size()));
        PageIndex index{kPageSize, pages.blocks(), {}};
        for (size_t i = 0; i < metadata.regions.size(); i++) {
            auto added = regions.extract(i);
            index.regions.push_back(added ? std::move(added.mapped())
                                          : RegionPages{metadata.regions[i].address, {}});
        }
        check_page_index(index, metadata, file->size() - kHeaderSize, final_path.string());
        return index;
    }

    // Puts the header in place and makes the complete temporary file the image, durably.
    void publish(std::span<const std::byte> header) {
        file->finish(header);
        file.reset();
        std::error_code error;
        std::filesystem::rename(temp_path, final_path, error);
        if (error)
            throw image_error(final_path.string(), "cannot rename {} to it: {}",
                              temp_path.string(), error.message());
        committed = true;
        sync_directory(directory_of(final_path));
    }

    std::filesystem::path final_path, temp_path;
    WriteOptions options;
    std::optional<ParentImage> parent_record;
    std::optional<ParentPages> parent_pages;
    std::optional<FileAppender> file;
    bool committed = false;
    uint64_t done = 0;          // bytes of the regions added so far
    PageStoreWriter pages;
    std::map<size_t, RegionPages> regions; // by metadata region index
};

ImageWriter::ImageWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ImageWriter::ImageWriter(ImageWriter &&) noexcept = default;
ImageWriter &ImageWriter::operator=(ImageWriter &&) noexcept = default;
ImageWriter::~ImageWriter() = default;

ImageWriter ImageWriter::create(const std::filesystem::path &final_path, const ImageChain *parent,
                                WriteOptions options) {
    return ImageWriter(std::make_unique<State>(final_path, parent, std::move(options)));
}

void ImageWriter::add_region_pages(size_t region_index, std::span<const std::byte> memory,
                                   uint64_t readable, std::optional<WrittenPages> written) {
    auto &state = *state_;
    auto address = reinterpret_cast<uint64_t>(memory.data());
    state.check_new_region(region_index, address, memory.size());
    if (readable % kPageSize != 0 && readable != UINT64_MAX)
        throw std::logic_error("a region's readable part must be whole pages");
    auto parent = state.parent_pages ? &*state.parent_pages : nullptr;
    auto pages = state.pages.add_region(memory.first(std::min<uint64_t>(readable, memory.size())),
                                        parent,
                                        [&](uint64_t region_done) { state.report(region_done); },
                                        written);
    pages.pages.resize(memory.size() / kPageSize,
                       PageEntry{.location = PageLocation::zero, .hash = zero_page_hash()});
    state.finish_region(region_index, std::move(pages), memory.size());
}

void ImageWriter::add_zero_region(size_t region_index, uint64_t address, uint64_t size) {
    auto &state = *state_;
    state.check_new_region(region_index, address, size);
    PageEntry zero{.location = PageLocation::zero, .hash = zero_page_hash()};
    state.finish_region(region_index,
                        RegionPages{address, PageEntries(size / kPageSize, zero)}, size);
}

ImageId ImageWriter::commit(ImageMetadata metadata, std::span<const Member> members) {
    auto &state = *state_;
    if (state.committed)
        throw std::logic_error("commit called twice");
    metadata.schema_version = kSchemaVersion;
    metadata.image_id = random_image_id();
    metadata.parent = state.parent_record;
    metadata.created_unix_ns = unix_time_ns();
    metadata.tree_members.clear();
    for (const auto &member : members)
        metadata.tree_members.push_back({member.process_id, member.parent_id, 0, 0});
    check_metadata(metadata, state.final_path.string());
    auto index = state.page_index_for(metadata);
    std::vector<SectionEntry> sections{{SectionKind::page_blocks, kHeaderSize,
                                        state.file->size() - kHeaderSize,
                                        section_checksum(SectionKind::page_blocks, {})}};
    sections.push_back(state.append_members(members, metadata.tree_members));
    sections.push_back(
        state.append_section(SectionKind::page_index, compress_section(encode_index(index))));
    sections.push_back(state.append_section(SectionKind::metadata, encode_record(metadata)));
    auto table = encode_section_table(sections);
    uint64_t table_offset = state.file->size();
    state.append(table);
    state.publish(encode_header(table_offset, static_cast<uint32_t>(sections.size()), table));
    return metadata.image_id;
}

} // namespace bsc::snapshot
