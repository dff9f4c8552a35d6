// SPDX-License-Identifier: MIT
// Guest threads as the runtime drives them: the first one, and waiting for the rest.
#pragma once

#include <cstdint>
#include <functional>

#include <sys/types.h>

#include "bascule.h"

namespace bsc::host {

// Registers the guest thread the calling thread is about to become: its TCB (guest
// memory) and stack. Returns its handle, or BSC_NO_HANDLE if the TCB is not guest memory.
bsc_handle prepare_guest_thread(uint64_t tcb, uint64_t stack_top);

// Makes the calling thread the guest thread `thread` (from prepare_guest_thread) and runs
// `enter`, which must enter the guest through the chain's upcalls. Returns when the guest
// thread calls thread_exit; BSC_E_FAULT if its TCB cannot be written.
bsc_status run_as_guest_thread(bsc_handle thread, const std::function<void()> &enter);

// Blocks until every guest thread made by thread_create has exited.
void wait_for_guest_threads();

// The host thread id of the running guest thread `thread`: BAD_HANDLE for no thread,
// NOT_FOUND if it has not started or has ended.
bsc_status host_tid_of(bsc_handle thread, pid_t &tid);

// The stack an upcall entering the calling guest thread starts on.
uint64_t current_thread_stack_top();

} // namespace bsc::host
