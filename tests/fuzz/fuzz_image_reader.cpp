// SPDX-License-Identifier: MIT
// libFuzzer target: whatever bytes the image reader gets, it refuses them with an
// ImageError or opens them (and a tree's members), and then reads every region's pages; any other outcome (a
// crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "image_chain.h"
#include "image_error.h"

namespace {

using namespace bsc::snapshot;

// Larger regions are not read: the fuzzer's memory limit is not the reader's business.
constexpr uint64_t kMaxRegionRead = 16 << 20;

void read_pages(const ImageChain &chain) {
    const auto &regions = chain.top().metadata().regions;
    for (size_t i = 0; i < regions.size(); i++) {
        chain.top().region_stats(i);
        chain.top().page_hashes(i);
        if (regions[i].contents != RegionContents::pages_in_image ||
            regions[i].size > kMaxRegionRead)
            continue;
        std::vector<std::byte> destination(regions[i].size);
        chain.read_region_pages(i, destination);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try {
        auto top = ImageReader::open_bytes({reinterpret_cast<const std::byte *>(data), size},
                                           "fuzz-input");
        for (const auto &member : top.metadata().tree_members)
            read_pages(ImageChain::from_images({top.open_member(member)}, {.threads = 1}));
        std::vector<ImageReader> images;
        images.push_back(std::move(top));
        read_pages(ImageChain::from_images(std::move(images), {.threads = 1}));
    } catch (const ImageError &) {
        // the usual outcome for mutated bytes
    }
    return 0;
}
