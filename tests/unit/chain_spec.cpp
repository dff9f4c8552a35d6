// SPDX-License-Identifier: MIT
// Extension specs and manifests: what parses, what is refused, and the messages.
#include <catch2/catch.hpp>

#include "chain.h"

using bsc::chain::ChainError;
using bsc::chain::ExtensionOption;
using bsc::chain::ExtensionSpec;
using bsc::chain::parse_extension_spec;
using bsc::chain::parse_manifest;
using bsc::chain::parse_manifest_text;

TEST_CASE("spec: names and options", "[chain][spec]") {
    CHECK(parse_extension_spec("trace") == ExtensionSpec{"trace", {}, ""});
    CHECK(parse_extension_spec("fs-translate:map=/data=/srv/x") ==
          ExtensionSpec{"fs-translate", {{"map", "/data=/srv/x"}}, ""});
    CHECK(parse_extension_spec("trace:format=json,file=/tmp/t:1").options ==
          std::vector<ExtensionOption>{{"format", "json"}, {"file", "/tmp/t:1"}});
    CHECK(parse_extension_spec("x:verbose,level=").options ==
          std::vector<ExtensionOption>{{"verbose", ""}, {"level", ""}});
    CHECK(parse_extension_spec(R"(x:list=a\,b\,c,path=C:\dir\\)").options ==
          std::vector<ExtensionOption>{{"list", "a,b,c"}, {"path", R"(C:\dir\)"}});
    CHECK(parse_extension_spec("my_ext-2:key.sub=v").options.front().key == "key.sub");
    // A repeated key is kept, in order: the loader decides (chain_refusals.cpp).
    CHECK(parse_extension_spec("x:a=1,b=2,a=3").options ==
          std::vector<ExtensionOption>{{"a", "1"}, {"b", "2"}, {"a", "3"}});
}

TEST_CASE("spec: written back, it parses to the same spec", "[chain][spec]") {
    for (const char *text : {"trace", "trace:format=json,file=/tmp/a=b", R"(x:list=a\,b,flag)",
                             R"(x:p=back\\slash)"}) {
        auto spec = parse_extension_spec(text);
        CHECK(parse_extension_spec(to_string(spec)) == spec);
    }
    CHECK(to_string(parse_extension_spec(R"(x:list=a\,b,flag)")) == R"(x:list=a\,b,flag)");
}

TEST_CASE("spec: malformed specs are refused with the reason", "[chain][spec]") {
    auto refused = [](const char *text, const char *reason) {
        INFO(text);
        CHECK_THROWS_WITH(parse_extension_spec(text),
                          Catch::Contains(reason) && Catch::Contains(text));
    };
    refused("", "empty extension name");
    refused(":level=1", "empty extension name");
    refused("tr ace", "bad extension name 'tr ace'");
    refused("../evil", "bad extension name");
    refused("x:", "empty option");
    refused("x:a=1,,b=2", "empty option");
    refused("x:=v", "has no key");
    refused("x:a b=1", "bad option key 'a b'");
    CHECK_THROWS_AS(parse_extension_spec("x:"), ChainError);
}

TEST_CASE("manifest: one spec a line, comments and blanks skipped", "[chain][spec]") {
    auto specs = parse_manifest_text("# the stack, top first\n"
                                     "\n"
                                     "  trace:format=json  \n"
                                     "\t# indented comment\n"
                                     "null\r\n"
                                     "fs:map=/a=/b",
                                     "stack.txt");
    REQUIRE(specs.size() == 3);
    CHECK(specs[0] == ExtensionSpec{"trace", {{"format", "json"}}, "stack.txt:3"});
    CHECK(specs[1] == ExtensionSpec{"null", {}, "stack.txt:5"});
    CHECK(specs[2] == ExtensionSpec{"fs", {{"map", "/a=/b"}}, "stack.txt:6"});
    CHECK(parse_manifest_text("", "empty").empty());
    CHECK(parse_manifest_text("# nothing\n\n", "empty").empty());
}

TEST_CASE("manifest: an error names the file and the line", "[chain][spec]") {
    CHECK_THROWS_WITH(parse_manifest_text("null\n# fine\n:broken\n", "/tmp/manifest"),
                      Catch::StartsWith("/tmp/manifest:3: bad extension spec ':broken': "
                                        "empty extension name"));
    CHECK_THROWS_WITH(parse_manifest_text("null\ntrace:a=1,,b\n", "m"),
                      Catch::StartsWith("m:2: ") && Catch::Contains("empty option"));
    CHECK_THROWS_WITH(parse_manifest("/nonexistent/manifest"),
                      Catch::Contains("cannot read the manifest /nonexistent/manifest"));
}
