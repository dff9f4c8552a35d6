// SPDX-License-Identifier: MIT
// xxh3-64, the one hash of the image format: section checksums and page content hashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct XXH3_state_s;

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes);

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

// The xxh3-64 of bytes that arrive in pieces, equal to xxh3() of them all at once.
class RunningXxh3 {
public:
    RunningXxh3();
    ~RunningXxh3();
    RunningXxh3(RunningXxh3 &&) noexcept;
    RunningXxh3 &operator=(RunningXxh3 &&) noexcept;
    void update(std::span<const std::byte> bytes);
    uint64_t value() const;

private:
    struct FreeState {
        void operator()(XXH3_state_s *state) const;
    };
    std::unique_ptr<XXH3_state_s, FreeState> state_;
};

} // namespace bsc::snapshot
