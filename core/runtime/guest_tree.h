// SPDX-License-Identifier: MIT
// The other processes of a guest's tree, as the host sees them: every process a guest
// forks is a child of the runtime that forked it, and the tree's first runtime adopts the
// orphans (core/host/fork.cpp), so the tree is the first runtime's descendants that run
// its program (a guest's exec happens inside it). Others (a shell's process substitution
// made before it started the runtime) are not the guest's.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <vector>

namespace bsc::runtime {

struct TreeProcess {
    pid_t pid = 0, parent = 0;
};

// The processes below `root` that run its program and have not ended (an ended one, a
// zombie, is its parent's to report), parents before their children.
std::vector<TreeProcess> guest_descendants(pid_t root);

// Waits up to `limit` until no process below `root` is still ending: one that has let
// its memory go but is not a zombie yet, or whose first thread is a zombie while others
// end, is neither running (guest_descendants leaves it out) nor, for its parent, ended
// yet (Linux reports the end once every thread has). False if one still was.
bool wait_for_endings(pid_t root, std::chrono::milliseconds limit);

} // namespace bsc::runtime
