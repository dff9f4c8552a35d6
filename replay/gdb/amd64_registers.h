// SPDX-License-Identifier: MIT
// A thread's registers as gdb reads them from an x86-64 Linux target: the target
// description (gdb's manual, "Target Descriptions": the features core, sse, linux,
// segments and avx, with gdb's own register names, so that gdb recognises an amd64 Linux
// target and finds the program's shared libraries) and the `g` packet's bytes in its order.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bascule.h"

namespace bsc::gdb {

// The target description gdb asks for as "target.xml".
std::string_view amd64_target_description();

// The `g` reply's bytes for a thread: its integer registers from `context`; x87, SSE and
// the AVX upper halves from `xstate`, the XSAVE (or FXSAVE, 512 bytes) image its context
// names (empty: the registers' initial values); gs_base, which the context does not hold.
std::vector<uint8_t> amd64_registers(const bsc_cpu_context &context,
                                     std::span<const uint8_t> xstate, uint64_t gs_base);

// Where rip, eflags and fs_base are in those bytes (tests, and anyone patching a stop's pc).
inline constexpr size_t kAmd64RipOffset = 16 * 8;
inline constexpr size_t kAmd64EflagsOffset = kAmd64RipOffset + 8;
inline constexpr size_t kAmd64FsBaseOffset = 544;

// The context with what gdb changed in a `G` packet's bytes (`wanted`, against `now`, what
// amd64_registers gave for `context`): the integer registers, rip, eflags and fs_base.
// Nothing if it changed another register (x87, SSE, AVX, segments, gs_base) or the sizes
// differ.
std::optional<bsc_cpu_context> amd64_changed_context(const bsc_cpu_context &context,
                                                     std::span<const uint8_t> now,
                                                     std::span<const uint8_t> wanted);

} // namespace bsc::gdb
