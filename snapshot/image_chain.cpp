// SPDX-License-Identifier: MIT
// Following parents and reading pages through them.
#include "image_chain.h"

#include <set>
#include <stdexcept>

#include "image_error.h"
#include "page_store.h"

namespace bsc::snapshot {
namespace {

std::filesystem::path parent_path(const ImageReader &child, const ParentImage &parent) {
    std::filesystem::path recorded = parent.path;
    return recorded.is_absolute() ? recorded : child.path().parent_path() / recorded;
}

void check_link(const ImageReader &child, const ImageReader &parent) {
    const auto &recorded = child.metadata().parent;
    if (!recorded)
        throw image_error(child.name(), "is a full image, yet {} was given as its parent",
                          parent.name());
    if (recorded->image_id != parent.metadata().image_id)
        throw image_error(child.name(),
                          "its parent {} is image {}, not the image {} it was written against "
                          "(the parent was replaced)",
                          parent.name(), to_string(parent.metadata().image_id),
                          to_string(recorded->image_id));
}

} // namespace

ImageChain::ImageChain(std::vector<ImageReader> images, ReadOptions options)
    : images_(std::move(images)), options_(options) {}

ImageChain ImageChain::open(const std::filesystem::path &path, ReadOptions options) {
    std::vector<ImageReader> images;
    images.push_back(ImageReader::open(path, options)); // a list would copy the whole index
    std::set<std::filesystem::path> visited{std::filesystem::weakly_canonical(path)};
    while (const auto &parent = images.back().metadata().parent) {
        auto next = parent_path(images.back(), *parent);
        if (!std::filesystem::exists(next))
            throw image_error(images.back().name(), "its parent image {} is missing",
                              next.string());
        if (!visited.insert(std::filesystem::weakly_canonical(next)).second)
            throw image_error(images.back().name(),
                              "its parent chain comes back to {}: the chain is a cycle",
                              next.string());
        images.push_back(ImageReader::open(next, options));
    }
    return from_images(std::move(images), options);
}

ImageChain ImageChain::from_images(std::vector<ImageReader> images, ReadOptions options) {
    if (images.empty())
        throw std::invalid_argument("an image chain needs at least one image");
    for (size_t i = 0; i + 1 < images.size(); i++)
        check_link(images[i], images[i + 1]);
    if (const auto &parent = images.back().metadata().parent)
        throw image_error(images.back().name(),
                          "is an incremental image; its parent {} is needed to read it",
                          parent->path);
    for (size_t i = images.size() - 1; i-- > 0;) // from the full image up
        images[i].take_parent_hashes(images[i + 1]);
    return ImageChain(std::move(images), options);
}

void ImageChain::read_regions(std::span<const RegionTarget> targets, Destination state,
                              const Progress &progress) const {
    std::vector<PageRequest> requests;
    for (const auto &[index, destination, first_page] : targets) {
        const auto &region = top().metadata().regions.at(index);
        uint64_t region_pages = region.size / kPageSize, count = destination.size() / kPageSize;
        if (region.contents != RegionContents::pages_in_image ||
            destination.size() % kPageSize != 0 || first_page > region_pages ||
            count > region_pages - first_page)
            throw std::invalid_argument(fmt::format(
                "region {} of {} is {} bytes of {}; the destination is {} bytes from page {}",
                index, top().name(), region.size, to_string(region.contents),
                destination.size(), first_page));
        const auto &pages = top().page_index().regions[index].pages;
        for (uint64_t i = 0; i < count; i++) {
            const PageEntry &page = pages[first_page + i];
            if (state == Destination::any || page.hash != zero_page_hash())
                requests.push_back({region.address + (first_page + i) * kPageSize,
                                    destination.data() + i * kPageSize, page.hash});
        }
    }
    uint64_t total = requests.size() * kPageSize, done = 0;
    PagesWritten written;
    if (progress)
        written = [&](uint64_t pages) { progress(done += pages * kPageSize, total); };
    // Each image fills what it holds and passes the rest down; the last image has no
    // parent, so its index (checked at open) sends nothing further.
    for (const auto &image : images_)
        requests = image.fill_pages(requests, options_, written);
}

} // namespace bsc::snapshot
