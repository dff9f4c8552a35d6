// SPDX-License-Identifier: MIT
// Guest threads as the runtime drives them: the first one, and waiting for the rest.
#pragma once

#include <cstdint>
#include <functional>

#include "bascule.h"

namespace bsc::host {

// Makes the calling thread a guest thread whose %gs is `tcb` (guest memory) and runs
// `enter`, which must enter the guest through the chain's upcalls. Returns when the guest
// thread calls thread_exit; BSC_E_INVALID if the TCB is not usable guest memory.
bsc_status run_as_guest_thread(uint64_t tcb, uint64_t stack_top,
                               const std::function<void()> &enter);

// Blocks until every guest thread made by thread_create has exited.
void wait_for_guest_threads();

// The stack an upcall entering the calling guest thread starts on.
uint64_t current_thread_stack_top();

} // namespace bsc::host
