// SPDX-License-Identifier: MIT
// The Cereal encoding of the image's records: portable binary, little-endian on every host,
// with a decoder that refuses lengths the input cannot hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <span>
#include <sstream>
#include <streambuf>
#include <string>
#include <type_traits>
#include <vector>

#include <cereal/archives/portable_binary.hpp>

namespace bsc::snapshot {

// Reads a span in place, so a decode copies nothing and can ask how much is left.
class SpanStreamBuffer : public std::streambuf {
public:
    explicit SpanStreamBuffer(std::span<const std::byte> bytes) {
        // streambuf wants mutable pointers; nothing here writes through them.
        auto *begin = const_cast<char *>(reinterpret_cast<const char *>(bytes.data()));
        setg(begin, begin, begin + bytes.size());
    }
    uint64_t remaining() const { return static_cast<uint64_t>(egptr() - gptr()); }
};

// Reads what cereal::PortableBinaryOutputArchive wrote. Cereal's own input archive sizes a
// vector or string from its stored length before reading a byte of it, so one corrupt
// length could allocate gigabytes; this one first checks that the length fits in what is
// left of the input (every element takes at least one byte), and refuses a bool that is
// neither 0 nor 1.
class BoundedInputArchive
    : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
public:
    explicit BoundedInputArchive(std::span<const std::byte> bytes)
        : InputArchive(this), buffer_(bytes), stream_(&buffer_), portable_(stream_) {}

    template <std::streamsize ElementSize> void loadBinary(void *data, std::streamsize size) {
        portable_.loadBinary<ElementSize>(data, size);
    }

    void check_length(uint64_t count) const {
        if (count > buffer_.remaining())
            throw cereal::Exception("a stored length of " + std::to_string(count) +
                                    " exceeds the " + std::to_string(buffer_.remaining()) +
                                    " bytes left");
    }

    uint64_t remaining() const { return buffer_.remaining(); }

private:
    SpanStreamBuffer buffer_;
    std::istream stream_;
    cereal::PortableBinaryInputArchive portable_; // reads the byte-order mark, swaps bytes
};

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
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::NameValuePair<T> &pair) {
    archive(pair.value);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::SizeTag<T> &tag) {
    archive(tag.size);
    archive.check_length(tag.size);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive &archive, cereal::BinaryData<T> &data) {
    archive.loadBinary<sizeof(std::remove_pointer_t<T>)>(data.data,
                                                         static_cast<std::streamsize>(data.size));
}

// The encoding of `record`, little-endian whatever the host.
template <class Record> std::vector<std::byte> encode_record(const Record &record) {
    std::ostringstream stream(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive archive(
            stream, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
        archive(record);
    }
    auto text = std::move(stream).str();
    auto *bytes = reinterpret_cast<const std::byte *>(text.data());
    return {bytes, bytes + text.size()};
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
    using type = cereal::PortableBinaryOutputArchive;
};
} // namespace cereal::traits::detail
