// SPDX-License-Identifier: MIT
// What clone, fork and exec need of the namespace family (sys/namespaces.cpp): a new
// process's CLONE_NEW* flags, and the time namespace exec enters.
#pragma once

#include "kernel.h"

namespace libos {

// copy_namespaces's checks of a new process's CLONE_NEW* flags, in the parent: EPERM
// without CAP_SYS_ADMIN, EINVAL for CLONE_NEWIPC with CLONE_SYSVSEM.
int64_t check_clone_namespaces(uint64_t flags);

// Whether the LibOS makes the namespaces `flags` ask of a new process (not a pid or a user
// one: named with --verbose).
bool clone_namespaces_served(uint64_t flags);

// In the child of a fork: makes its host process's new namespaces of `flags` (and enters
// the new time namespace, which a clone puts the child in).
int64_t enter_clone_namespaces(uint64_t flags);

// At exec, after the other threads ended: the process enters the time namespace made for
// its children, if it made one (Linux's exec_task_namespaces).
void time_namespace_at_exec();

} // namespace libos
