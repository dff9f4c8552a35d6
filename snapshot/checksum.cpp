// SPDX-License-Identifier: MIT
// xxh3-64 through libxxhash.
#include "checksum.h"

#include <xxhash.h>

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

} // namespace bsc::snapshot
