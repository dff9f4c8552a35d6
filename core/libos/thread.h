// SPDX-License-Identifier: MIT
// The LibOS's per-thread state, found through %gs (bsc_tcb.guest[0]; guest[1] is the
// vDSO's count of its calls, vdso/vdso_data.h).
#pragma once

#include "signals.h"

namespace libos {

struct Thread {
    uint32_t tid;
    uint64_t clear_child_tid; // set_tid_address
    uint64_t exception_stack; // base of the stack exception upcalls run on
    SignalStack alternate_stack; // sigaltstack; size 0: none
    char name[16]; // prctl(PR_SET_NAME), NUL-terminated; empty: the program's file name
};

// Gives the initial thread its exception stack and per-thread block.
void initialise_main_thread();
// The calling thread's block.
Thread &current_thread();
// Whether `sp` lies on the thread's exception stack (the LibOS serving a trap).
bool on_exception_stack(const Thread &thread, uint64_t sp);
// The calling thread's Linux thread id, as gettid answers (the initial thread's is kPid).
inline int64_t current_tid() { return current_thread().tid + kPid - 1; }
// Starts a thread of the LibOS's own (not the program's) running fn(); its handle.
bsc_handle start_internal_thread(void (*fn)());
// Entry of every thread the LibOS creates: `argument` is what start_internal_thread
// passed (program threads, from clone, come later).
[[noreturn]] void start_thread(uint64_t argument);

} // namespace libos
