// SPDX-License-Identifier: MIT
// One image, opened and checked: its metadata, its page index, and access to its pages.
// ImageChain (image_chain.h) reads pages through an image's parents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "block_reading.h"
#include "file_io.h"
#include "image_format.h"
#include "image_schema.h"
#include "page_index.h"

namespace bsc::snapshot {

// When a reader checks the page blocks against their checksums.
enum class BlockChecks {
    // All of them before the image is opened: a corrupt image is refused before anything
    // is read from it, at the cost of reading all of it.
    at_open,
    // Each block as its pages are read, before they are returned: a restore, which reads
    // every page once, reads the image once (README.md).
    as_read,
};

struct ReadOptions {
    unsigned threads = 0; // decompression threads; 0: one per core
    BlockChecks block_checks = BlockChecks::at_open;
    // Whether each page read is checked against the hash the index records for it. The
    // block checksums cover the bytes as the writer wrote them; only this catches a writer
    // that recorded a wrong hash, which would mislead incremental captures and diff. A
    // restore trusts the writer and skips it (a tenth of its CPU time); verify checks.
    bool check_page_hashes = true;
    // How pages reach their targets; empty: they are copied (block_reading.h).
    PageWriter write_pages{};
};

// A page to fill: its guest address, where its contents go, and the hash they must have.
struct PageRequest {
    uint64_t address;
    std::byte *target;
    uint64_t hash;
};

// The metadata of an image file, its container and metadata checked as ImageReader::open
// checks them; the page index is neither read nor checked, nor is the parent chain.
// For a caller that needs the metadata before it opens the image whole (a restore, which
// builds the recorded extension stack first).
ImageMetadata read_image_metadata(const std::filesystem::path &path);

class ImageReader {
public:
    // Opens and checks an image file: container, checksums, metadata, page index, and the
    // page blocks as `options` says. Throws ImageError naming the file and what is wrong;
    // what it returns is consistent.
    static ImageReader open(const std::filesystem::path &path, const ReadOptions &options = {});
    // The same checks on an image already in memory; `bytes` must outlive the reader.
    // `name` stands for the file in messages.
    static ImageReader open_bytes(std::span<const std::byte> bytes, std::string name,
                                  const ReadOptions &options = {});

    // The image of member `member` of the tree whose first process this image is, from
    // the same file (or bytes), checked as open checks an image.
    ImageReader open_member(const TreeMemberRecord &member, const ReadOptions &options = {}) const;
    // The metadata of member `member`, checked as read_image_metadata checks a file's; its
    // page index is neither read nor checked (open_member does both).
    ImageMetadata member_metadata(const TreeMemberRecord &member) const;

    const std::string &name() const { return name_; }
    const std::filesystem::path &path() const { return path_; } // empty from open_bytes
    const ImageMetadata &metadata() const { return metadata_; }
    const PageIndex &page_index() const { return index_; }

    RegionStats region_stats(size_t region) const;
    // The content hash of each page of a region, in address order (empty for a region
    // whose contents are not in the image).
    std::vector<uint64_t> page_hashes(size_t region) const;

    // Fills the requested pages this image holds, checked as `options` says, telling
    // `written` (if given) as it goes; returns those it says are in its parent. Throws
    // ImageError for a page it has no entry for, or a block or page that fails its check.
    std::vector<PageRequest> fill_pages(std::span<const PageRequest> requests,
                                        const ReadOptions &options,
                                        const PagesWritten &written = {}) const;

    // Gives the pages this image leaves to its parent the hashes the parent has for them
    // (the index does not repeat them); `parent` has its own already. ImageChain calls it.
    // Throws ImageError for such a page the parent has no entry for.
    void take_parent_hashes(const ImageReader &parent);

private:
    ImageReader(std::string name, std::filesystem::path path,
                std::shared_ptr<ImageSource> source, const ReadOptions &options);
    BlockSource blocks() const;
    std::string member_name(const TreeMemberRecord &member) const;
    std::shared_ptr<ImageSource> member_source(const TreeMemberRecord &member) const;

    std::string name_;
    std::filesystem::path path_;
    std::shared_ptr<ImageSource> source_; // the file, or the bytes open_bytes was given
    Sections sections_;
    ImageMetadata metadata_;
    PageIndex index_;
    PageLocator locator_;
};

} // namespace bsc::snapshot
