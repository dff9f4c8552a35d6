// SPDX-License-Identifier: MIT
// gdb's remote protocol framing: packets in any pieces, checksums, escapes, acks,
// interrupts, and the damaged packets a debugger's connection can bring.
#include <catch2/catch.hpp>

#include "remote_packets.h"

using namespace bsc::gdb;

namespace {

Packet packet(std::string data) { return Packet{std::move(data)}; }

} // namespace

TEST_CASE("gdb packets: a packet with its checksum, in one piece or byte by byte", "[gdb]") {
    // gdb's manual's example: the checksum of "qSupported" sent as gdb sends it.
    std::string wire = encode_packet("qSupported:multiprocess+;swbreak+");
    CHECK(wire.front() == '$');
    CHECK(wire[wire.size() - 3] == '#');
    PacketDecoder whole;
    CHECK(whole.feed(wire) == std::vector<Incoming>{packet("qSupported:multiprocess+;swbreak+")});
    PacketDecoder pieces;
    std::vector<Incoming> got;
    for (char c : wire)
        for (auto &item : pieces.feed(std::string_view(&c, 1)))
            got.push_back(item);
    CHECK(got == std::vector<Incoming>{packet("qSupported:multiprocess+;swbreak+")});
    CHECK(encode_packet("g") == "$g#67");
    CHECK(encode_packet("") == "$#00");
    CHECK(PacketDecoder().feed("$OK#9a") == std::vector<Incoming>{packet("OK")});
    CHECK(PacketDecoder().feed("$OK#9A") == std::vector<Incoming>{packet("OK")}); // either case
}

TEST_CASE("gdb packets: acks, interrupts and line noise between packets", "[gdb]") {
    PacketDecoder decoder;
    CHECK(decoder.feed("+\x03-xyz\r\n$g#67+") ==
          std::vector<Incoming>{Ack{true}, Interrupt{}, Ack{false}, packet("g"), Ack{true}});
    // Inside a packet, those bytes are data.
    CHECK(decoder.feed(encode_packet("+-")) == std::vector<Incoming>{packet("+-")});
}

TEST_CASE("gdb packets: $ # } and * travel escaped, and every byte survives", "[gdb]") {
    std::string all;
    for (int b = 0; b < 256; b++)
        all.push_back(static_cast<char>(b));
    std::string wire = encode_packet("X1000,4:" + all);
    CHECK(wire.find('*') == std::string::npos);
    CHECK(wire.substr(1, wire.size() - 4).find_first_of("$#") == std::string::npos);
    CHECK(PacketDecoder().feed(wire) == std::vector<Incoming>{packet("X1000,4:" + all)});
    // '}' ^ 0x20 is ']'; the checksum covers the bytes sent: 0x61 + 0x7d + 0x5d + 0x62.
    CHECK(encode_packet("a}b") == "$a}]b#9d");
}

TEST_CASE("gdb packets: damaged packets are refused, and the next one is taken", "[gdb]") {
    PacketDecoder decoder;
    auto bad_checksum = decoder.feed("$g#00");
    REQUIRE(bad_checksum.size() == 1);
    CHECK(std::get<BadPacket>(bad_checksum[0]).resend);
    auto not_hex = decoder.feed("$g#zz");
    REQUIRE(not_hex.size() == 1);
    CHECK_FALSE(std::get<BadPacket>(not_hex[0]).resend);
    CHECK(std::get<BadPacket>(not_hex[0]).reason.find("'zz'") != std::string::npos);
    // A '$' in the middle: the packet before it was cut; the new one is whole.
    auto cut = decoder.feed("$m1000$g#67");
    REQUIRE(cut.size() == 2);
    CHECK(std::get<BadPacket>(cut[0]).resend);
    CHECK(cut[1] == Incoming{packet("g")});
    CHECK(decoder.feed("$g#67") == std::vector<Incoming>{packet("g")});
}

TEST_CASE("gdb packets: one longer than the limit is refused whole, without growing",
          "[gdb]") {
    PacketDecoder decoder;
    auto long_packet = decoder.feed(encode_packet(std::string(kMaxPacketData + 1, 'a')));
    REQUIRE(long_packet.size() == 1);
    CHECK_FALSE(std::get<BadPacket>(long_packet[0]).resend);
    CHECK(decoder.feed(encode_packet(std::string(kMaxPacketData, 'a'))) ==
          std::vector<Incoming>{packet(std::string(kMaxPacketData, 'a'))});
}

TEST_CASE("gdb packets: hex for memory, registers and numbers", "[gdb]") {
    CHECK(to_hex(std::string_view("\x00\x1f\xff", 3)) == "001fff");
    CHECK(from_hex("001fFF") == std::vector<uint8_t>{0x00, 0x1f, 0xff});
    CHECK(from_hex("") == std::vector<uint8_t>{});
    CHECK_FALSE(from_hex("abc"));  // odd length
    CHECK_FALSE(from_hex("0g"));   // not hex
    CHECK(parse_hex_number("7fff0010") == 0x7fff0010u);
    CHECK(parse_hex_number("ffffffffffffffff") == UINT64_MAX);
    CHECK_FALSE(parse_hex_number(""));
    CHECK_FALSE(parse_hex_number("10000000000000000")); // 17 digits
    CHECK_FALSE(parse_hex_number("-1"));
    CHECK(error_reply(1) == "E01");
    CHECK(error_reply(0x0e) == "E0e");
}
