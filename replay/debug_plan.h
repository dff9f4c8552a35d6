// SPDX-License-Identifier: MIT
// Places in a replay gdb can go back to, and the plan a restarted replay follows to get
// there (README.md, "Going backwards"). A replay is deterministic, and so are the traps
// a debugger adds to it: the same breakpoints and steps from the same place stop it at
// the same places. So a place is written as where to start (a Mark) and the debugger's
// commands from there, each as it was given; a restarted replay makes them again, with
// no gdb, and stops where the last one stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "remote_session.h"

namespace bsc::replay {

struct Watch {
    uint64_t address = 0, length = 0;
    gdb::WatchKind kind = gdb::WatchKind::write;
    bool operator==(const Watch &) const = default;
    template <class A> void serialize(A &a) { a(address, length, kind); }
};

// A place a replay reaches again without gdb, within an interval: the stretch of the
// process's execution between taking its event `event - 1` and its event `event` (only
// one guest thread runs there).
struct Mark {
    enum class Kind {
        start,   // the program's first instruction
        call,    // before call `count`
        arrival, // the `count`-th arrival at `address` in the interval (a breakpoint there)
        change,  // before the access that a watch stops at (a write that changes watched
                 // memory, a read of it), the `count`-th access to a watched page in the
                 // interval that faults (`address`: the watched address it touches)
        step,    // after `count` instructions of the program from where it resumes in the
                 // interval (single steps: the interval is traced)
    };
    Kind kind = Kind::start;
    uint64_t event = 0;
    uint64_t address = 0;
    uint64_t count = 0;
    std::vector<Watch> watches; // change: the watches whose pages' accesses are counted
    bool operator==(const Mark &) const = default;
    template <class A> void serialize(A &a) { a(kind, event, address, count, watches); }
};

// One resume gdb asked for, with the breakpoints and watchpoints in place then.
struct Command {
    std::vector<uint64_t> breakpoints;
    std::vector<Watch> watches;
    uint64_t step_thread = 0;  // the thread stepped one instruction, or 0: continue
    uint64_t until_call = 0;   // it stopped before this call (gdb's interrupt, monitor goto)
    bool operator==(const Command &) const = default;
    template <class A> void serialize(A &a) { a(breakpoints, watches, step_thread, until_call); }
};

// What a restarted replay does before it answers gdb again.
struct Plan {
    enum class Reply { stop, monitor }; // what gdb waits for: a stop reply, or a monitor's
    bool acknowledging = true; // gdb has not asked for QStartNoAckMode
    Reply reply = Reply::stop;
    Mark base;
    std::vector<Command> commands; // from the base to where gdb is (or goes)
    // Reverse continue: run to the end of `commands`, noting where these would have
    // stopped; then go to the last such place before the end (or the start).
    bool search = false;
    // Reverse step: run to the end of `commands`, tracing the interval the end is in
    // (`traced`), then go to the instruction before it.
    bool step_back = false;
    uint64_t traced = 0;
    // A step back from where the program had just resumed: the instruction before is the
    // one that left it (a system call) in the traced interval, counted to there.
    bool traced_to_exit = false;
    std::vector<uint64_t> breakpoints; // gdb's at the end (and the search's)
    std::vector<Watch> watches;
    uint64_t output_shown = 0; // the guest's output up to this event (of all the
                               // processes, in their order) was shown already
    bool at_history_start = false; // a search found nothing: gdb hears it is at the start
    // The replay that follows it starts from the checkpoint taken in call
    // `checkpoint_call` (0: the start; checkpoints.h); a search that looks before another
    // checkpoint starts from one taken before call `checkpoint_before` (0: any).
    uint64_t checkpoint_call = 0;
    uint64_t checkpoint_before = 0;

    bool operator==(const Plan &) const = default;
    template <class A> void serialize(A &a) {
        a(acknowledging, reply, base, commands, search, step_back, traced, traced_to_exit,
          breakpoints, watches, output_shown, at_history_start, checkpoint_call,
          checkpoint_before);
    }
};

// A plan in Cereal's portable encoding (snapshot/portable_codec.h), and back: nothing for
// bytes that are not a whole plan.
std::vector<std::byte> encode_plan(const Plan &plan);
std::optional<Plan> decode_plan(std::span<const std::byte> bytes);
// A plan in a file of its own (a memfd, at its start, closed on exec): its descriptor, or
// -1 with errno. And back, from such a descriptor, which it closes.
int write_plan_file(const Plan &plan);
std::optional<Plan> read_plan_file(int fd);

} // namespace bsc::replay
