// SPDX-License-Identifier: MIT
// Fixed-width fields of the image format, stored little-endian whatever the host.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

namespace bsc::snapshot {

template <std::unsigned_integral T> void put_le(std::span<std::byte> out, size_t at, T value) {
    for (size_t i = 0; i < sizeof(T); i++)
        out[at + i] = static_cast<std::byte>(value >> (8 * i));
}

template <std::unsigned_integral T> T get_le(std::span<const std::byte> in, size_t at) {
    T value = 0;
    for (size_t i = 0; i < sizeof(T); i++)
        value |= static_cast<T>(static_cast<T>(std::to_integer<uint8_t>(in[at + i])) << (8 * i));
    return value;
}

} // namespace bsc::snapshot
