// SPDX-License-Identifier: MIT
// `bascule-snap capture PID -o IMAGE`: asks the runtime of process PID, over its control
// socket, to capture its guest, and reports the outcome.
#include <filesystem>
#include <variant>

#include <fmt/core.h>

#include "commands.h"
#include "control_client.h"
#include "progress_bar.h"

namespace bsc::snap {
namespace {

std::string absolute(const std::string &path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// Sends the capture request and waits for its outcome, drawing its progress.
runtime::ControlReply request_capture(const CaptureOptions &options) {
    runtime::ControlClient client(options.pid);
    runtime::CaptureRequest request{absolute(options.image), absolute(options.parent),
                                    options.leave_running};
    ProgressBar bar("capturing");
    return client.call(request, [&bar](const runtime::CaptureProgress &step) {
        bar.update(step.done, step.total);
    });
}

} // namespace

int capture_command(const CaptureOptions &options) {
    runtime::ControlReply reply;
    try {
        reply = request_capture(options);
    } catch (const runtime::ControlClientError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    if (auto *captured = std::get_if<runtime::Captured>(&reply)) {
        fmt::print(stderr, "bascule-snap: captured process {}: {} frozen-ms={:.1f}\n", options.pid,
                   captured->summary, captured->frozen_ms);
        if (options.stats)
            fmt::print(stderr, "frozen-ms: {:.1f}\n", captured->frozen_ms);
        return 0;
    }
    auto *failed = std::get_if<runtime::Failed>(&reply);
    fmt::print(stderr, "bascule-snap: capture of process {} failed: {}\n", options.pid,
               failed ? failed->reason : "the runtime answered with another reply");
    return kExitFailed;
}

} // namespace bsc::snap
