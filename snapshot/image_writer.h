// SPDX-License-Identifier: MIT
// Writes an image: region pages as the capture reads them from guest memory, then the
// metadata, all into a temporary file that becomes the image only once complete.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "image_chain.h"
#include "image_schema.h"
#include "page_store.h"

namespace bsc::snapshot {

struct WriteOptions {
    unsigned threads = 0; // compression threads; 0: one per core
    // Called as pages are written, with the bytes of region memory done so far and
    // total_bytes, which the caller sets to the sum of the sizes it will add.
    std::function<void(uint64_t done, uint64_t total)> progress;
    uint64_t total_bytes = 0;
};

class ImageWriter {
public:
    // Starts an image that becomes `final_path` at commit. With a parent chain (which must
    // outlive the writer), the image is incremental: it stores only the pages that differ
    // from the chain's. The bytes go to ".NAME.tmp-PID" beside final_path, created with
    // mode 0600; a writer destroyed without commit removes it, so an interrupted capture
    // never leaves a partial image under the final name.
    static ImageWriter create(const std::filesystem::path &final_path,
                              const ImageChain *parent = nullptr, WriteOptions options = {});
    ImageWriter(ImageWriter &&) noexcept;
    ImageWriter &operator=(ImageWriter &&) noexcept;
    ~ImageWriter();

    // Stores the pages of region `region_index` of the metadata commit will get: `memory`
    // is the region itself, at its guest address (the capture runs in the guest's process),
    // and must not change until this returns. Each region whose contents are
    // pages_in_image is added once; zero pages take no space. Only its first `readable`
    // bytes (whole pages; all by default) are read: the pages after them are zeros in the
    // image (a file mapping's pages past its file's end cannot be read). With `written`,
    // of an incremental image, the pages not written since the parent was read are the
    // parent's, taken without reading them.
    void add_region_pages(size_t region_index, std::span<const std::byte> memory,
                          uint64_t readable = UINT64_MAX,
                          std::optional<WrittenPages> written = std::nullopt);
    // Records region `region_index`, of `size` bytes at `address`, as all zero pages without
    // reading it: the caller knows it was never accessible, so never written.
    void add_zero_region(size_t region_index, uint64_t address, uint64_t size);

    // The image of another process of the guest's tree, to embed: an image file that
    // commit copies into this one (and leaves where it is), and where the process is in
    // the tree. Members come parents first.
    struct Member {
        std::filesystem::path image;
        uint64_t process_id = 0, parent_id = 0;
    };

    // Completes the image: writes the members' images, the page index, the metadata and
    // the section table, syncs, renames to the final path and syncs the directory. Sets
    // the metadata's schema_version, image_id (new and random), parent, created_unix_ns
    // and tree_members; the rest is the caller's. Returns the image id.
    ImageId commit(ImageMetadata metadata, std::span<const Member> members = {});

private:
    struct State;
    explicit ImageWriter(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

} // namespace bsc::snapshot
