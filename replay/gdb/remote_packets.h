// SPDX-License-Identifier: MIT
// The framing of gdb's remote serial protocol (gdb's manual, "Remote Protocol",
// "Overview"): a packet is `$DATA#CS`, CS the two hex digits of the sum modulo 256 of the
// bytes between `$` and `#` as sent; the receiver answers `+`, or `-` to have it sent
// again (until both sides agree on QStartNoAckMode). In DATA, `}` escapes the next byte
// (sent XOR 0x20): `$`, `#`, `}` and `*` are always escaped. A lone 0x03 outside a packet
// is gdb's interrupt (Ctrl-C). Replies may use run-length encoding; this side never does,
// and gdb's packets never use it, so `*` is only ever escaped data here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bsc::gdb {

// The longest packet accepted, as the server's qSupported reply announces (PacketSize).
inline constexpr size_t kMaxPacketData = 16384;

// What the bytes from gdb held, in order.
struct Packet {
    std::string data; // unescaped
    bool operator==(const Packet &) const = default;
};
struct Interrupt {
    bool operator==(const Interrupt &) const = default;
};
struct Ack {
    bool positive; // '+', or '-': send the last reply again
    bool operator==(const Ack &) const = default;
};
// A packet that cannot be taken. `resend`: it was damaged on the way (its checksum does
// not match, a new `$` cut it): answer `-` and gdb sends it again. Otherwise (longer than
// kMaxPacketData, checksum digits that are not hex) sending it again would not help.
struct BadPacket {
    std::string reason;
    bool resend;
    bool operator==(const BadPacket &) const = default;
};
using Incoming = std::variant<Packet, Interrupt, Ack, BadPacket>;

// Splits the bytes gdb sends, in whatever pieces they arrive, into what they hold.
class PacketDecoder {
public:
    std::vector<Incoming> feed(std::string_view bytes);

private:
    enum class State { between, data, escaped, checksum_high, checksum_low };
    void start_packet();
    void take_data_byte(char byte, std::vector<Incoming> &out);
    void end_packet(std::vector<Incoming> &out);

    State state_ = State::between;
    std::string data_;
    uint8_t sum_ = 0;      // of the bytes as sent
    bool too_long_ = false;
    char checksum_[2] = {};
};

// `$DATA#CS`, DATA escaped.
std::string encode_packet(std::string_view data);

// Lower-case hex of `bytes`, two digits a byte (memory contents, register values).
std::string to_hex(std::span<const uint8_t> bytes);
std::string to_hex(std::string_view bytes);
// The bytes of a hex string of even length; nothing if a digit is not hex.
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);
// A number written in hex, most significant digit first (an address, a length, a thread
// id): 1 to 16 digits.
std::optional<uint64_t> parse_hex_number(std::string_view text);

// "Enn": an error reply with its code.
std::string error_reply(uint8_t code);

} // namespace bsc::gdb
