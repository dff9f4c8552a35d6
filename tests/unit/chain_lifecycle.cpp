// SPDX-License-Identifier: MIT
// Lifecycle: the order of init, of each event, and of fini through a stack.
#include <catch2/catch.hpp>

#include <memory>

#include "chain_fixtures.h"

using namespace chain_test;
using bsc::chain::Chain;

namespace {

std::unique_ptr<Chain> three_counters(TestProbe &probe) {
    std::vector<bsc::chain::ExtensionSpec> stack;
    for (const char *label : {"a", "b", "c"})
        stack.push_back(spec(std::string("counting:label=") + label + "," + probe.option()));
    return std::make_unique<Chain>(stack, recording_bottom(), test_path());
}

// The log since the last call.
std::string drain(TestProbe &probe) {
    std::string log(probe.log, probe.log_length);
    probe.log_length = 0;
    probe.log[0] = '\0';
    return log;
}

} // namespace

TEST_CASE("lifecycle: init bottom-up, fini top-down", "[chain]") {
    TestProbe probe;
    auto chain = three_counters(probe);
    CHECK(drain(probe) == "c:init b:init a:init ");
    chain.reset();
    CHECK(drain(probe) == "a:fini b:fini c:fini ");
}

TEST_CASE("lifecycle: each event travels in its direction", "[chain]") {
    TestProbe probe;
    auto chain = three_counters(probe);
    drain(probe);
    struct Expected {
        uint32_t event;
        const char *log;
    };
    for (auto [event, log] : {
             Expected{BSC_EVENT_START, "a:start b:start c:start "},
             Expected{BSC_EVENT_BEFORE_CHECKPOINT,
                      "a:before-checkpoint b:before-checkpoint c:before-checkpoint "},
             Expected{BSC_EVENT_RESUME, "c:resume b:resume a:resume "},
             Expected{BSC_EVENT_RESTORE, "c:restore b:restore a:restore "},
             Expected{BSC_EVENT_BEFORE_RESTORE,
                      "c:before-restore b:before-restore a:before-restore "},
             Expected{BSC_EVENT_EXIT, "a:exit b:exit c:exit "},
         }) {
        chain->broadcast(event);
        CHECK(drain(probe) == log);
    }
}
