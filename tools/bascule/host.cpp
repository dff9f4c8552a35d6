// SPDX-License-Identifier: MIT
// `bascule host`: what this machine's CPU and kernel let the runtime do, where machines
// differ, as text or JSON.
#include <fmt/core.h>

#include "bascule_host.h"
#include "commands.h"

namespace bsc::tools {

int host_command(bool json) {
    bool fsgsbase = host::gates_use_fsgsbase();
    bool timestamps = host::timestamps_trap();
    host::CompatCode compat = host::compat_code_segment();
    if (json) {
        fmt::print("{{\"fsgsbase\": {}, \"timestamps_trap\": {}, \"compat_code\": \"{}\"}}\n",
                   fsgsbase, timestamps, host::compat_code_name(compat));
        return 0;
    }
    fmt::print("segment bases: {}\n",
               fsgsbase ? "rdfsbase/wrfsbase (the kernel supports FSGSBASE)"
                        : "arch_prctl, a system call each way across the gate (the kernel "
                          "does not support FSGSBASE)");
    fmt::print("rdtsc in guests: {}\n",
               timestamps ? "trapped, served from the clock"
                          : "not trapped (PR_SET_TSC has no effect here): a program that "
                            "reads the time stamp counter itself sees the real one, and a "
                            "replay of it diverges");
    fmt::print("32-bit code: {}\n",
               compat == host::CompatCode::gdt ? "runs (the kernel's compat code segment)"
               : compat == host::CompatCode::ldt
                   ? "runs (a code segment of the process's own in the LDT: the kernel's ia32 "
                     "emulation is off)"
                   : "cannot run: a far call into a 32-bit code segment faults, the kernel's "
                     "and one in the LDT alike (some hypervisors give user mode neither), so "
                     "i386 programs cannot run here");
    return 0;
}

} // namespace bsc::tools
