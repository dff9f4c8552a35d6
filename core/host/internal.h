// SPDX-License-Identifier: MIT
// What the host PAL's parts need from one another; not for use outside core/host.
#pragma once

#include <cstdint>

namespace bsc::host {

// memory.cpp: reserves the guest window (PROT_NONE) and starts the region map.
void initialise_memory();

// memory.cpp: whether [addr, addr+size) lies wholly in memory the guest owns (allocated
// or mapped through the ABI). Host code and the runtime's own mappings never qualify.
bool guest_owns(uint64_t addr, uint64_t size);

// exceptions.cpp: installs the host signal handlers that turn guest faults into upcalls.
void initialise_signals();

// process.cpp: called by process_exit before the process ends (the runtime flushes the
// chain there); may be null.
using ExitHook = void (*)(int32_t status);
void set_exit_hook(ExitHook hook);

} // namespace bsc::host
