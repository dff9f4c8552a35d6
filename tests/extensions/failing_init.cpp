// SPDX-License-Identifier: MIT
// Test extension failing-init: its init always fails with a message.
#include <cstdio>

#include "test_extension.h"

namespace {
bsc_status refuse(const bsc_extension_context *, void **, char *error, size_t error_size) {
    std::snprintf(error, error_size, "the test asked for a failure");
    return BSC_E_NOT_SUPPORTED;
}

constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("failing-init");
    d.init = refuse;
    return d;
}
} // namespace

TEST_EXTENSION = make();
