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
    if (json) {
        fmt::print("{{\"fsgsbase\": {}, \"timestamps_trap\": {}}}\n", fsgsbase, timestamps);
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
    return 0;
}

} // namespace bsc::tools
