// SPDX-License-Identifier: MIT
// Test extension misnamed: its descriptor names another extension than its file does.
#include "test_extension.h"

TEST_EXTENSION = test_extension::descriptor("somebody-else");
