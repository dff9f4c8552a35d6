// SPDX-License-Identifier: MIT
// The host PAL as the runtime sees it: the bottom table and the set-up it needs first.
#pragma once

#include "bascule.h"

namespace bsc::host {

// Reserves the guest window and installs the host's signal handlers. Call once, before
// the first downcall.
void initialise();

// The table at the bottom of every chain.
const bsc_downcalls &downcalls();

// Wraps one of the runtime's own descriptors (0, 1 or 2) as a handle, with a URI that says
// what it is: dev:tty, dev:null, file:PATH, pipe:, or unix:.
bsc_handle adopt_stdio(int fd);

// Calls `notify` (which must be async-signal-safe) whenever the process receives host
// signal `sig`, whatever thread it lands on; the runtime uses it for captures on a signal.
void watch_signal(int sig, void (*notify)());

} // namespace bsc::host
