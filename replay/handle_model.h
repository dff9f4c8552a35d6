// SPDX-License-Identifier: MIT
// What the guest's handles stand for during a replay, kept from the calls replayed. No
// host object stands behind them (replay/README.md), so when a replay stops to capture an
// image (`bascule-replay replay --to N --capture IMAGE`), this model answers the calls
// the checkpoint extension makes to describe them, as a host would: a file by its URI,
// how it was opened and its position; the recorded stdio as the replaying process's own;
// an event set or not. The image is then restored live, on the files as they are now.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "bascule.h"
#include "call_memory.h"
#include "call_roles.h"

namespace bsc::replay {

class HandleModel {
public:
    // `host` answers for the real objects: the files' attributes and the real stdio.
    explicit HandleModel(const bsc_downcalls &host) : host_(host) {}

    // The recorded stdio handles stand for the replaying process's `real` ones.
    void set_stdio(const std::array<bsc_handle, 3> &recorded, const bsc_handle (&real)[3]);
    // A call was replayed with `args` (its recorded writes already applied).
    void note(roles::Slot slot, const CallEvent &call, const CallArgs &args);

    // As the host's calls of the same names, for the handles the model knows; other
    // handles (pipes, sockets, directories being read) are BSC_E_NOT_SUPPORTED.
    bsc_status object_query(bsc_handle handle, bsc_object_info *info, char *uri,
                            uint64_t uri_size);
    bsc_status attributes(bsc_handle handle, bsc_stream_attributes *attributes);
    // Whether an event is set, for a wait of no time on it alone.
    bsc_status poll_event(bsc_wait_item *items, uint32_t count, int64_t timeout,
                          uint32_t *ready);
    // Sets an event again (after a poll consumed it).
    bsc_status set_event(bsc_handle handle);

private:
    struct Stream {
        std::string uri;
        uint32_t access = 0;
        uint32_t options = 0;
        uint64_t position = 0; // moved by the reads and writes at BSC_AT_POSITION, seeks
    };
    struct Event {
        uint32_t flags = 0;
        bool set = false;
    };
    void forget(bsc_handle handle);
    void waited(const CallArgs &args);

    const bsc_downcalls &host_;
    std::mutex mutex_; // notes come from the guest's thread, questions from the capture's
    std::map<bsc_handle, Stream> streams_;
    std::map<bsc_handle, Event> events_;
    std::map<bsc_handle, bsc_handle> stdio_; // recorded -> real
};

} // namespace bsc::replay
