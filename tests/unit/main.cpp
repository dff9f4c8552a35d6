// SPDX-License-Identifier: MIT
// The entry point of the Catch2 unit-test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
