// SPDX-License-Identifier: MIT
// Guest threads as the host's parts see them (the runtime's calls are in bascule_host.h).
#pragma once

#include <cstdint>
#include <functional>

#include <sys/types.h>

#include "bascule.h"
#include "bascule_host.h"

namespace bsc::host {

// The host thread id of the running guest thread `thread`: BAD_HANDLE for no thread,
// NOT_FOUND if it has not started or has ended.
bsc_status host_tid_of(bsc_handle thread, pid_t &tid);

// The handle of the running guest thread whose host thread id is `tid`, else BSC_NO_HANDLE
// (a userfault record names the faulting thread so).
bsc_handle thread_handle_of_tid(pid_t tid);

// The stack an upcall entering the calling guest thread starts on.
uint64_t current_thread_stack_top();

} // namespace bsc::host
