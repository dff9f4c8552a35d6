// SPDX-License-Identifier: MIT
// A replay's checkpoints under gdb (README.md, "Going backwards"): copies of the replaying
// process (process_fork) parked where they were taken, each able to start a replay from
// there again and again, so that going back replays from the nearest one before the place
// wanted rather than from the start. The first process parks at the guest's start (the
// checkpoint every plan can start from) and stays, as the session's root: it outlives the
// processes that serve gdb in turn, one at a time, and ends the session, with their
// status, when the last has ended. A table in memory every process of the session shares
// says where the checkpoints are and which process serves gdb.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "bascule.h"
#include "debug_plan.h"

namespace bsc::replay {

// Where a checkpoint is: in call `call` of the process, as its event was taken, the
// process's `events` events taken: where an interval (debug_plan.h) begins. The guest's
// start: both 0.
struct CheckpointPlace {
    uint64_t call = 0;
    uint64_t events = 0;
};

// What a plan needs of the checkpoint it starts from: one taken in a call before
// `before_call`, where the interval `interval` (Mark::event) or one before it begins (a
// plan counts from an interval's start); or the start itself.
struct CheckpointNeeds {
    uint64_t before_call = UINT64_MAX;
    uint64_t interval = UINT64_MAX;
    bool from_start = false;
};

class ReplayCheckpoints {
public:
    // `host`: the layer below the replay. `every`: events between checkpoints (doubled
    // each time the table, 64 of them, is full and loses every other one).
    ReplayCheckpoints(const bsc_downcalls *host, uint64_t every);

    // At the guest's start, in the first process: it forks the process that replays on
    // and parks. Returns nothing in that process; a plan in a process started from the
    // start checkpoint.
    std::optional<Plan> start();
    // Whether a checkpoint is due at `place` (none near it yet).
    bool due(const CheckpointPlace &place) const;
    // Takes a checkpoint at `place` (the caller has just taken the call's event): a forked
    // copy parks there. Returns nothing in this process; a plan in a process started from
    // the checkpoint. `parking` runs in the copy before it parks.
    std::optional<Plan> take(const CheckpointPlace &place, void (*parking)());
    // Hands gdb to a process started from the latest checkpoint `needs` allows, which
    // follows `plan` (told which checkpoint it starts from); this process ends then.
    // Returns only if it cannot (false).
    bool restore(Plan plan, const CheckpointNeeds &needs);
    // The process serving gdb ends the session with `status`.
    void ending(int status);

    // A checkpoint process holds what its process held then; the share of its memory that
    // is its own (not shared with the others) is what it costs. For `monitor checkpoints`.
    std::string describe() const;

private:
    struct Table;
    // A checkpoint's pipe of requests.
    struct Requests {
        int read = -1, write = -1;
        bool open();
        void close();
    };
    std::optional<Plan> park(bool root, Requests requests);
    int follow_active(pid_t &watched) const;
    void hand_over(pid_t from, pid_t to) const;
    std::optional<Plan> handle_request(int requests);
    void thin_out();

    const bsc_downcalls *host_;
    Table *table_;
    pid_t root_;
};

} // namespace bsc::replay
