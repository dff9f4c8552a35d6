// SPDX-License-Identifier: MIT
// rdtsc and rdtscp emulation.
#include "timestamp.h"

#include "thread.h"

namespace libos {

bool emulate_timestamp(bsc_exception &exception) {
    if (current_thread().timestamp_faults)
        return false;
    bsc_cpu_context &c = exception.context;
    int64_t now = 0;
    abi().time_query(BSC_CLOCK_MONOTONIC, &now);
    uint64_t counter = static_cast<uint64_t>(now);
    c.rax = counter & 0xffffffff;
    c.rdx = counter >> 32;
    if (exception.code == 3) // rdtscp also reports the processor (TSC_AUX): always 0
        c.rcx = 0;
    c.rip += exception.code;
    return true;
}

} // namespace libos
