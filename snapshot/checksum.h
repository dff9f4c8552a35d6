// SPDX-License-Identifier: MIT
// xxh3-64, the one hash of the image format: section and block checksums, page hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes);

// xxh3-64 of bytes that come a part at a time (a file sent over a socket).
class Xxh3Stream {
public:
    Xxh3Stream();
    ~Xxh3Stream();
    Xxh3Stream(const Xxh3Stream &) = delete;
    Xxh3Stream &operator=(const Xxh3Stream &) = delete;
    void update(std::span<const std::byte> bytes);
    uint64_t digest() const;

private:
    void *state_; // libxxhash's XXH3_state_t
};

// An all-zero page, and its xxh3-64.
std::span<const std::byte> zero_page();
uint64_t zero_page_hash();

// Whether a stored checksum matches the computed one. A fuzzing build accepts any, so that
// the fuzzer gets past the checksums to the decoders behind them.
inline bool checksum_matches(uint64_t stored, uint64_t computed) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)stored, (void)computed;
    return true;
#else
    return stored == computed;
#endif
}

} // namespace bsc::snapshot
