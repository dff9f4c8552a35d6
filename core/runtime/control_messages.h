// SPDX-License-Identifier: MIT
// The messages of the control socket: a client's (bascule-snap's) typed requests and the
// runtime's typed replies. Each travels as one frame: its length and the protocol version
// (two little-endian u32), then the message as a Cereal portable-binary record.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

namespace bsc::runtime {

// The version a frame carries; a frame of another version is refused.
inline constexpr uint32_t kControlProtocol = 2;

// Write the guest to `image` (a whole image, or one over `parent` when it is not empty);
// then the guest stops unless `leave_running`.
struct CaptureRequest {
    std::string image;
    std::string parent;
    bool leave_running = false;
    // Copy the memory while the guest runs, without freezing it: an image of its memory
    // only, torn where the guest wrote meanwhile, to be the parent of a frozen one
    // (pre-copy, which sends most of the memory before the guest stops).
    bool running = false;
};

// From now on, host signal `signal` (USR1 or SIGUSR1) runs `capture`.
struct WatchSignalRequest {
    std::string signal;
    CaptureRequest capture;
};

// A capture of a tree of guest processes (the tree's first runtime asks each other one, on
// one connection, in this order): freeze, and stay frozen while the connection lasts;
// write this process's own image to `image`; then stop, or run on. A connection that ends
// before the last step lets the process run on.
struct FreezeMemberRequest {};
struct WriteMemberRequest {
    std::string image;
};
struct FinishMemberRequest {
    bool stop = false;
};

using ControlRequest = std::variant<CaptureRequest, WatchSignalRequest, FreezeMemberRequest,
                                    WriteMemberRequest, FinishMemberRequest>;

// How much of a capture is written; any number of these come before the final reply.
struct CaptureProgress {
    uint64_t done = 0, total = 0;
};
// The capture is complete: the extension's summary, and how long the guest was frozen.
struct Captured {
    std::string summary;
    double frozen_ms = 0;
};
// A member of a tree is frozen (FreezeMemberRequest), or has run on or is stopping
// (FinishMemberRequest).
struct Frozen {};
struct Finished {};
// The signal a WatchSignalRequest watches, by its abbreviation (USR1).
struct Watching {
    std::string signal;
};
// The caller's user may not use this runtime: only its own user and root may.
struct NotPermitted {
    uint32_t owner = 0; // the runtime's user
};
// The request failed, or was malformed; `reason` says why.
struct Failed {
    std::string reason;
};

using ControlReply =
    std::variant<CaptureProgress, Captured, Watching, NotPermitted, Failed, Frozen, Finished>;

// A frame that is cut, too long, of another protocol version, or whose record does not
// decode as the message expected.
struct ControlProtocolError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Send one message; false if the peer is gone.
bool send_request(int fd, const ControlRequest &request);
bool send_reply(int fd, const ControlReply &reply);

// Read one message: nullopt at the end of the stream before a frame starts; throws
// ControlProtocolError for a malformed frame.
std::optional<ControlRequest> receive_request(int fd);
std::optional<ControlReply> receive_reply(int fd);

} // namespace bsc::runtime
