// SPDX-License-Identifier: MIT
// Compressing a whole section into one LZ4 block behind its raw size.
#include "section_compression.h"

#include <cstdint>
#include <stdexcept>

#include <lz4.h>

#include "image_error.h"
#include "little_endian.h"

namespace bsc::snapshot {
namespace {

constexpr size_t kSizeField = sizeof(uint64_t);
// LZ4 expands at most 255 times (a match encodes at most 255 bytes per length byte), so
// a raw size beyond this is a lie, refused before anything is allocated.
constexpr uint64_t kMaxExpansion = 255;

} // namespace

std::vector<std::byte> compress_section(std::span<const std::byte> raw) {
    std::vector<std::byte> stored;
    compress_section(raw, stored);
    return stored;
}

void compress_section(std::span<const std::byte> raw, std::vector<std::byte> &stored) {
    if (raw.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        throw std::length_error("a section too large for one LZ4 block");
    auto raw_size = static_cast<int>(raw.size());
    stored.resize(kSizeField + static_cast<size_t>(LZ4_compressBound(raw_size)));
    put_le<uint64_t>(stored, 0, raw.size());
    int size = LZ4_compress_default(reinterpret_cast<const char *>(raw.data()),
                                    reinterpret_cast<char *>(stored.data() + kSizeField), raw_size,
                                    static_cast<int>(stored.size() - kSizeField));
    if (size <= 0 && raw_size > 0)
        throw std::logic_error("LZ4 could not compress a section");
    stored.resize(kSizeField + static_cast<size_t>(size));
}

namespace {

// Into `raw`, sized here: any vector of bytes.
template <class Bytes>
void decompress_into(std::span<const std::byte> stored, const std::string &name, Bytes &raw) {
    if (stored.size() < kSizeField)
        throw image_error(name, "its compressed page index is cut short");
    auto raw_size = get_le<uint64_t>(stored, 0);
    uint64_t body = stored.size() - kSizeField;
    if (raw_size > body * kMaxExpansion + 64 ||
        raw_size > static_cast<uint64_t>(LZ4_MAX_INPUT_SIZE))
        throw image_error(name, "its compressed page index claims {} bytes, more than its {} "
                                "stored bytes can hold",
                          raw_size, body);
    raw.resize(raw_size);
    int got = LZ4_decompress_safe(reinterpret_cast<const char *>(stored.data() + kSizeField),
                                  reinterpret_cast<char *>(raw.data()), static_cast<int>(body),
                                  static_cast<int>(raw_size));
    if (got < 0 || static_cast<uint64_t>(got) != raw_size)
        throw image_error(name, "its compressed page index does not decompress");
}

} // namespace

HugeBytes decompress_section(std::span<const std::byte> stored, const std::string &name) {
    HugeBytes raw;
    decompress_into(stored, name, raw);
    return raw;
}

void decompress_section(std::span<const std::byte> stored, const std::string &name,
                        std::vector<std::byte> &raw) {
    decompress_into(stored, name, raw);
}

} // namespace bsc::snapshot
