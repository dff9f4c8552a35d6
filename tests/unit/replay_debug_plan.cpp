// SPDX-License-Identifier: MIT
// The plan a restarted replay follows to go back (replay/debug_plan.h): it comes back as
// it was written, and bytes that are not a whole plan are refused.
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
