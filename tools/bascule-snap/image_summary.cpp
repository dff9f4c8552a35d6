// SPDX-License-Identifier: MIT
#include "image_summary.h"

#include <fmt/core.h>

#include "bascule.h"

namespace bsc::snap {

std::optional<snapshot::ImageChain> open_chain(const std::string &path) {
    try {
        return snapshot::ImageChain::open(path);
    } catch (const snapshot::ImageError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return std::nullopt;
    }
}

std::vector<snapshot::ImageChain> member_chains(const snapshot::ImageChain &first) {
    std::vector<snapshot::ImageChain> members;
    for (const auto &member : first.top().metadata().tree_members)
        members.push_back(snapshot::ImageChain::from_images({first.top().open_member(member)}));
    return members;
}

std::string protection_text(uint32_t protection) {
    return {protection & BSC_PROT_READ ? 'r' : '-', protection & BSC_PROT_WRITE ? 'w' : '-',
            protection & BSC_PROT_EXEC ? 'x' : '-'};
}

} // namespace bsc::snap
