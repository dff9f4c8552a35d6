// SPDX-License-Identifier: MIT
// The LibOS's threads: the program's (the initial one and those clone makes) and the
// LibOS's own (interval timers). Each has a block found through %gs (bsc_tcb.guest[0];
// guest[1] is the vDSO's count of its calls, vdso/vdso_data.h), and the program's are
// listed by their Linux thread ids.
#pragma once

#include "signals.h"

namespace libos {

// A thread's own signal state (the handlers are the process's, signals.cpp).
struct ThreadSignals {
    uint64_t blocked;               // the signal mask
    uint64_t pending;               // sent to this thread (tkill, tgkill, its faults)
    SignalInfo pending_info[64 + 1]; // what each of them says
    QueuedSignal *queued;           // real-time ones pending again, in order
    uint64_t mask_before_wait;      // what block_for_wait replaced, until the call ends
    bool waiting_with_mask;
};

struct Thread {
    bsc_tcb tcb;      // the TCB of a thread the LibOS started (the initial one's is the host's)
    uint32_t tid;     // the Linux thread id; 0 for a thread of the LibOS's own
    bsc_handle handle; // for thread_interrupt
    uint64_t clear_child_tid; // set_tid_address, CLONE_CHILD_CLEARTID
    uint64_t robust_list;     // set_robust_list's head, or 0
    uint64_t exception_stack; // base of the stack exception upcalls run on
    SignalStack alternate_stack; // sigaltstack; size 0: none
    ThreadSignals signals;
    bsc_handle signal_event; // set when a signal is raised, for waits on a signalfd; or none
    char name[16]; // prctl(PR_SET_NAME), NUL-terminated; empty: the program's file name
    // The rest of what prctl keeps per thread (sys/prctl.cpp; inherit_prctl_state).
    uint64_t timer_slack;         // PR_SET_TIMERSLACK, ns; 0: not yet read from the host
    uint64_t default_timer_slack; // what PR_SET_TIMERSLACK 0 restores: the creator's slack
    int32_t parent_death_signal;  // PR_SET_PDEATHSIG; never sent: the virtual parent never ends
    bool io_flusher;              // PR_SET_IO_FLUSHER
    bool mce_own_policy, mce_early; // PR_MCE_KILL: the thread's own policy, and which
    bool timestamp_faults;        // PR_SET_TSC PR_TSC_SIGSEGV: rdtsc raises SIGSEGV
    bool seccomp_strict;          // seccomp's strict mode (check_strict_mode)
    uint32_t personality;         // personality(2): PER_* and its flags (personality.h)
    int32_t exit_code; // what exit gave, for /proc while the process lives on
    // How the thread starts: a LibOS thread runs `internal`; a program thread resumes
    // `start` (the parent's registers at clone, its own stack and TLS), whose vector state
    // is in `start_xstate`.
    void (*internal)();
    bsc_cpu_context start;
    void *start_xstate;
    uint64_t child_set_tid; // CLONE_CHILD_SETTID: where the thread writes its tid first
    bool exit_requested;    // another thread execs: this one ends at its next chance
};

// Gives the initial thread its exception stack and per-thread block.
void initialise_main_thread();
// The calling thread's control block (%gs) and its block.
bsc_tcb &tcb();
Thread &current_thread();
// Whether `sp` lies on the thread's exception stack (the LibOS serving a trap).
bool on_exception_stack(const Thread &thread, uint64_t sp);
// The calling thread's Linux thread id, as gettid answers (the initial thread's is the pid).
inline int64_t current_tid() { return current_thread().tid; }

// Starts a thread of the LibOS's own (not the program's) running fn(); its handle.
bsc_handle start_internal_thread(void (*fn)());
// A new program thread with its tid, in the list, with the calling one's signal mask and
// name, not running yet: fill in its `start` and run it with start_program_thread. Null if
// the process has as many threads as it may.
Thread *new_program_thread();
// Runs `thread` from its `start`; 0, or -errno (the thread is then unlisted and freed).
int64_t start_program_thread(Thread *thread);
// Entry of every thread the LibOS creates: `argument` is its Thread.
[[noreturn]] void start_thread(uint64_t argument);

// The calling program thread ends with `code` (exit): the last one ends the process with
// the initial thread's code, as Linux reports a process whose threads all exited.
[[noreturn]] void exit_thread(int32_t code);

// After process_fork, in the child: the calling thread is the only one (the others were
// not copied), with the process's id.
void become_only_thread();
// execve: every other thread ends (at its next system call's end or interrupt), and the
// caller takes the process's id, as Linux's de_thread does.
void end_other_threads();
// Where a thread asked to end (end_other_threads) ends: at safe points.
void exit_if_asked();

// The program's threads, under the list's lock: `visit` returns false to stop. The
// initial thread comes first while it lives.
template <class Visit> void for_each_thread(Visit visit);
// Runs `fn` with the live program thread `tid` under the list's lock; false if there is
// none (the thread is not freed while fn runs).
template <class Fn> bool with_thread(int64_t tid, Fn fn);
// How many program threads live.
uint32_t thread_count();
// Whether `id` names a thread of the process: the process id (its initial thread, which
// Linux keeps until the process ends) or a live thread's id.
bool is_thread_of_process(int64_t id);

// ---- implementation of the templates ----
namespace thread_list {
inline constexpr uint32_t kMaxThreads = 1024;
extern Thread *threads[kMaxThreads]; // live program threads, in order of creation
extern uint32_t count;
void lock();
void unlock();
} // namespace thread_list

template <class Visit> void for_each_thread(Visit visit) {
    thread_list::lock();
    for (uint32_t i = 0; i < thread_list::count; i++)
        if (!visit(*thread_list::threads[i]))
            break;
    thread_list::unlock();
}

template <class Fn> bool with_thread(int64_t tid, Fn fn) {
    bool found = false;
    for_each_thread([&](Thread &t) {
        if (t.tid != tid)
            return true;
        found = true;
        fn(t);
        return false;
    });
    return found;
}

// Whether program thread `tid` lives (is in the list).
inline bool thread_lives(int64_t tid) {
    return with_thread(tid, [](Thread &) {});
}
// Runs the downcall `call(handle)` on live thread `tid`'s handle while it cannot end (the
// list's lock); BSC_E_NOT_FOUND if it does not live.
template <class Call> bsc_status call_on_thread(int64_t tid, Call call) {
    bsc_status status = BSC_E_NOT_FOUND;
    with_thread(tid, [&](Thread &t) { status = call(t.handle); });
    return status;
}

} // namespace libos
