// SPDX-License-Identifier: MIT
// The plan a restarted replay follows to go back (replay/debug_plan.h): it comes back as
// it was written, also through the file that carries it to another process, and bytes
// that are not a whole plan are refused.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "debug_plan.h"

using namespace bsc::replay;

namespace {

Plan sample_plan() {
    Plan plan;
    plan.acknowledging = false;
    plan.reply = Plan::Reply::monitor;
    plan.base = {Mark::Kind::change, 41, 0x1008, 3, {{0x1000, 8, bsc::gdb::WatchKind::read}}};
    plan.commands = {{{0x401000, 0x402000}, {{0x1000, 8}}, 0, 0}, {{}, {}, 1, 0}, {{}, {}, 0, 127}};
    plan.search = true;
    plan.traced = 7;
    plan.breakpoints = {0x401000};
    plan.watches = {{0x1000, 8}};
    plan.output_shown = 126;
    plan.checkpoint_call = 90;
    plan.checkpoint_before = 80;
    return plan;
}

} // namespace

TEST_CASE("debug plan: a plan comes back as it was written", "[replay]") {
    Plan plan = sample_plan();
    auto decoded = decode_plan(encode_plan(plan));
    REQUIRE(decoded);
    CHECK(*decoded == plan);
    CHECK(decode_plan(encode_plan(Plan{})) == Plan{});
}

TEST_CASE("debug plan: bytes that are not a whole plan are refused", "[replay]") {
    auto bytes = encode_plan(sample_plan());
    CHECK_FALSE(decode_plan({}));
    CHECK_FALSE(decode_plan(std::span(bytes).first(bytes.size() - 1))); // cut
    auto longer = bytes;
    longer.push_back(std::byte{0});
    CHECK_FALSE(decode_plan(longer)); // something after it
    auto wrong_order = bytes;
    wrong_order[0] = std::byte{0}; // not the little-endian mark
    CHECK_FALSE(decode_plan(wrong_order));
}

TEST_CASE("debug plan: a plan's file reads back as the plan, and is closed", "[replay]") {
    Plan plan = sample_plan();
    int fd = write_plan_file(plan);
    REQUIRE(fd >= 0);
    auto read = read_plan_file(fd);
    REQUIRE(read);
    CHECK(*read == plan);
    CHECK(::fcntl(fd, F_GETFD) == -1); // read_plan_file closed it
}

TEST_CASE("debug plan: a file that is not a whole plan reads as none", "[replay]") {
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    auto bytes = encode_plan(sample_plan());
    REQUIRE(::write(ends[1], bytes.data(), bytes.size() - 1) ==
            static_cast<ssize_t>(bytes.size() - 1));
    ::close(ends[1]);
    CHECK_FALSE(read_plan_file(ends[0]));
}
