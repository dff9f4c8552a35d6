// SPDX-License-Identifier: MIT
// xxh3-64 through libxxhash.
#include "checksum.h"

#include <xxhash.h>

#include <array>

#include "image_schema.h"

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::span<const std::byte> zero_page() {
    static constexpr std::array<std::byte, kPageSize> page{};
    return page;
}

uint64_t zero_page_hash() {
    static const uint64_t hash = xxh3(zero_page());
    return hash;
}

} // namespace bsc::snapshot
