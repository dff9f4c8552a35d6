// SPDX-License-Identifier: MIT
// The Cereal encoding of the image's records: portable binary, little-endian on every host,
// written and read by archives of our own that go straight to and from memory, with a
// decoder that refuses lengths the input cannot hold.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <cereal/cereal.hpp>

namespace bsc::snapshot {

// The first byte of every record: what cereal::PortableBinaryOutputArchive writes for
// little-endian data.
inline constexpr std::byte kLittleEndianMark{1};

// Turns `count` elements of `element_size` bytes between little-endian and the host's order.
inline void swap_to_little_endian(std::byte *data, size_t count, size_t element_size) {
    if constexpr (std::endian::native == std::endian::big)
        for (size_t i = 0; i < count; i++)
            std::reverse(data + i * element_size, data + (i + 1) * element_size);
}

// Writes what cereal::PortableBinaryOutputArchive writes in little-endian mode. Cereal's
// own archive writes each field through a stream, and the page index has an entry for
// every page: encoding a 1 GiB image's index took 12 ms that way.
class LittleEndianOutputArchive
    : public cereal::OutputArchive<LittleEndianOutputArchive, cereal::AllowEmptyClassElision> {
public:
    // `reused`: a buffer whose memory the encoding takes over (its bytes are dropped).
    explicit LittleEndianOutputArchive(std::vector<std::byte> reused = {})
        : OutputArchive(this), bytes_(std::move(reused)) {
        bytes_.assign(1, kLittleEndianMark);
    }

    template <std::streamsize ElementSize> void saveBinary(const void *data, std::streamsize size) {
        if (size == 0) // an empty vector's data may be null, which memcpy must not get
            return;
        size_t at = bytes_.size();
        bytes_.resize(at + static_cast<size_t>(size));
        std::memcpy(bytes_.data() + at, data, static_cast<size_t>(size));
        swap_to_little_endian(bytes_.data() + at, static_cast<size_t>(size) / ElementSize,
                              ElementSize);
    }

    std::vector<std::byte> take() && { return std::move(bytes_); }

private:
    std::vector<std::byte> bytes_;
};

// Reads what LittleEndianOutputArchive writes, from memory. Cereal's own input archive
// sizes a vector or string from its stored length before reading a byte of it, so one
// corrupt length could allocate gigabytes; this one first checks that the length fits in
// what is left of the input (every element takes at least one byte), and refuses a bool
// that is neither 0 nor 1.
class BoundedInputArchive
    : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
public:
    explicit BoundedInputArchive(std::span<const std::byte> bytes)
        : InputArchive(this), bytes_(bytes) {
        std::byte mark;
        loadBinary<1>(&mark, 1);
        if (mark != kLittleEndianMark)
            throw cereal::Exception("a byte-order mark of " +
                                    std::to_string(std::to_integer<int>(mark)) +
                                    ", not 1 (little-endian)");
    }

    template <std::streamsize ElementSize> void loadBinary(void *data, std::streamsize size) {
        auto wanted = static_cast<size_t>(size);
        if (wanted > bytes_.size())
            throw cereal::Exception("the record needs " + std::to_string(wanted) +
                                    " more bytes, " + std::to_string(bytes_.size()) +
                                    " are left");
        if (wanted == 0) // as above
            return;
        std::memcpy(data, bytes_.data(), wanted);
        swap_to_little_endian(static_cast<std::byte *>(data), wanted / ElementSize, ElementSize);
        bytes_ = bytes_.subspan(wanted);
    }

    void check_length(uint64_t count) const {
        if (count > bytes_.size())
            throw cereal::Exception("a stored length of " + std::to_string(count) +
                                    " exceeds the " + std::to_string(bytes_.size()) +
                                    " bytes left");
    }

    uint64_t remaining() const { return bytes_.size(); }

private:
    std::span<const std::byte> bytes_; // what is left to read
};

template <class T>
    requires std::is_arithmetic_v<T>
void CEREAL_SAVE_FUNCTION_NAME(LittleEndianOutputArchive &archive, const T &value) {
    archive.saveBinary<sizeof(T)>(&value, sizeof(T));
}

template <class T>
    requires std::is_arithmetic_v<T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, T &value) {
    archive.loadBinary<sizeof(T)>(&value, sizeof(T));
}

inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, bool &value) {
    uint8_t byte;
    archive.loadBinary<1>(&byte, 1);
    if (byte > 1)
        throw cereal::Exception("a bool stored as " + std::to_string(byte));
    value = byte == 1;
}

// Optional and map items come wrapped in name-value pairs; a binary archive keeps the value.
template <class T>
void CEREAL_SAVE_FUNCTION_NAME(LittleEndianOutputArchive &archive,
                               const cereal::NameValuePair<T> &pair) {
    archive(pair.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::NameValuePair<T> &pair) {
    archive(pair.value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(LittleEndianOutputArchive &archive,
                               const cereal::SizeTag<T> &tag) {
    archive(tag.size);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::SizeTag<T> &tag) {
    archive(tag.size);
    archive.check_length(tag.size);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(LittleEndianOutputArchive &archive,
                               const cereal::BinaryData<T> &data) {
    archive.saveBinary<sizeof(std::remove_pointer_t<T>)>(data.data,
                                                         static_cast<std::streamsize>(data.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::BinaryData<T> &data) {
    archive.loadBinary<sizeof(std::remove_pointer_t<T>)>(data.data,
                                                         static_cast<std::streamsize>(data.size));
}

// The encoding of `record`, little-endian whatever the host.
template <class Record> std::vector<std::byte> encode_record(const Record &record) {
    LittleEndianOutputArchive archive;
    archive(record);
    return std::move(archive).take();
}

// The same into `out`, whose memory is reused: a writer of many records keeps one buffer
// rather than growing a fresh one (and faulting in its pages) for each.
template <class Record> void encode_record(const Record &record, std::vector<std::byte> &out) {
    LittleEndianOutputArchive archive(std::move(out));
    archive(record);
    out = std::move(archive).take();
}

// What decode_record does with bytes after the record.
enum class Trailing { refused, ignored };

// Decodes the record at the start of `bytes`; throws cereal::Exception if they do not hold
// one, or hold more and `trailing` refuses that.
template <class Record>
Record decode_record(std::span<const std::byte> bytes, Trailing trailing = Trailing::refused) {
    BoundedInputArchive archive(bytes);
    Record record;
    archive(record);
    if (trailing == Trailing::refused && archive.remaining() != 0)
        throw cereal::Exception(std::to_string(archive.remaining()) +
                                " bytes follow the record");
    return record;
}

} // namespace bsc::snapshot

// Enums are stored as their underlying integers through Cereal's minimal save and load,
// which pair an input archive with the output archive it reads.
namespace cereal::traits::detail {
template <> struct get_output_from_input<bsc::snapshot::BoundedInputArchive> {
    using type = bsc::snapshot::LittleEndianOutputArchive;
};
} // namespace cereal::traits::detail
