// SPDX-License-Identifier: MIT
// The guest memory window: one reserved range far from where the kernel places the
// runtime's own mappings, so a restore in a fresh process finds every address free.
#pragma once

#include <cstdint>

namespace bsc::host {

// 16 TiB at 32 TiB: above PIE executables and their heap (0x55..-0x56.. TiB region is
// 85 TiB up), below the mmap base near the top of the 47-bit space.
inline constexpr uint64_t kWindowBase = 0x200000000000ull;
inline constexpr uint64_t kWindowSize = 0x100000000000ull;

// The first bytes of the window hold the host-provided entry page (the gates the guest
// calls through); vm_alloc never hands them out.
inline constexpr uint64_t kEntryAreaSize = 0x10000ull;

inline bool in_window(uint64_t addr, uint64_t size) {
    return addr >= kWindowBase && size <= kWindowSize && addr - kWindowBase <= kWindowSize - size;
}

} // namespace bsc::host
