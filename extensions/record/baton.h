// SPDX-License-Identifier: MIT
// The turn guest threads take while recording (replay/thread_order.h): a ticket lock, so
// that they run one at a time, in the order they asked, waiting in the host's sync_wait.
#pragma once

#include <cstdint>

#include "bascule.h"

namespace bsc::record {

class Baton {
public:
    explicit Baton(const bsc_downcalls *host) : host_(host) {}

    // Waits until it is the calling thread's turn. A wait the host interrupts goes on.
    void take();
    // Passes the turn to the next thread that asked, if any.
    void give();
    // Whether a thread is waiting for the turn its holder has.
    bool others_waiting() const;
    // In a process just forked by the holder: the holder is the only thread there is.
    void keep_alone();

private:
    const bsc_downcalls *host_;
    uint32_t next_ = 0;    // the next ticket to give out
    uint32_t serving_ = 0; // the ticket whose thread has the turn
};

} // namespace bsc::record
