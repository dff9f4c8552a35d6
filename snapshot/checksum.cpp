// SPDX-License-Identifier: MIT
// xxh3-64 through libxxhash.
#include "checksum.h"

#include <xxhash.h>

#include <array>
#include <new>

#include "image_schema.h"

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

Xxh3Stream::Xxh3Stream() : state_(XXH3_createState()) {
    if (!state_)
        throw std::bad_alloc();
    XXH3_64bits_reset(static_cast<XXH3_state_t *>(state_));
}

Xxh3Stream::~Xxh3Stream() { XXH3_freeState(static_cast<XXH3_state_t *>(state_)); }

void Xxh3Stream::update(std::span<const std::byte> bytes) {
    XXH3_64bits_update(static_cast<XXH3_state_t *>(state_), bytes.data(), bytes.size());
}

uint64_t Xxh3Stream::digest() const {
    return XXH3_64bits_digest(static_cast<const XXH3_state_t *>(state_));
}

std::span<const std::byte> zero_page() {
    static constexpr std::array<std::byte, kPageSize> page{};
    return page;
}

uint64_t zero_page_hash() {
    static const uint64_t hash = xxh3(zero_page());
    return hash;
}

} // namespace bsc::snapshot
