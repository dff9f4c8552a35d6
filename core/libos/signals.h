// SPDX-License-Identifier: MIT
// Signals: the handlers and mask the program set, pending signals, and turning guest
// exceptions into the signals Linux would deliver.
#pragma once

#include "kernel.h"

namespace libos {

// The kernel's struct sigaction on x86-64.
struct KernelSigaction {
    uint64_t handler, flags, restorer, mask;
};

// What a handler's siginfo says.
struct SignalInfo {
    int32_t signo, code;
    uint64_t address; // faults
    int32_t pid;      // signals sent by a process
    uint32_t uid;
};

// Handles an exception other than a system call: a fault inside the LibOS's own user
// copies resumes at its fixup; a fault in the program becomes its signal.
void deliver_exception(bsc_exception &exception);

// After a system call: runs the handler of the first pending signal that is not blocked
// (by changing `context`), or takes its default action.
void deliver_pending_signals(bsc_cpu_context &context);

// Makes `sig` pending for the process with si_code `code` (delivered at the program's
// next ABI boundary); -EINVAL for a bad number.
int64_t raise_signal(uint64_t sig, int32_t code);

// Whether a signal is pending and not blocked: a blocking call returns EINTR for it.
bool signal_pending();

// signal_frame.cpp: builds Linux's rt_sigframe for `info` on the program's stack and
// points `context` at the handler; false if the stack is unusable.
bool push_signal_frame(bsc_cpu_context &context, const SignalInfo &info,
                       const KernelSigaction &action, uint64_t old_mask);
// signal_frame.cpp: for rt_sigreturn, restores `context` from the frame at its stack
// pointer and returns the mask saved there; false if the frame is unreadable.
bool pop_signal_frame(bsc_cpu_context &context, uint64_t &mask);

} // namespace libos
