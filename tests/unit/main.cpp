// SPDX-License-Identifier: MIT
// The entry point of the Catch2 unit-test executable. Catch leaves the signal handlers
// alone: the host PAL under test owns SIGSEGV (its guarded copies of guest memory recover
// from faults there), and a handler of Catch's would take those faults instead.
#define CATCH_CONFIG_MAIN
#define CATCH_CONFIG_NO_POSIX_SIGNALS
#include <catch2/catch.hpp>
