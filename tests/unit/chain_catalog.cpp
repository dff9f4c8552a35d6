// SPDX-License-Identifier: MIT
// Listing the extensions on a search path (`bascule exts`) and the search path itself.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "catalog.h"
#include "chain_fixtures.h"

using namespace bsc::chain;

namespace {

const AvailableExtension *find(const std::vector<AvailableExtension> &list, std::string_view name) {
    for (const auto &entry : list)
        if (entry.name == name)
            return &entry;
    return nullptr;
}

} // namespace

TEST_CASE("catalog: the test extensions, sorted, with their descriptors", "[chain]") {
    auto list = list_extensions(SearchPath({BASCULE_TEST_EXT_DIR}));
    std::vector<std::string> names;
    for (const auto &entry : list)
        names.push_back(entry.name);
    CHECK(names == std::vector<std::string>{"abi-1-0", "counting", "event-log", "failing-init", "misnamed",
                                            "optioned", "order-high", "order-low", "thread-signals",
                                            "wrong-abi"});

    const auto *low = find(list, "order-low");
    REQUIRE(low->descriptor);
    CHECK(low->problem.empty());
    CHECK(low->file == std::string(BASCULE_TEST_EXT_DIR) + "/bascule-ext-order-low.so");
    CHECK(low->descriptor->must_be_below == std::vector<std::string>{"order-high"});
    CHECK(low->descriptor->abi_version == BSC_ABI_VERSION);

    const auto *optioned = find(list, "optioned");
    REQUIRE(optioned->descriptor);
    REQUIRE(optioned->descriptor->options.size() == 3);
    CHECK(optioned->descriptor->options[0].key == "level");
    CHECK(optioned->descriptor->options[1].key == "tag+"); // repeatable

    CHECK_THAT(find(list, "wrong-abi")->problem, Catch::Contains("needs ABI 99.2"));
    CHECK(find(list, "wrong-abi")->descriptor->abi_version == ((99u << 16) | 2u));
    CHECK_THAT(find(list, "misnamed")->problem, Catch::Contains("somebody-else"));

    // An ABI 1.0 descriptor, which ends before `control`, is usable and listed whole.
    const auto *old = find(list, "abi-1-0");
    REQUIRE(old->descriptor);
    CHECK(old->problem.empty());
    CHECK(old->descriptor->name == "abi-1-0");
    CHECK(old->descriptor->abi_version == (1u << 16));
}

TEST_CASE("catalog: the first directory holding a name wins", "[chain]") {
    auto list = list_extensions(chain_test::test_path());
    const auto *null = find(list, "null");
    REQUIRE(null);
    CHECK(null->problem.empty());
    CHECK(null->descriptor->summary.size() > 0);
    const auto *trace = find(list, "trace");
    REQUIRE(trace);
    REQUIRE(trace->descriptor->options.size() == 3);
    CHECK(trace->descriptor->options[2].key == "families");
    CHECK_THAT(trace->descriptor->options[2].help, Catch::Contains("memory, stream"));
    CHECK(list_extensions(SearchPath({"/nonexistent"})).empty());
}

TEST_CASE("search path: environment first, then the build tree's directory", "[chain]") {
    const char *saved = std::getenv("BASCULE_EXT_PATH");
    std::string restore = saved ? saved : "";
    ::setenv("BASCULE_EXT_PATH", "/one::/two:", 1);
    auto path = SearchPath::from_environment();
    if (saved)
        ::setenv("BASCULE_EXT_PATH", restore.c_str(), 1);
    else
        ::unsetenv("BASCULE_EXT_PATH");
    REQUIRE(path.directories().size() == 3);
    CHECK(path.directories()[0] == "/one");
    CHECK(path.directories()[1] == "/two");
    // This test runs from the build tree: its extensions (BUILD/extensions, beside the test
    // extensions' BUILD/tests/extensions), never an install's.
    auto build_tree = std::filesystem::path(BASCULE_TEST_EXT_DIR).parent_path().parent_path();
    CHECK(path.directories()[2] == (build_tree / "extensions").string());
    CHECK(path.with_first("/zero").directories().front() == "/zero");
    CHECK(extension_file_name("trace") == "bascule-ext-trace.so");
    CHECK(extension_name_of("bascule-ext-fs-translate.so") == "fs-translate");
    CHECK_FALSE(extension_name_of("bascule-ext-.so"));
    CHECK_FALSE(extension_name_of("libfoo.so"));
}
