// SPDX-License-Identifier: MIT
// process.cpp's one runtime-facing call, set_process_command, is declared with the rest of
// the runtime's view of the host.
#pragma once

#include "bascule_host.h"
