// SPDX-License-Identifier: MIT
// The program's time stamp counter: rdtsc and rdtscp trap, and the LibOS answers them.
#pragma once

#include "kernel.h"

namespace libos {

// Answers the rdtsc or rdtscp the exception stopped at with a counter that ticks once a
// nanosecond (monotonic time), and steps over the instruction; false, touching nothing,
// if the thread asked the counter to fault (PR_SET_TSC, seccomp's strict mode): the
// fault is then the program's SIGSEGV, as Linux's #GP.
bool emulate_timestamp(bsc_exception &exception);

} // namespace libos
