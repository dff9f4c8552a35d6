// SPDX-License-Identifier: MIT
// Signals: the handlers and mask the program set, and turning guest exceptions into the
// signals Linux would deliver.
#pragma once

#include "kernel.h"

namespace libos {

// Handles an exception other than a system call: a fault inside the LibOS's own user
// copies resumes at its fixup; anything else becomes a signal for the program.
void deliver_exception(bsc_exception &exception);

} // namespace libos
