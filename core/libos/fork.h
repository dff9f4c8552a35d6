// SPDX-License-Identifier: MIT
// What clone, clone3, fork and vfork share: the request as the kernel decodes it, and the
// two things it can make, a thread of the caller's process (sys/threads.cpp) or a new
// process (sys/fork.cpp).
#pragma once

#include "kernel.h"

namespace libos {

// The kernel's kernel_clone_args, as both calls decode them.
struct CloneRequest {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, tls;
};

// A new process, the caller's child, a copy of it made by process_fork: its pid in the
// parent, 0 in the child (which resumes `context` on `r.stack` if given), or -errno.
int64_t fork_process(const CloneRequest &r, bsc_cpu_context &context);

// A vfork child execs: its parent, suspended since the vfork, runs on (as at its exit).
void release_vfork_parent();
// A vfork child ends without exec: what it wrote to the program's private memory is
// copied into its parent's, as if they had shared it (glibc's posix_spawn reports an
// exec failure so), then the parent runs on.
void end_vfork_child();

} // namespace libos
