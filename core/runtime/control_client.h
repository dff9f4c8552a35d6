// SPDX-License-Identifier: MIT
// The client half of the control socket: one connection to the runtime of a process, one
// request on it, and its replies (bascule-snap capture).
#pragma once

#include <sys/types.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "control_messages.h"

namespace bsc::runtime {

// Why a request did not reach a runtime, or got no answer; what() says it in a sentence.
struct ControlClientError : std::runtime_error {
    enum class Kind {
        no_process,   // no process has that id
        other_user,   // the process is another user's, and this one is not root
        no_socket,    // the process has no control socket: not a `bascule run` process
        no_answer,    // the runtime hung up, or answered with a malformed message
    };
    ControlClientError(Kind kind, const std::string &what)
        : std::runtime_error(what), kind(kind) {}
    Kind kind;
};

class ControlClient {
public:
    // Connects to the control socket of process `pid`; throws ControlClientError.
    explicit ControlClient(pid_t pid);
    ~ControlClient();
    ControlClient(const ControlClient &) = delete;
    ControlClient &operator=(const ControlClient &) = delete;

    // Sends `request`, hands every CaptureProgress to `progress`, and returns the final
    // reply (never CaptureProgress, nor NotPermitted: that one throws, as other_user).
    // Throws ControlClientError.
    ControlReply call(const ControlRequest &request,
                      const std::function<void(const CaptureProgress &)> &progress = {});

private:
    ControlClientError other_user(uid_t owner) const;

    pid_t pid_;
    uid_t owner_ = 0; // the process's user
    int fd_ = -1;
};

} // namespace bsc::runtime
