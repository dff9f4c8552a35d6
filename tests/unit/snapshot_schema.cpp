// SPDX-License-Identifier: MIT
// The metadata schema: every record survives encoding, enums print, and the decoder
// refuses what the encoder never writes.
#include <array>
#include <sstream>

#include <cereal/archives/portable_binary.hpp>

#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

// What Cereal's own portable binary archive writes for `record`, little-endian.
template <class Record> std::vector<std::byte> cereal_encoding(const Record &record) {
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

} // namespace

TEST_CASE("schema: metadata with every kind of record round-trips", "[snapshot]") {
    auto metadata = sample_metadata({{0x200000000000, 3 * kPageSize, 5, 4,
                                      RegionOrigin::stream_shared, "file:/lib/x.so", 8192,
                                      RegionContents::none}});
    metadata.image_id = {0x0123456789abcdef, 0xfedcba9876543210};
    metadata.parent = ParentImage{"../base.img", {1, 2}};
    metadata.created_unix_ns = 1700000000000000000;
    auto bytes = encode_record(metadata);
    CHECK(decode_record<ImageMetadata>(bytes) == metadata);
    CHECK(std::to_integer<int>(bytes[0]) == 1); // stored little-endian, whatever the host
}

TEST_CASE("schema: records are encoded as Cereal's portable binary archive encodes them",
          "[snapshot]") {
    auto metadata = sample_metadata({{0x200000000000, 3 * kPageSize, 5, 4,
                                      RegionOrigin::stream_shared, "file:/lib/x.so", 8192,
                                      RegionContents::none}});
    metadata.parent = ParentImage{"../base.img", {1, 2}};
    CHECK(encode_record(metadata) == cereal_encoding(metadata));
    PageIndex index{kPageSize, {{0, 100, 2, 0x1234}}, {{0x1000, {}}, {0x5000, {}}}};
    index.regions[0].pages = {
        {.location = PageLocation::in_block, .slot = 1, .block = 0, .hash = 7},
        {.location = PageLocation::zero, .hash = zero_page_hash()}};
    index.regions[1].pages = {{.location = PageLocation::in_block, .hash = 8}};
    CHECK(encode_record(index) == cereal_encoding(index));
    CHECK(decode_record<PageIndex>(cereal_encoding(index)) == index);
}

TEST_CASE("schema: only a stored page's hash is encoded", "[snapshot]") {
    PageIndex index{kPageSize, {{0, 100, 1, 0x1234}}, {{0x1000, {}}}};
    index.regions[0].pages = {{.location = PageLocation::in_block, .hash = 7},
                              {.location = PageLocation::zero, .hash = 9},
                              {.location = PageLocation::in_parent, .hash = 11}};
    auto bytes = encode_record(index);
    auto decoded = decode_record<PageIndex>(bytes);
    const auto &pages = decoded.regions[0].pages;
    CHECK(pages[0].hash == 7);
    CHECK(pages[1].hash == zero_page_hash()); // known
    CHECK(pages[2].hash == 0);                // its parent's, filled in by ImageChain
    auto without_pages = index;
    without_pages.regions[0].pages.clear();
    // u64 page count, then 1 + 4 + 4 + 8 bytes for the stored page and 1 byte for each other
    CHECK(bytes.size() == encode_record(without_pages).size() + 17 + 1 + 1);
}

// The index stores a slot in 32 bits and decodes it into 16 (page_index.h): a slot too
// large for them must not wrap onto a slot that exists.
TEST_CASE("schema: a slot past 16 bits decodes past every block's pages", "[snapshot]") {
    PageIndex index{kPageSize, {{0, 100, 1, 0x1234}}, {{0x1000, {}}}};
    index.regions[0].pages = {
        {.location = PageLocation::in_block, .slot = 0x0102, .block = 0x0a0b0c0d, .hash = 7}};
    auto bytes = encode_record(index);
    const std::array slot{std::byte{2}, std::byte{1}, std::byte{0}, std::byte{0}}; // LE 0x102
    auto found = std::ranges::search(bytes, slot);
    REQUIRE(!found.empty());
    REQUIRE(std::ranges::search(found.end(), bytes.end(), slot.begin(), slot.end()).empty());
    CHECK(decode_record<PageIndex>(bytes).regions[0].pages[0].slot == 0x0102);
    found[2] = std::byte{1}; // 0x10102, which 16 bits would take for 0x102
    CHECK(decode_record<PageIndex>(bytes).regions[0].pages[0].slot == UINT16_MAX);
}

TEST_CASE("schema: enums print their names, and unknown values say so", "[snapshot]") {
    CHECK(to_string(RegionOrigin::host_entry_page) == "host_entry_page");
    CHECK(to_string(RegionContents::none) == "none");
    CHECK(to_string(HandleKind::pipe_write) == "pipe_write");
    CHECK(to_string(StdioTarget::terminal) == "terminal");
    CHECK(to_string(ParkPoint::not_started) == "not_started");
    CHECK(to_string(PageLocation::in_parent) == "in_parent");
    CHECK(to_string(SectionKind::page_blocks) == "page_blocks");
    CHECK(to_string(static_cast<HandleKind>(8)) == "unknown");
    CHECK_FALSE(is_known(static_cast<RegionOrigin>(4)));
    CHECK(to_string(ImageId{0xab, 0x1}) == "00000000000000ab0000000000000001");
}

