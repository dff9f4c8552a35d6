// SPDX-License-Identifier: MIT
// `bascule-snap verify IMAGE`: every check a restore makes before it touches anything
// (container, section checksums, metadata, page index, the parent chain), and then every
// page decompressed and checked against its hash. Exit status 0 only if all hold.
#include <vector>

#include <fmt/core.h>

#include "commands.h"
#include "image_summary.h"

namespace bsc::snap {

int verify_command(const std::string &image) {
    auto chain = open_chain(image);
    if (!chain)
        return kExitFailed;
    const auto &regions = chain->top().metadata().regions;
    uint64_t pages = 0;
    try {
        std::vector<std::byte> buffer;
        for (size_t i = 0; i < regions.size(); i++) {
            if (regions[i].contents != snapshot::RegionContents::pages_in_image)
                continue;
            buffer.resize(regions[i].size);
            chain->read_region_pages(i, buffer);
            pages += regions[i].size / 4096;
        }
    } catch (const snapshot::ImageError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    fmt::print("{}: ok ({} image(s) in the chain, {} regions, {} pages checked)\n", image,
               chain->images().size(), regions.size(), pages);
    return 0;
}

} // namespace bsc::snap
