// SPDX-License-Identifier: MIT
// What a downcall read and wrote through its pointers, found from its parameter roles
// (abi/bascule_roles.h): record saves the writes and a hash of the reads; replay writes
// the same bytes back and compares the hash.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include "bascule_roles.h"
#include "trace_events.h"

namespace bsc::replay {

using CallArgs = std::array<uint64_t, 6>;

// Guest memory is mapped, and mapped content stored, in pages of this size.
inline constexpr uint64_t kPage = 4096;
constexpr uint64_t page_up(uint64_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

// A downcall's argument as the trace keeps it: an integer, or a pointer's address.
template <class T> uint64_t arg_bits(T value) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<uint64_t>(value);
    else
        return static_cast<uint64_t>(value);
}

// xxh3 over every byte the call reads through its pointers (strings, structures, buffers,
// in-out values before the call); an unreadable pointer counts as its address.
uint64_t input_hash(const bsc_call_roles &call, const CallArgs &args);

// What a person wants to see of the call's inputs in dumps and reports: the strings it
// reads (with their NUL), and its in-out values as they were before it.
std::vector<MemoryWrite> shown_inputs(const bsc_call_roles &call, const CallArgs &args);

// The bytes the call wrote, read after it returned: its outputs, sized by its roles and
// by what it reported (a read's `done`), and for a call that maps a stream, the mapping's
// readable content.
std::vector<MemoryWrite> output_writes(const bsc_call_roles &call, const CallArgs &args);

// Writes them back for a call made with `args` (recorded with `recorded`): false if one
// cannot be written. A write kept with no bytes gets `out_of_line`, the bytes the call's
// content names (replay/trace_file.h: stream bytes kept out of line).
bool apply_writes(const std::vector<MemoryWrite> &writes, const CallArgs &recorded,
                  const CallArgs &args, std::span<const std::byte> out_of_line = {});

// The integer (a handle, or a uint64_t) a recorded call wrote where its parameter `param`
// pointed, or 0.
uint64_t recorded_value(const CallEvent &call, uint8_t param);

// xxh3-64 of `size` bytes of guest memory at `address`, read a piece at a time (nothing is
// allocated), or nothing if a byte of them cannot be read.
std::optional<uint64_t> hash_guest_bytes(uint64_t address, uint64_t size);

// The readable bytes of guest memory from `address`, up to `size`: a page that cannot be
// read ends them (a mapping past the end of its file, or one without PROT_READ).
std::vector<uint8_t> readable_prefix(uint64_t address, uint64_t size);

} // namespace bsc::replay
