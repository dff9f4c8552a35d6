// SPDX-License-Identifier: MIT
// The guest's processes. Each is a host process with its own runtime and LibOS (made by
// process_fork); together they form one tree that shares a table in memory all of them
// map (made by the first, BSC_MAP_SHARED, so that every fork keeps it shared). The table
// gives each process its Linux ids — pid, parent, process group, session — unique in
// the tree, and a mailbox through which one process sends another a signal. What a
// process knows of its own children (their host handles, for wait) is its own.
#pragma once

#include "process_state.h"
#include "signals.h"

namespace libos {

// The first process's id (its parent, 1, is outside the guest): the same in every run.
inline constexpr int32_t kFirstPid = 2;
// Pid 1, the first process's parent: it exists, outside the guest, but nothing of it is
// the LibOS's to know. A call about it is refused by name with EPERM (what a security
// module's refusal gives), never the ESRCH of a process that does not exist.
inline constexpr int32_t kOutsideParentPid = kFirstPid - 1;
int64_t refuse_outside_parent(const char *call);

// At start: the first process makes the table and enters itself.
void initialise_process_tree();

// The calling process's ids.
int32_t current_pid();
int32_t parent_pid();
// The parent's host process id (for process_open), 0 if it has none in the guest.
uint64_t parent_host_id();
// Of process `pid` (0: the caller): its parent, group and session, or -ESRCH.
int64_t parent_of(int32_t pid);
int64_t process_group_of(int32_t pid);
int64_t session_of(int32_t pid);
// The foreground process group of the guest's controlling terminal (the one it was
// started on): tcgetpgrp, and tcsetpgrp with Linux's checks (EPERM for a group not in
// the caller's session). What the terminal itself sends (Ctrl-C) reaches every process
// of the guest from the host; each takes it only if it is in this group.
int32_t foreground_group();
int64_t set_foreground_group(int32_t group);
// setpgid and setsid, with Linux's checks.
int64_t set_process_group(int32_t pid, int32_t group);
int64_t new_session();
// How many processes of the guest run (sysinfo's procs).
uint32_t process_count();
// The pids of the guest's processes, running or ended but not reaped (/proc's listing):
// how many there are (at most `capacity` written).
uint32_t process_pids(int32_t *pids, uint32_t capacity);

// What /proc shows of a process to the other processes of the guest. Each process keeps
// its own card up to date; the others read it (its pid, parent, group and session are
// the table's).
struct ProcessCard {
    char comm[16];        // the program's name (the kernel's comm)
    char exe[4096];       // /proc/PID/exe
    uint64_t arguments, environment, strings_end; // cmdline and environ in its memory
    uint64_t start_ticks; // since boot, in USER_HZ ticks
    uint64_t host_id;     // for process_memory_read (the table's, copied)
    uint32_t threads;
    uint32_t umask;
    uint32_t real_user_id, saved_user_id; // who may signal it (kill's permission check)
    char state; // 'R', or 'T' while stopped
    Scheduling scheduling; // what sched_getscheduler, sched_getparam ... of it answer
};
// The calling process's card, and changes of it.
ProcessCard own_card();
void publish_card(const ProcessCard &card);
void note_umask(uint32_t umask);
// The calling thread's user ids, as the process's for kill's permission check (after a
// change of them, at the start and in a new child).
void note_user_ids();
void note_exec(); // it runs a new program: its parent may no longer setpgid it
void note_thread_count(uint32_t threads);
void note_stopped(bool stopped);
void note_scheduling(const Scheduling &scheduling);
// Process `pid`'s card, if it is a process of the guest (running or not yet reaped).
bool read_card(int32_t pid, ProcessCard &card);

// PR_SET_CHILD_SUBREAPER: the first process may be one (its orphans become children it
// waits for); another process is refused with EINVAL (the host's subreaper is the first
// runtime). PR_GET_CHILD_SUBREAPER.
int64_t set_subreaper(bool on);
bool is_subreaper();

// A new id for a thread, from the same space as process ids, as Linux numbers them.
int32_t allocate_thread_id();
// A number no open file of any process of the guest has had (OpenFile::identity).
uint64_t new_file_identity();

// kill's targets: process `pid`, every process of group `group`, or every process but
// the first (pid -1); the signal arrives with `info` (its sender's pid and uid). -ESRCH
// if there is no such process.
int64_t signal_process(int32_t pid, const SignalInfo &info);
int64_t signal_group(int32_t group, const SignalInfo &info);
int64_t signal_every_process(const SignalInfo &info);
// tkill/tgkill of another process's initial thread (its tid is its pid): -ESRCH if none.
int64_t signal_initial_thread(int32_t pid, const SignalInfo &info);
// Whether `pid` is a process of the guest (running, or ended and not yet reaped).
bool process_exists(int32_t pid);
// The pid of the guest's running process with host id `host_id`, or 0 if none is.
int32_t pid_of_host_process(uint64_t host_id);
// The same, or else of an ended one (a zombie, or one reaped whose table slot was not
// taken again): what a System V IPC object shows of a process that used it last, which on
// Linux keeps its pid after its end.
int32_t pid_seen_for_host(uint64_t host_id);

// ---- fork ----

// Enters a new process into the table, the caller's child, before process_fork makes
// it: its pid, or -EAGAIN when the table is full. `exit_signal` is what its end sends.
int64_t enter_child(int32_t exit_signal);
// The fork failed: the entry goes.
void abandon_child(int32_t pid);
// After process_fork, in the parent: the child's host handle and id.
void adopt_child(int32_t pid, bsc_handle handle, uint64_t host_id);
// After process_fork, in the child: it is `pid` now, with no children of its own.
void become_child(int32_t pid);

// ---- wait ----

// What wait4 and waitid select: the caller's children that `which` names (a pid, -1:
// any, 0: the caller's group, < -1: group -which), of the kind `kinds` names (Linux's
// __WCLONE and __WALL: a "clone" child is one whose exit signal is not SIGCHLD), and
// what they wait for (BSC_PROCESS_WAIT_*).
enum class ChildKinds : uint8_t { ordinary, clones, all };
struct WaitRequest {
    int32_t which;
    uint32_t flags;
    ChildKinds kinds;
};
// What a wait found.
struct WaitResult {
    int32_t pid; // 0: a child matched but has nothing to report (NO_HANG)
    bsc_process_state state;
    uint32_t uid;
};
// Waits for a child `request` selects to report; 0 with the result, -ECHILD if none
// matches, or -kRestartSyscall when a signal is to be delivered first.
int64_t wait_for_child(const WaitRequest &request, WaitResult &result);

// ---- events ----

// An interrupt arrived: a signal in the mailbox or a change of a child may be waiting.
// Noted only (the LibOS may be holding its locks); collected at the next safe point.
void note_process_event();
// At a safe point (no LibOS lock held): raises what the mailbox holds and SIGCHLD for
// children that ended, stopped or continued, and wakes the threads waiting for them.
void collect_process_events();

// Makes pending what other processes of the guest have sent this one, whether or not
// their interrupt has come yet: Linux's kill has made the signal pending when it
// returns, so what reports or takes pending signals (sigpending, sigtimedwait) first
// takes what was posted.
void collect_posted_signals();

// Ends the process with `status` (process_exit's): its entry is left for its parent to
// reap, its children go to the first process.
[[noreturn]] void exit_process(int32_t status);

// The process, ending by a signal, wrote a core file: its parent's wait reports it killed
// with a core dump (WCOREDUMP, CLD_DUMPED), which the host, whose kernel dumped no core of
// the runtime, does not know.
void note_core_dumped();

} // namespace libos
