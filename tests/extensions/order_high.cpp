// SPDX-License-Identifier: MIT
// Test extension order-high: must sit above counting (order-low declares the other side
// of their pair).
#include "test_extension.h"

namespace {
const char *const above_these[] = {"counting", nullptr};

constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("order-high");
    d.must_be_above = above_these;
    return d;
}
} // namespace

TEST_EXTENSION = make();
