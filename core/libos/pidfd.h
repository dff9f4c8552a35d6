// SPDX-License-Identifier: MIT
// Descriptors that name a process of the guest (pidfds, sys/pidfd.cpp): made by
// pidfd_open and clone's CLONE_PIDFD, used by pidfd_send_signal, pidfd_getfd and
// waitid(P_PIDFD).
#pragma once

#include "fd_table.h"
#include "kernel.h"

namespace libos {

// A new pidfd for the guest's process `pid` (close-on-exec, O_NONBLOCK if `flags` has
// it): the descriptor, -ESRCH if the process is gone, -EMFILE.
int64_t open_pidfd(int32_t pid, uint32_t flags);

// The pid the pidfd `fd` names and its status flags; -EBADF if `fd` is not a pidfd.
int64_t pidfd_target(int fd, uint32_t &flags);

// Whether the open file is a pidfd.
bool is_pidfd(const OpenFile &file);

} // namespace libos
