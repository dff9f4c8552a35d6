// SPDX-License-Identifier: MIT
// The control socket's typed messages: each request and reply comes back as sent, and a
// malformed frame is refused with its reason.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/core.h>

#include "control_messages.h"

using namespace bsc::runtime;

namespace {

// The two ends of a stream socket, closed at the end of the test.
struct SocketPair {
    SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0); }
    ~SocketPair() {
        for (int end : fd)
            if (end >= 0)
                ::close(end);
    }
    void close_writer() {
        ::close(fd[0]);
        fd[0] = -1;
    }
    void write_raw(const std::string &bytes) {
        REQUIRE(::write(fd[0], bytes.data(), bytes.size()) == ssize_t(bytes.size()));
    }
    int fd[2] = {-1, -1};
};

std::string u32(uint32_t v) {
    std::string bytes(4, '\0');
    for (int i = 0; i < 4; i++)
        bytes[i] = char(v >> (8 * i));
    return bytes;
}

std::string refusal_of(SocketPair &pair) {
    try {
        receive_request(pair.fd[1]);
    } catch (const ControlProtocolError &e) {
        return e.what();
    }
    return "accepted";
}

} // namespace

TEST_CASE("control messages: requests and replies arrive as sent", "[runtime][control]") {
    SocketPair pair;
    CHECK(send_request(pair.fd[0], CaptureRequest{"/tmp/a.img", "/tmp/base.img", true, true}));
    CHECK(send_request(pair.fd[0], WatchSignalRequest{"USR1", {"/tmp/s.img", "", false}}));
    auto capture = receive_request(pair.fd[1]);
    REQUIRE(capture);
    auto &c = std::get<CaptureRequest>(*capture);
    CHECK((c.image == "/tmp/a.img" && c.parent == "/tmp/base.img" && c.leave_running &&
           c.running));
    auto watch = receive_request(pair.fd[1]);
    REQUIRE(watch);
    auto &w = std::get<WatchSignalRequest>(*watch);
    CHECK((w.signal == "USR1" && w.capture.image == "/tmp/s.img" && !w.capture.leave_running));

    CHECK(send_reply(pair.fd[0], CaptureProgress{3, 7}));
    CHECK(send_reply(pair.fd[0], Captured{"wrote x", 12.5}));
    CHECK(send_reply(pair.fd[0], NotPermitted{1000}));
    CHECK(send_reply(pair.fd[0], Failed{"no room"}));
    auto progress = std::get<CaptureProgress>(*receive_reply(pair.fd[1]));
    CHECK((progress.done == 3 && progress.total == 7));
    auto captured = std::get<Captured>(*receive_reply(pair.fd[1]));
    CHECK((captured.summary == "wrote x" && captured.frozen_ms == 12.5));
    CHECK(std::get<NotPermitted>(*receive_reply(pair.fd[1])).owner == 1000);
    CHECK(std::get<Failed>(*receive_reply(pair.fd[1])).reason == "no room");

    pair.close_writer();
    CHECK_FALSE(receive_reply(pair.fd[1])); // the end of the stream, between frames
}

TEST_CASE("control messages: a tree capture's steps arrive as sent", "[runtime][control]") {
    SocketPair pair;
    CHECK(send_request(pair.fd[0], FreezeMemberRequest{}));
    CHECK(send_request(pair.fd[0], WriteMemberRequest{"/tmp/.t.img.member-7"}));
    CHECK(send_request(pair.fd[0], FinishMemberRequest{true}));
    CHECK(std::holds_alternative<FreezeMemberRequest>(*receive_request(pair.fd[1])));
    CHECK(std::get<WriteMemberRequest>(*receive_request(pair.fd[1])).image ==
          "/tmp/.t.img.member-7");
    CHECK(std::get<FinishMemberRequest>(*receive_request(pair.fd[1])).stop);
    CHECK(send_reply(pair.fd[0], Frozen{}));
    CHECK(send_reply(pair.fd[0], Finished{}));
    CHECK(std::holds_alternative<Frozen>(*receive_reply(pair.fd[1])));
    CHECK(std::holds_alternative<Finished>(*receive_reply(pair.fd[1])));
}

TEST_CASE("control messages: malformed frames are refused with the reason",
          "[runtime][control]") {
    SECTION("another protocol version") {
        SocketPair pair;
        pair.write_raw(u32(0) + u32(kControlProtocol + 1));
        CHECK(refusal_of(pair) == fmt::format("control protocol {}; this runtime speaks {}",
                                              kControlProtocol + 1, kControlProtocol));
    }
    SECTION("a frame longer than any request") {
        SocketPair pair;
        pair.write_raw(u32(1 << 20) + u32(kControlProtocol));
        CHECK(refusal_of(pair) == "a frame of 1048576 bytes (at most 65536)");
    }
    SECTION("a cut header") {
        SocketPair pair;
        pair.write_raw(u32(5));
        pair.close_writer();
        CHECK(refusal_of(pair) == "a cut frame header");
    }
    SECTION("a cut record") {
        SocketPair pair;
        pair.write_raw(u32(10) + u32(kControlProtocol) + std::string("\x01\x00", 2));
        pair.close_writer();
        CHECK(refusal_of(pair) == "a frame cut after 2 of 10 bytes");
    }
    SECTION("an unknown kind of request") {
        SocketPair pair;
        pair.write_raw(u32(5) + u32(kControlProtocol) + std::string("\x01\x07\x00\x00\x00", 5));
        CHECK_THAT(refusal_of(pair), Catch::Contains("index"));
    }
    SECTION("a string longer than the frame") {
        SocketPair pair;
        pair.write_raw(u32(13) + u32(kControlProtocol) + std::string("\x01\x00\x00\x00\x00", 5) + u32(100) +
                       u32(0));
        CHECK_THAT(refusal_of(pair), Catch::StartsWith("a stored length of 100"));
    }
    SECTION("bytes after the request") {
        SocketPair pair;
        // A capture request with empty paths, leave_running and running false, then one
        // byte more.
        std::string record("\x01\x00\x00\x00\x00", 5);
        record += std::string(16, '\0') + std::string(2, '\0') + "x";
        pair.write_raw(u32(record.size()) + u32(kControlProtocol) + record);
        CHECK(refusal_of(pair) == "1 bytes follow the record");
    }
}
