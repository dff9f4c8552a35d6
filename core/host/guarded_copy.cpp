// SPDX-License-Identifier: MIT
// Copies between host and guest memory without the kernel: a plain copy whose fault (an
// unmapped or protected guest page, one another guest thread just unmapped) the signal
// handler turns into a short copy, reported as BSC_E_FAULT. The copies the executable
// makes (host PAL, runtime) use it: several per system call, each far cheaper than the
// process_vm_readv/writev that guest_memory.cpp otherwise makes.
#include "gate.h"
#include "guest_memory.h"
#include "internal.h"

extern "C" const char bsc_guarded_copy_instruction[], bsc_guarded_copy_end[];

namespace bsc::host {

void use_guarded_copy() {
    set_guest_copy(bsc_guarded_copy);
}

bool recover_guarded_copy(ucontext_t *uc) {
    auto &rip = uc->uc_mcontext.gregs[REG_RIP];
    if (static_cast<uint64_t>(rip) != reinterpret_cast<uint64_t>(bsc_guarded_copy_instruction))
        return false;
    rip = static_cast<greg_t>(reinterpret_cast<uint64_t>(bsc_guarded_copy_end));
    return true;
}

} // namespace bsc::host