TEST_CASE("schema: the decoder refuses lengths, bools and tails the encoder never writes",
          "[snapshot]") {
    auto bytes = encode_record(std::vector<std::string>{"a", "b"});
    auto huge = bytes;
    std::fill(huge.begin() + 1, huge.begin() + 9, std::byte{0xff}); // the element count
    CHECK_THROWS_WITH(decode_record<std::vector<std::string>>(huge),
                      Catch::Contains("stored length of 18446744073709551615 exceeds"));
    auto flag = encode_record(true);
    flag[1] = std::byte{2};
    CHECK_THROWS_WITH(decode_record<bool>(flag), Catch::Contains("a bool stored as 2"));
    auto longer = encode_record(uint32_t{7});
    longer.push_back(std::byte{0});
    CHECK_THROWS_WITH(decode_record<uint32_t>(longer), Catch::Contains("1 bytes follow"));
    CHECK(decode_record<uint32_t>(longer, Trailing::ignored) == 7);
}

TEST_CASE("schema: metadata constraints are checked", "[snapshot]") {
    auto refused = [](ImageMetadata metadata, const char *reason) {
        INFO(reason);
        CHECK_THROWS_WITH(check_metadata(metadata, "m.img"),
                          Catch::StartsWith("m.img: ") && Catch::Contains(reason));
    };
    auto region = [](uint64_t address, uint64_t size) {
        return RegionRecord{address, size, 3, 0, RegionOrigin::anonymous, "", 0,
                            RegionContents::pages_in_image};
    };
    CHECK_NOTHROW(check_metadata(sample_metadata({region(0x1000, 0x2000)}), "m.img"));
    refused(sample_metadata({region(0x1000, 0x1800)}), "is not made of whole pages");
    refused(sample_metadata({region(0x1000, 0)}), "is not made of whole pages");
    refused(sample_metadata({region(0xfffffffffffff000, 0x2000)}), "wraps around");
    refused(sample_metadata({region(0x4000, 0x2000), region(0x1000, 0x4000)}),
            "regions at 0x1000 and 0x4000 overlap");
    auto unknown_origin = sample_metadata({region(0x1000, 0x1000)});
    unknown_origin.regions[0].origin = static_cast<RegionOrigin>(9);
    refused(unknown_origin, "region 0 has unknown origin 9");
    auto twice = sample_metadata({});
    twice.handles.push_back(twice.handles.front());
    refused(twice, "two objects hold handle 3");
    auto park = sample_metadata({});
    park.threads[0].park = static_cast<ParkPoint>(3);
    refused(park, "thread 7 has unknown park 3");
    auto clash = sample_metadata({});
    clash.events.push_back({.handle = clash.threads[0].handle});
    refused(clash, "two objects hold handle 7");
    auto target = sample_metadata({});
    target.handles[0].stdio_target = static_cast<StdioTarget>(4);
    refused(target, "handle 3 has unknown stdio_target 4");
    auto state = sample_metadata({});
    state.sockets[0].state = static_cast<SocketState>(5);
    refused(state, "socket 11 has unknown state 5");
    auto short_ip = sample_metadata({});
    short_ip.sockets[0].local.ip.resize(4);
    refused(short_ip, "socket 11 has a malformed local address");
    auto long_name = sample_metadata({});
    long_name.sockets[1].peer = {SocketDomain::unix_local, 0, {}, 0, 0, std::string(109, 'x')};
    refused(long_name, "socket 12 has a malformed peer address");
}

TEST_CASE("schema: socket addresses print as their domain writes them", "[snapshot]") {
    CHECK(to_string(SocketAddressRecord{}) == "");
    CHECK(to_string(SocketAddressRecord{SocketDomain::inet, 80, {127, 0, 0, 1}, 0, 0, ""}) ==
          "127.0.0.1:80");
    std::vector<uint8_t> loopback6(16);
    loopback6[15] = 1;
    CHECK(to_string(SocketAddressRecord{SocketDomain::inet6, 443, loopback6, 0, 0, ""}) ==
          "[::1]:443");
    CHECK(to_string(SocketAddressRecord{SocketDomain::inet6, 443, loopback6, 0, 3, ""}) ==
          "[::1%3]:443");
    CHECK(to_string(SocketAddressRecord{SocketDomain::unix_local, 0, {}, 0, 0, "/run/a.sock"}) ==
          "/run/a.sock");
    CHECK(to_string(SocketAddressRecord{SocketDomain::unix_local, 0, {}, 0, 0,
                                        std::string("\0ab\n", 4)}) == "@ab\\x0a");
    CHECK(to_string(SocketAddressRecord{SocketDomain::unix_local, 0, {}, 0, 0, ""}) == "unnamed");
    CHECK(to_string(SocketAddressRecord{SocketDomain::inet, 80, {1, 2}, 0, 0, ""}) == "malformed");
}
