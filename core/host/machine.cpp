// SPDX-License-Identifier: MIT
// What this machine's CPU and kernel let the host do, where that differs between machines:
// whether the gates may use the FSGSBASE instructions and whether rdtsc can be trapped.
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "bascule_host.h"

namespace bsc::host {
namespace {

constexpr unsigned long kHwcap2Fsgsbase = 1ul << 1; // HWCAP2_FSGSBASE (asm/hwcap2.h)

// Whether rdtsc faults after PR_SET_TSC, tried in a child: some hypervisors accept the
// prctl and let rdtsc run anyway.
bool probe_timestamp_traps() {
    pid_t child = ::fork();
    if (child == 0) {
        struct sigaction default_action{};
        default_action.sa_handler = SIG_DFL;
        ::sigaction(SIGSEGV, &default_action, nullptr);
        ::prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
        unsigned low, high;
        asm volatile("rdtsc" : "=a"(low), "=d"(high));
        ::_exit(0);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child)
        return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

} // namespace

bool gates_use_fsgsbase() {
    // BASCULE_SEGMENT_BASES=arch_prctl takes the other path on any machine, so that one
    // with FSGSBASE tests both.
    const char *forced = ::getenv("BASCULE_SEGMENT_BASES");
    if (forced && std::strcmp(forced, "arch_prctl") == 0)
        return false;
    return (::getauxval(AT_HWCAP2) & kHwcap2Fsgsbase) != 0;
}

bool timestamps_trap() {
    static const bool traps = probe_timestamp_traps();
    return traps;
}

} // namespace bsc::host
