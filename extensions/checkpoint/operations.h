// SPDX-License-Identifier: MIT
// The checkpoint extension's control commands (see README.md): prepare-capture, freeze,
// capture, thaw, restore and resume. Each answers with a status and a one-line message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bascule_extension.h"

namespace bsc::checkpoint {

// A control request's arguments, looked up by key.
class Arguments {
public:
    explicit Arguments(const bsc_control_request &request);
    std::optional<std::string> value(const std::string &key) const;
    std::vector<std::string> all(const std::string &key) const;
    bool flag(const std::string &key) const;

private:
    const bsc_control_request &request_;
};

struct Outcome {
    bsc_status status = BSC_OK;
    std::string message;
};

// The progress reporting of a request.
struct Progress {
    void (*report)(void *cookie, uint64_t done, uint64_t total) = nullptr;
    void *cookie = nullptr;
    void operator()(uint64_t done, uint64_t total) const {
        if (report)
            report(cookie, done, total);
    }
};

// capture.cpp: what a capture can do before the guest stops: open the parent chain.
Outcome prepare_capture(const Arguments &arguments);
Outcome freeze(const Arguments &arguments);
Outcome thaw();
// capture.cpp: writes the image of the frozen guest.
Outcome capture(const Arguments &arguments, const Progress &progress);
// restore.cpp: rebuilds memory and handles from an image; resume then starts the threads.
Outcome restore(const Arguments &arguments, const Progress &progress);
Outcome resume();

} // namespace bsc::checkpoint
