// SPDX-License-Identifier: MIT
// The subcommands of `bascule`, each in its own file.
#pragma once

#include "run.h"

namespace bsc::tools {

int exts_command(bool json);
int host_command(bool json);

} // namespace bsc::tools
