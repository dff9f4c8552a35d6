// SPDX-License-Identifier: MIT
// What the process-wide families share: the ids and privileges the guest runs with (the
// host process's own, sys/credentials.cpp) and its resource limits (sys/process.cpp).
#pragma once

#include "kernel.h"

namespace libos {

// The host's ids and privileges as process_identity_query reports them (without the
// groups).
bsc_process_identity identity();

// Whether the process holds a privilege (BSC_PRIVILEGE_*), as Linux's capable() asks.
bool privileged(uint32_t privilege);

// The soft limit of a resource (RLIMIT_*).
uint64_t soft_limit(unsigned resource);

} // namespace libos
