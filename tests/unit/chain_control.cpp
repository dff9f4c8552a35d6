// SPDX-License-Identifier: MIT
// Control requests: the runtime's requests reach the topmost extension that serves them.
#include <catch2/catch.hpp>

#include <string>

#include "chain_fixtures.h"

using namespace chain_test;
using bsc::chain::Chain;

namespace {

struct Reply {
    char text[64] = "";
    bsc_control_request request{.size = sizeof(bsc_control_request), .reserved = 0,
                                .command = nullptr, .arguments = nullptr, .argument_count = 0,
                                .progress = nullptr, .cookie = nullptr, .reply = text,
                                .reply_size = sizeof text};
    explicit Reply(const char *command) { request.command = command; }
};

} // namespace

TEST_CASE("control: the topmost extension that serves a command answers it", "[chain]") {
    TestProbe probe;
    Chain chain({spec("null"), spec("counting:label=upper," + probe.option()),
                 spec("counting:label=lower," + probe.option())},
                recording_bottom(), test_path());
    Reply reply("label");
    CHECK(chain.control(reply.request) == BSC_OK);
    CHECK(std::string(reply.text) == "upper");
    CHECK(std::string(probe.log).find("lower:control") == std::string::npos);
}

TEST_CASE("control: a command nobody serves is not supported", "[chain]") {
    TestProbe probe;
    Chain chain({spec("counting:" + probe.option())}, recording_bottom(), test_path());
    Reply reply("capture");
    CHECK(chain.control(reply.request) == BSC_E_NOT_SUPPORTED);
    Chain empty({}, recording_bottom(), test_path());
    CHECK(empty.control(reply.request) == BSC_E_NOT_SUPPORTED);
}

TEST_CASE("control: an ABI 1.0 extension, without the control entry, still loads", "[chain]") {
    Chain chain({spec("abi-1-0")}, recording_bottom(), test_path());
    Reply reply("label");
    CHECK(chain.control(reply.request) == BSC_E_NOT_SUPPORTED);
}
