// SPDX-License-Identifier: MIT
// Composition: stacks of 0, 1 and 8 pass-through extensions change nothing about any
// downcall or upcall; untouched slots cost nothing; each instance has its own state.
#include <catch2/catch.hpp>

#include "chain_fixtures.h"
#include "object_file.h"

using namespace chain_test;
using bsc::chain::Chain;
using bsc::chain::ExtensionSpec;

namespace {

constexpr size_t kDowncallCount = (sizeof(bsc_downcalls) - 8) / sizeof(void *);
constexpr size_t kUpcallCount = (sizeof(bsc_upcalls) - 8) / sizeof(void *);

std::string counting(const TestProbe &probe) { return "counting:" + probe.option(); }

void connect_guest(Chain &chain) {
    chain.guest_upcalls() = guest_table();
    chain.link_upcalls();
}

} // namespace

TEST_CASE("compose: with no extension the guest calls the bottom directly", "[chain]") {
    Chain chain({}, recording_bottom(), test_path());
    CHECK(chain.size() == 0);
    CHECK(check_every_downcall_passes(chain.top()) == kDowncallCount);
    CHECK(chain.top().vm_alloc == recording_bottom().vm_alloc);
    connect_guest(chain);
    CHECK(chain.host_upcalls().start == guest_table().start);
    CHECK(check_every_upcall_passes(chain.host_upcalls()) == kUpcallCount);
}

TEST_CASE("compose: one extension passes every call on unchanged", "[chain]") {
    for (const char *name : {"null", "trace:file=/dev/null", "order-high"}) {
        INFO(name);
        Chain chain({spec(name)}, recording_bottom(), test_path());
        CHECK(chain.size() == 1);
        CHECK(check_every_downcall_passes(chain.top()) == kDowncallCount);
        connect_guest(chain);
        CHECK(check_every_upcall_passes(chain.host_upcalls()) == kUpcallCount);
    }
}

TEST_CASE("compose: eight stacked extensions, each with its own state", "[chain]") {
    TestProbe probes[4];
    std::vector<ExtensionSpec> stack;
    for (auto &probe : probes) {
        stack.push_back(spec(counting(probe)));
        stack.push_back(spec("null"));
    }
    Chain chain(stack, recording_bottom(), test_path());
    CHECK(chain.size() == 8);
    CHECK(check_every_downcall_passes(chain.top()) == kDowncallCount);
    connect_guest(chain);
    CHECK(check_every_upcall_passes(chain.host_upcalls()) == kUpcallCount);
    // Each counting instance saw every call once: they do not share their globals.
    for (auto &probe : probes) {
        CHECK(probe.downcalls == kDowncallCount);
        CHECK(probe.upcalls == kUpcallCount);
    }
    CHECK(chain.name(0) == "counting");
    CHECK(chain.name(7) == "null");
    CHECK(chain.file(7).ends_with("/bascule-ext-null.so"));
}

TEST_CASE("compose: a call no extension interposes on goes straight to the bottom", "[chain]") {
    Chain chain({spec("trace:families=memory,file=/dev/null"), spec("order-high"),
                 spec("trace:families=memory,file=/dev/null")},
                recording_bottom(), test_path());
    CHECK(chain.top().stream_read == recording_bottom().stream_read);
    CHECK(chain.top().process_exit == recording_bottom().process_exit);
    CHECK(chain.top().vm_alloc != recording_bottom().vm_alloc);
    CHECK(check_every_downcall_passes(chain.top()) == kDowncallCount);
}

TEST_CASE("compose: upcalls reach the guest entries filled after the chain is built",
          "[chain]") {
    TestProbe probe;
    Chain chain({spec("order-high"), spec(counting(probe)), spec("order-low")},
                recording_bottom(), test_path());
    chain.guest_upcalls() = guest_table();
    chain.broadcast(BSC_EVENT_START); // links the upcalls, as the runtime relies on
    CHECK(check_every_upcall_passes(chain.host_upcalls()) == kUpcallCount);
    CHECK(probe.upcalls == kUpcallCount);

    Chain plain({spec("order-high"), spec("order-low")}, recording_bottom(), test_path());
    plain.guest_upcalls() = guest_table();
    plain.broadcast(BSC_EVENT_RESTORE);
    // Nobody interposes: the host calls the guest's entries themselves.
    CHECK(plain.host_upcalls().thread_start == guest_table().thread_start);
    CHECK(plain.host_upcalls().exception == guest_table().exception);
}

TEST_CASE("compose: a second open of one object is a private copy", "[chain]") {
    auto file = test_path().find("counting");
    REQUIRE(file);
    bsc::chain::ObjectFile first(*file), second(*file);
    CHECK_FALSE(first.is_private_copy());
    CHECK(second.is_private_copy());
    CHECK(first.symbol(BSC_EXTENSION_SYMBOL) != nullptr);
    CHECK(first.symbol(BSC_EXTENSION_SYMBOL) != second.symbol(BSC_EXTENSION_SYMBOL));
    bsc::chain::ObjectFile third(*file); // still a copy while the first is open
    CHECK(third.is_private_copy());
}
