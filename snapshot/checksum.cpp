// SPDX-License-Identifier: MIT
// xxh3-64 through libxxhash.
#include "checksum.h"

#include <new>

#include <xxhash.h>

namespace bsc::snapshot {

uint64_t xxh3(std::span<const std::byte> bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

void RunningXxh3::FreeState::operator()(XXH3_state_s *state) const { XXH3_freeState(state); }

RunningXxh3::RunningXxh3() : state_(XXH3_createState()) {
    if (!state_)
        throw std::bad_alloc();
    XXH3_64bits_reset(state_.get());
}

RunningXxh3::~RunningXxh3() = default;
RunningXxh3::RunningXxh3(RunningXxh3 &&) noexcept = default;
RunningXxh3 &RunningXxh3::operator=(RunningXxh3 &&) noexcept = default;

void RunningXxh3::update(std::span<const std::byte> bytes) {
    XXH3_64bits_update(state_.get(), bytes.data(), bytes.size());
}

uint64_t RunningXxh3::value() const { return XXH3_64bits_digest(state_.get()); }

} // namespace bsc::snapshot
