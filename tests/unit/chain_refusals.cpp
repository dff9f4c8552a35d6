// SPDX-License-Identifier: MIT
// Stacks the chain refuses, before anything runs, and what it says about them.
#include <catch2/catch.hpp>
#include <fmt/core.h>

#include "chain_fixtures.h"

using namespace chain_test;
using bsc::chain::Chain;
using bsc::chain::ChainError;
using bsc::chain::ExtensionSpec;

namespace {

// The message of the ChainError building `stack` throws.
std::string refusal(std::vector<ExtensionSpec> stack) {
    try {
        Chain chain(std::move(stack), recording_bottom(), test_path());
    } catch (const ChainError &e) {
        return e.what();
    }
    FAIL("the stack was accepted");
    return "";
}

std::vector<ExtensionSpec> specs(std::initializer_list<std::string_view> texts) {
    std::vector<ExtensionSpec> list;
    for (auto text : texts)
        list.push_back(spec(text));
    return list;
}

} // namespace

TEST_CASE("refuse: must_be_below, both orders", "[chain]") {
    TestProbe probe;
    std::string message =
        refusal(specs({"order-low", "order-high", "counting:" + probe.option()}));
    CHECK_THAT(message, Catch::Contains("order-low (position 0) must sit below order-high "
                                        "(position 1)"));
    CHECK_THAT(message, Catch::Contains("list order-high before order-low"));
    CHECK(probe.log_length == 0); // refused before any init
    CHECK_NOTHROW(Chain(specs({"order-high", "order-low"}), recording_bottom(), test_path()));
    CHECK_NOTHROW(Chain(specs({"order-high", "null", "order-low"}), recording_bottom(), test_path()));
}

TEST_CASE("refuse: must_be_above, both orders", "[chain]") {
    CHECK_THAT(refusal(specs({"counting", "null", "order-high"})),
               Catch::Contains("order-high (position 2) must sit above counting (position 0)") &&
                   Catch::Contains("list order-high before counting"));
    CHECK_NOTHROW(Chain(specs({"order-high", "counting"}), recording_bottom(), test_path()));
}

TEST_CASE("refuse: every copy of an extension must satisfy a constraint", "[chain]") {
    CHECK_THAT(refusal(specs({"order-high", "order-low", "order-high"})),
               Catch::Contains("order-low (position 1) must sit below order-high (position 2)"));
}

TEST_CASE("refuse: an unknown extension, with where it was looked for", "[chain]") {
    std::string message = refusal(specs({"null", "no-such-extension"}));
    CHECK_THAT(message, Catch::StartsWith("no extension named 'no-such-extension'"));
    CHECK_THAT(message, Catch::Contains("bascule-ext-no-such-extension.so"));
    CHECK_THAT(message, Catch::Contains(BASCULE_TEST_EXT_DIR));
}

TEST_CASE("refuse: another ABI", "[chain]") {
    CHECK(refusal(specs({"wrong-abi"})) ==
          fmt::format("extension wrong-abi needs ABI 99.2, this runtime provides {}.{}",
                      BSC_ABI_MAJOR, BSC_ABI_MINOR));
}

TEST_CASE("refuse: an object that calls itself something else", "[chain]") {
    CHECK_THAT(refusal(specs({"misnamed"})),
               Catch::EndsWith("bascule-ext-misnamed.so calls itself 'somebody-else', not "
                               "'misnamed'"));
}

TEST_CASE("refuse: an unknown option key, with the accepted ones", "[chain]") {
    CHECK(refusal(specs({"trace:colour=red"})) ==
          "unknown option 'colour' for extension trace; accepted: file, format, families");
    CHECK(refusal(specs({"null:x"})) == "unknown option 'x' for extension null; accepted: none");
    auto from_manifest = bsc::chain::parse_manifest_text("null\noptioned:depth=2\n", "stack");
    CHECK(refusal(from_manifest) ==
          "unknown option 'depth' for extension optioned (stack:2); accepted: level, tag+, "
          "probe");
}

TEST_CASE("refuse: a key given twice, unless it is declared repeatable", "[chain]") {
    CHECK(refusal(specs({"trace:file=/dev/null,file=/dev/null"})) ==
          "option 'file' given twice for extension trace");
    auto from_manifest = bsc::chain::parse_manifest_text("optioned:level=1,level=2\n", "m");
    CHECK(refusal(from_manifest) == "option 'level' given twice for extension optioned (m:1)");
    TestProbe probe;
    Chain chain(specs({"optioned:tag=a,tag=b,level=x,tag=c," + probe.option()}),
                recording_bottom(), test_path());
    CHECK(std::string(probe.log) == "level:x tag:a tag:b tag:c ");
}

TEST_CASE("refuse: options reach the extension", "[chain]") {
    TestProbe probe;
    Chain chain(specs({"optioned:level=a=b\\,c," + probe.option()}), recording_bottom(),
                test_path());
    CHECK(std::string(probe.log) == "level:a=b,c ");
}

TEST_CASE("refuse: a failing init, with its message, and the layers below are finished",
          "[chain]") {
    TestProbe probe;
    std::string message = refusal(specs({"counting:label=a," + probe.option(), "failing-init",
                                         "counting:label=c," + probe.option()}));
    CHECK(message ==
          "extension failing-init (position 1) refused to start: the test asked for a failure");
    CHECK(std::string(probe.log) == "c:init c:fini ");
}

TEST_CASE("refuse: an extension's bad option value fails its init", "[chain]") {
    CHECK(refusal(specs({"trace:format=xml"})) ==
          "extension trace (position 0) refused to start: format must be text or json, not 'xml'");
    CHECK_THAT(refusal(specs({"trace:families=stream+disk"})),
               Catch::EndsWith("unknown family 'disk'; families: memory, stream, object, "
                               "thread, time, process, ipc, key, upcall"));
    CHECK_THAT(refusal(specs({"trace:file=/nonexistent/dir/trace"})),
               Catch::Contains("cannot open /nonexistent/dir/trace"));
}

TEST_CASE("refuse: a bottom table of another ABI", "[chain]") {
    bsc_downcalls bottom = recording_bottom();
    bottom.version = 2u << 16;
    CHECK_THROWS_AS(Chain({}, bottom, test_path()), ChainError);
}
