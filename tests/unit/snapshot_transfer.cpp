// SPDX-License-Identifier: MIT
// Images over a stream (image_transfer.h): a chain arrives whole and named, its parents
// beside it; a cut, damaged or malformed stream leaves nothing behind.
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "image_transfer.h"
#include "little_endian.h"
#include "snapshot_fixtures.h"

using namespace snapshot_test;

namespace {

// A stream's two ends.
struct Stream {
    Stream() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0); }
    ~Stream() {
        close_sender();
        ::close(fd[1]);
    }
    void close_sender() {
        if (fd[0] >= 0)
            ::close(std::exchange(fd[0], -1));
    }
    int fd[2] = {-1, -1};
};

// Sends `files` (or `bytes`, raw) on one end while the other receives into `output`;
// the receiver's refusal, or "" if it took them.
std::string transfer(const std::vector<std::byte> &bytes, const std::filesystem::path &output) {
    Stream stream;
    auto sender = std::async(std::launch::async, [&] {
        for (size_t at = 0; at < bytes.size();) {
            ssize_t n = ::write(stream.fd[0], bytes.data() + at, bytes.size() - at);
            if (n <= 0)
                break;
            at += static_cast<size_t>(n);
        }
        stream.close_sender();
    });
    std::string refusal;
    try {
        receive_image_files(stream.fd[1], output);
    } catch (const ImageError &e) {
        refusal = e.what();
    }
    sender.get();
    return refusal;
}

// What send_image_files writes for `files`.
std::vector<std::byte> stream_of(const std::vector<std::filesystem::path> &files) {
    Stream stream;
    auto reader = std::async(std::launch::async, [&] {
        std::vector<std::byte> bytes(1 << 16);
        std::vector<std::byte> all;
        for (ssize_t n; (n = ::read(stream.fd[1], bytes.data(), bytes.size())) > 0;)
            all.insert(all.end(), bytes.begin(), bytes.begin() + n);
        return all;
    });
    send_image_files(stream.fd[0], files);
    stream.close_sender();
    return reader.get();
}

} // namespace

TEST_CASE("transfer: a chain arrives whole, its parents beside it", "[snapshot]") {
    ScratchDirectory from, to;
    GuestRegion region(8);
    fill_pattern(region.bytes(), 1);
    write_image(from / "base.img", {&region});
    fill_random(region.page(3), 2);
    auto parent = ImageChain::open(from / "base.img");
    write_image(from / "top.img", {&region}, &parent);
    auto files = chain_files(from / "top.img");
    REQUIRE(files.size() == 2);
    CHECK(files[0].filename() == "base.img");
    CHECK(transfer(stream_of(files), to / "moved.img") == "");
    CHECK(to.entries() == std::vector<std::string>{"base.img", "moved.img"});
    auto moved = ImageChain::open(to / "moved.img");
    CHECK(read_region(moved, 0) == region.copy());
}

TEST_CASE("transfer: a cut, damaged or malformed stream leaves nothing", "[snapshot]") {
    ScratchDirectory from, to;
    GuestRegion region(4);
    fill_random(region.bytes(), 3);
    write_image(from / "a.img", {&region});
    auto bytes = stream_of(chain_files(from / "a.img"));
    auto cut = bytes;
    cut.resize(bytes.size() / 2);
    CHECK_THAT(transfer(cut, to / "x.img"), Catch::Contains("ended before the images were complete"));
    auto damaged = bytes;
    damaged[bytes.size() / 2] ^= std::byte{0xff};
    CHECK_THAT(transfer(damaged, to / "x.img"), Catch::Contains("does not match its checksum"));
    auto longer = bytes;
    longer.push_back(std::byte{0});
    CHECK_THAT(transfer(longer, to / "x.img"), Catch::Contains("goes on after its last image"));
    auto foreign = bytes;
    foreign[0] = std::byte{'X'};
    CHECK_THAT(transfer(foreign, to / "x.img"), Catch::Contains("does not begin as bascule images do"));
    auto escaping = bytes; // the name "a.img", after magic, version, tag and length
    std::memcpy(escaping.data() + 17, "../im", 5);
    CHECK_THAT(transfer(escaping, to / "x.img"), Catch::Contains("not a plain file name"));
    CHECK(to.entries().empty());
}

TEST_CASE("transfer: an empty stream is refused", "[snapshot]") {
    ScratchDirectory to;
    std::vector<std::byte> empty;
    Stream stream;
    {
        ImageSender sender(stream.fd[0]);
        sender.finish();
    }
    stream.close_sender();
    CHECK_THROWS_WITH(receive_image_files(stream.fd[1], to / "x.img"),
                      Catch::Contains("holds no image"));
    CHECK(to.entries().empty());
}

TEST_CASE("transfer: a chain is sent from one directory", "[snapshot]") {
    ScratchDirectory one, other;
    GuestRegion region(2);
    write_image(one / "base.img", {&region});
    auto parent = ImageChain::open(one / "base.img");
    write_image(other / "top.img", {&region}, &parent);
    CHECK_THROWS_WITH(chain_files(other / "top.img"), Catch::Contains("in another directory"));
}
