// SPDX-License-Identifier: MIT
#include "remote_packets.h"

#include <fmt/core.h>

namespace bsc::gdb {
namespace {

constexpr char kInterrupt = 0x03;
constexpr char kEscape = '}';
constexpr uint8_t kEscapeXor = 0x20;

std::optional<uint8_t> hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return static_cast<uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f')
        return static_cast<uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return static_cast<uint8_t>(c - 'A' + 10);
    return std::nullopt;
}

bool needs_escape(char c) { return c == '$' || c == '#' || c == kEscape || c == '*'; }

} // namespace

void PacketDecoder::start_packet() {
    state_ = State::data;
    data_.clear();
    sum_ = 0;
    too_long_ = false;
}

void PacketDecoder::take_data_byte(char byte, std::vector<Incoming> &out) {
    if (byte == '$') { // an unescaped '$' only starts a packet: the one before was cut
        out.emplace_back(BadPacket{"a packet was cut short by the next one", true});
        return start_packet();
    }
    if (byte == '#' && state_ == State::data) {
        state_ = State::checksum_high;
        return;
    }
    sum_ = static_cast<uint8_t>(sum_ + static_cast<uint8_t>(byte));
    if (state_ == State::data && byte == kEscape) {
        state_ = State::escaped;
        return;
    }
    char value = state_ == State::escaped ? static_cast<char>(byte ^ kEscapeXor) : byte;
    state_ = State::data;
    if (data_.size() == kMaxPacketData)
        too_long_ = true;
    else
        data_.push_back(value);
}

void PacketDecoder::end_packet(std::vector<Incoming> &out) {
    state_ = State::between;
    auto high = hex_digit(checksum_[0]), low = hex_digit(checksum_[1]);
    // (emplace_back, each variant made in place: GCC 12 warns, wrongly, that a pushed
    // temporary one may be used uninitialised.)
    if (!high || !low)
        return void(out.emplace_back(BadPacket{
            fmt::format("the checksum '{}{}' is not two hex digits", checksum_[0], checksum_[1]),
            false}));
    if (too_long_)
        return void(out.emplace_back(
            BadPacket{fmt::format("a packet longer than {} bytes", kMaxPacketData), false}));
    if (static_cast<uint8_t>(*high << 4 | *low) != sum_)
        return void(
            out.emplace_back(BadPacket{"a packet's checksum does not match its bytes", true}));
    out.emplace_back(Packet{std::move(data_)});
    data_.clear();
}

std::vector<Incoming> PacketDecoder::feed(std::string_view bytes) {
    std::vector<Incoming> out;
    for (char byte : bytes) {
        switch (state_) {
        case State::between:
            if (byte == '$')
                start_packet();
            else if (byte == '+' || byte == '-')
                out.emplace_back(Ack{byte == '+'});
            else if (byte == kInterrupt)
                out.emplace_back(Interrupt{});
            break; // anything else between packets is line noise
        case State::data:
        case State::escaped: take_data_byte(byte, out); break;
        case State::checksum_high:
            checksum_[0] = byte;
            state_ = State::checksum_low;
            break;
        case State::checksum_low:
            checksum_[1] = byte;
            end_packet(out);
            break;
        }
    }
    return out;
}

std::string encode_packet(std::string_view data) {
    std::string packet = "$";
    uint8_t sum = 0;
    auto put = [&](char c) {
        packet.push_back(c);
        sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    };
    for (char c : data) {
        if (needs_escape(c)) {
            put(kEscape);
            put(static_cast<char>(c ^ kEscapeXor));
        } else {
            put(c);
        }
    }
    return packet + fmt::format("#{:02x}", sum);
}

std::string to_hex(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (uint8_t b : bytes) {
        text.push_back(kDigits[b >> 4]);
        text.push_back(kDigits[b & 0xf]);
    }
    return text;
}

std::string to_hex(std::string_view bytes) {
    return to_hex(std::span(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view text) {
    if (text.size() % 2)
        return std::nullopt;
    std::vector<uint8_t> bytes;
    bytes.reserve(text.size() / 2);
    for (size_t i = 0; i < text.size(); i += 2) {
        auto high = hex_digit(text[i]), low = hex_digit(text[i + 1]);
        if (!high || !low)
            return std::nullopt;
        bytes.push_back(static_cast<uint8_t>(*high << 4 | *low));
    }
    return bytes;
}

std::optional<uint64_t> parse_hex_number(std::string_view text) {
    if (text.empty() || text.size() > 16)
        return std::nullopt;
    uint64_t value = 0;
    for (char c : text) {
        auto digit = hex_digit(c);
        if (!digit)
            return std::nullopt;
        value = value << 4 | *digit;
    }
    return value;
}

std::string error_reply(uint8_t code) { return fmt::format("E{:02x}", code); }

} // namespace bsc::gdb
