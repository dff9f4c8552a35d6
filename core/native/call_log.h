// SPDX-License-Identifier: MIT
// Recording the native guest's own downcalls, so tests can check that an extension saw
// every call the guest made.
#pragma once

#include "bascule.h"

namespace native::call_log {

// Turns recording on if BSC_NATIVE_CALL_LOG is set in the guest's environment.
void initialise(const bsc_downcalls &raw);

// The recording table if recording is on, else `raw` itself.
const bsc_downcalls &table(const bsc_downcalls &raw);

// Writes the recorded call names, and the exit status, to the log file (through `raw`,
// so the writing itself is not recorded).
void flush(const bsc_downcalls &raw, int status);

} // namespace native::call_log
