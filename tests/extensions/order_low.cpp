// SPDX-License-Identifier: MIT
// Test extension order-low: must sit below order-high.
#include "test_extension.h"

namespace {
const char *const below_these[] = {"order-high", nullptr};

constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("order-low");
    d.must_be_below = below_these;
    return d;
}
} // namespace

TEST_EXTENSION = make();
