// SPDX-License-Identifier: MIT
// The vDSO the LibOS gives every program it loads, as Linux does ([vdso] with its [vvar]
// page): clock_gettime, clock_getres, gettimeofday, time and getcpu answered by the
// LibOS's own system call handlers without a trap.
#pragma once

#include "kernel.h"

namespace libos {

// Maps the vDSO and its data page into the program, enters both into the memory map and
// returns the address of its ELF header (the auxiliary vector's AT_SYSINFO_EHDR).
uint64_t map_vdso();

// Whether the interrupted context `c` is the LibOS serving a vDSO call on the program's
// stack. Such a call has no end where a signal could wait to be delivered, as it waits
// for a trapped call's: the signal is delivered at once, as in the vDSO's own code.
bool in_vdso_call(const bsc_cpu_context &c);

} // namespace libos
