// SPDX-License-Identifier: MIT
// What the process-wide families share (and /proc can show): the ids and privileges the
// calling thread runs with (the host thread's own, sys/credentials.cpp), its resource
// limits and thread names (sys/process.cpp) and its scheduling (sys/sched.cpp).
#pragma once

#include "kernel.h"

namespace libos {

// The calling thread's ids and privileges as process_identity_query reports them
// (without the groups), asked afresh: a set*id call changes them.
bsc_process_identity identity();

// Whether the calling thread holds a privilege (BSC_PRIVILEGE_*), as Linux's capable() asks.
bool privileged(uint32_t privilege);

// Whether the calling thread holds capability `capability` (CAP_*) in its effective set.
bool capable(int capability);

// Whether the calling thread may act as the owner of a file owned by `owner`: its
// file-system user id, or CAP_FOWNER (the kernel's inode_owner_or_capable).
bool owner_or_capable(uint32_t owner);

// Who a file permission check is made for: the file-system ids and the effective
// capabilities, or (access and faccessat without AT_EACCESS) the real ids, with the
// permitted capabilities for a real root and none for another user (the kernel's
// access_override_creds).
struct FileCredentials {
    uint32_t user, group;
    uint64_t capabilities;
};
FileCredentials file_credentials(bool real_ids);

// After a change of the effective or file-system ids (Linux's commit_creds): the process
// becomes as dumpable as /proc/sys/fs/suid_dumpable says, and its parent-death signal is
// cleared (sys/prctl.cpp keeps both).
void note_credentials_changed();

// Whether the calling thread has `group` among its supplementary groups.
bool in_supplementary_groups(uint32_t group);

// The soft and hard limits of a resource (RLIMIT_*).
uint64_t soft_limit(unsigned resource);
uint64_t hard_limit(unsigned resource);
// Moves a soft limit from `from` to `to` unless the program changed it meanwhile (RLIMIT_CPU's
// watch raises it a second at each SIGXCPU, as Linux does).
bool move_soft_limit(unsigned resource, uint64_t from, uint64_t to);
// Arms RLIMIT_CPU's watch on the process's CPU time at its soft limit, or disarms it
// (sys/timers.cpp): after setrlimit, and in a fork's child.
void watch_cpu_limit();

// A thread's name (prctl PR_GET_NAME, /proc's comm): 15 bytes at most.
struct Thread;
void thread_name(const Thread &thread, char (&name)[16]);
// A new thread's prctl state (sys/prctl.cpp), as Linux's copy_process sets it: its
// creator's timer slack (its default too), I/O-flusher flag and machine-check policy, no
// parent-death signal. The child of a fork passes its one thread as both.
void inherit_prctl_state(Thread &child, Thread &creator);
// At exec, as Linux's: the calling thread's SECBIT_KEEP_CAPS is cleared (sys/prctl.cpp).
void prctl_state_after_exec();
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
    uint64_t slice; // a fair policy's own time slice (sched_attr's runtime), 0: the base one
};
Scheduling current_scheduling();
// What a child made by fork starts with (sched_fork): with SCHED_RESET_ON_FORK, a
// real-time policy becomes SCHED_NORMAL and a negative nice value 0, and the flag goes.
Scheduling scheduling_after_fork(Scheduling parent);
// In the child after process_fork: its own scheduling becomes that.
void reset_scheduling_in_child();

// After process_fork, in the child: no interval timer is armed (Linux's child inherits
// none) and the threads that ran them are gone.
void forget_interval_timers();
// execve: every POSIX timer is deleted (Linux's exit_itimers); new ids go on from where
// they were, and a signal of an old timer still pending is dropped when taken.
void delete_posix_timers();
// After process_fork, in the child: it has no POSIX timer (Linux's child inherits none)
// and numbers its first one 0, as Linux's new signal_struct does.
void forget_posix_timers();
// sys/aio.cpp: the process has no AIO context (a fork's child, whose rings stay mapped as
// Linux leaves them; a new program).
void forget_aio_contexts();
// sys/keys.cpp, at exec: Linux gives the new program no thread or process keyring, but the
// host thread and process keep theirs (no system call drops them); named with --verbose
// when the old program made use of keys and one exists.
void keyrings_at_exec();

} // namespace libos
