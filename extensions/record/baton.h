// SPDX-License-Identifier: MIT
// The turn the guest's threads take while recording (replay/thread_order.h), in every
// process of the guest: a ticket lock in memory shared with the processes it forks, so
// that one thread of the whole guest runs at a time and the events of all its processes
// have one order. It lives in the extension's own memory, outside the guest, and waits
// with futex directly: extensions run on the host's side of the gate.
#pragma once

#include <cstdint>

namespace bsc::record {

class Baton {
public:
    // Maps the shared memory; throws std::runtime_error if it cannot.
    Baton();

    // Waits until it is the calling thread's turn.
    void take();
    // Passes the turn to the next thread that asked, if any.
    void give();
    // Whether a thread is waiting for the turn its holder has.
    bool others_waiting() const;
    // The holder's: the place of the next event among those of every process.
    uint64_t next_order() { return shared_->order++; }
    // The order the next event will have.
    uint64_t order() const { return shared_->order; }

private:
    struct Shared {
        uint32_t next;    // the next ticket to give out
        uint32_t serving; // the ticket whose thread has the turn
        uint64_t order;
    };
    Shared *shared_;
};

} // namespace bsc::record
