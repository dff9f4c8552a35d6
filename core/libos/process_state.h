// SPDX-License-Identifier: MIT
// What the process-wide families share (and /proc can show): the ids and privileges the
// guest runs with (the host process's own, sys/credentials.cpp), its resource limits and
// thread names (sys/process.cpp) and its scheduling (sys/sched.cpp).
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

// A thread's name (prctl PR_GET_NAME, /proc's comm): 15 bytes at most.
struct Thread;
void thread_name(const Thread &thread, char (&name)[16]);
// A new thread's prctl state (sys/prctl.cpp), as Linux's copy_process sets it: its
// creator's timer slack (its default too), I/O-flusher flag and machine-check policy, no
// parent-death signal. The child of a fork passes its one thread as both.
void inherit_prctl_state(Thread &child, Thread &creator);
// Seccomp's strict mode (sys/prctl.cpp): a thread in it that makes any system call but
// read, write, exit and rt_sigreturn ends here, killed by SIGKILL (the thread alone, as
// Linux's do_exit(SIGKILL)).
void check_strict_mode(uint64_t number);

// The scheduling sched_setscheduler and setpriority left (SCHED_*, the real-time priority,
// the nice value).
struct Scheduling {
    int32_t policy;
    int32_t priority;
    int32_t nice;
    bool reset_on_fork;
};
Scheduling current_scheduling();

// After process_fork, in the child: no interval timer is armed (Linux's child inherits
// none) and the threads that ran them are gone.
void forget_interval_timers();

} // namespace libos
