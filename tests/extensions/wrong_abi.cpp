// SPDX-License-Identifier: MIT
// Test extension wrong-abi: built for an ABI major version that does not exist.
#include "test_extension.h"

namespace {
constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("wrong-abi");
    d.abi_version = (99u << 16) | 2u;
    return d;
}
} // namespace

TEST_EXTENSION = make();
