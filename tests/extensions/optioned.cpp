// SPDX-License-Identifier: MIT
// Test extension optioned: accepts `level`, a repeatable `tag` (and `probe`), and notes
// what it was given.
#include <string>

#include "test_extension.h"
#include "test_probe.h"

namespace {
const bsc_option_spec accepted[] = {
    {"level", "any text; noted in the probe's log"},
    {"tag+", "any text, any number of times; each noted in the probe's log"},
    {"probe", "address of the test's TestProbe"},
    {nullptr, nullptr},
};

bsc_status init(const bsc_extension_context *context, void **, char *, size_t) {
    const char *probe = test_extension::option(context, "probe");
    const char *level = test_extension::option(context, "level");
    if (probe && level)
        probe_from(probe)->note("level", level);
    for (size_t i = 0; probe && i < context->option_count; i++)
        if (std::string(context->options[i].key) == "tag")
            probe_from(probe)->note("tag", context->options[i].value);
    return BSC_OK;
}

constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("optioned");
    d.options = accepted;
    d.init = init;
    return d;
}
} // namespace

TEST_EXTENSION = make();
