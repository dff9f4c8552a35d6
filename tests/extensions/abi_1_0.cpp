// SPDX-License-Identifier: MIT
// Test extension abi-1-0: built against ABI 1.0, whose descriptor ends before `control`.
#include <cstddef>

#include "test_extension.h"

namespace {
constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("abi-1-0");
    d.size = offsetof(bsc_extension_descriptor, control);
    d.abi_version = 1u << 16;
    return d;
}
} // namespace

TEST_EXTENSION = make();
