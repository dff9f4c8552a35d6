// SPDX-License-Identifier: MIT
// The Linux clocks: one decoder of clock ids for every clock call (clock_gettime,
// clock_getres, clock_nanosleep, clock_settime, the timers) and for callers inside the
// LibOS, such as a vDSO.
#pragma once

#include "kernel.h"
#include "timespec.h"

namespace libos {

// The ABI clock (BSC_CLOCK_*) behind a Linux clock id: the named clocks, and the negative
// CPU clock ids of the program's own process and of the calling thread that
// clock_getcpuclockid and pthread_getcpuclockid make. 0, or -EINVAL for an unknown clock,
// one of a process or thread that is not the program's, or another thread's (which only
// clock_read and clock_resolution serve).
int64_t clock_decode(int64_t clockid, uint32_t &clock);

// clock_decode for a POSIX timer, which may count another thread's CPU time: `tid` is set
// to the program thread whose CPU clock `clockid` names (the caller's for its own), else 0.
int64_t clock_decode_timer(int64_t clockid, uint32_t &clock, int64_t &tid);

// clock_gettime's answer for a Linux clock id, another live thread's CPU clock included
// (thread_time_query): 0, or -EINVAL as clock_decode.
int64_t clock_read(int64_t clockid, Timespec &out);

// clock_getres's answer for a Linux clock id (another thread's too): 0, or -EINVAL.
int64_t clock_resolution(int64_t clockid, Timespec &out);

// The resolution of an ABI clock in nanoseconds (the host's, never less than 1).
int64_t clock_resolution_ns(uint32_t clock);

} // namespace libos
