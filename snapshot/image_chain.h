// SPDX-License-Identifier: MIT
// An image with the chain of parents it was written against: what a restore reads pages
// from, and what an incremental capture compares against.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <span>
#include <vector>

#include "image_reader.h"

namespace bsc::snapshot {

class ImageChain {
public:
    // Opens the image at `path` and each parent it names in turn (a relative parent path is
    // taken from the child's directory). Throws ImageError for a missing parent, a parent
    // that is not the image the child was written against, or a cycle.
    static ImageChain open(const std::filesystem::path &path, ReadOptions options = {});
    // A chain of images already open, child first. Throws ImageError unless each names the
    // next as its parent and the last has none.
    static ImageChain from_images(std::vector<ImageReader> images, ReadOptions options = {});

    const ImageReader &top() const { return images_.front(); }
    std::span<const ImageReader> images() const { return images_; }

    // Where a region's pages go: the top image's region `region_index`, one with contents
    // pages_in_image, from its page `first_page` on, for as many whole pages as
    // `destination` holds (the whole region, or a part: a lazy restore's).
    struct RegionTarget {
        size_t region_index;
        std::span<std::byte> destination;
        uint64_t first_page = 0;
    };
    // Fills each target with its region's pages, taking each page from the image of the
    // chain that holds it, all targets in one pass over each image's blocks (a restore
    // fills every region at once). Throws ImageError for a page that cannot be read. With
    // Destination::zeroed (fresh memory), zero pages are not written at all, so a large
    // region that is mostly zeros costs nothing to restore. `progress`, if given, is
    // told the bytes of pages written so far and in all, on the calling thread.
    enum class Destination { any, zeroed };
    using Progress = std::function<void(uint64_t done, uint64_t total)>;
    void read_regions(std::span<const RegionTarget> targets,
                      Destination state = Destination::any,
                      const Progress &progress = {}) const;
    void read_region_pages(size_t region_index, std::span<std::byte> destination,
                           Destination state = Destination::any) const {
        RegionTarget target{region_index, destination};
        read_regions({&target, 1}, state);
    }

private:
    ImageChain(std::vector<ImageReader> images, ReadOptions options);

    std::vector<ImageReader> images_; // top first
    ReadOptions options_;
};

} // namespace bsc::snapshot
