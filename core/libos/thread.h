// SPDX-License-Identifier: MIT
// The LibOS's per-thread state, found through %gs (bsc_tcb.guest[0]).
#pragma once

#include "kernel.h"

namespace libos {

struct Thread {
    uint32_t tid;
    uint64_t clear_child_tid; // set_tid_address
    uint64_t exception_stack; // base of the stack exception upcalls run on
};

// Gives the initial thread its exception stack and per-thread block.
void initialise_main_thread();
// The calling thread's block.
Thread &current_thread();
// Entry of threads the LibOS creates (clone, later).
[[noreturn]] void start_thread(uint64_t argument);

} // namespace libos
