// SPDX-License-Identifier: MIT
// `bascule-snap capture PID -o IMAGE`: asks the runtime of process PID, over its control
// socket, to capture its guest, and reports the outcome.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include <fmt/core.h>

#include "commands.h"
#include "control_socket.h"
#include "progress_bar.h"

namespace bsc::snap {
namespace {

// The user a process runs as, from its /proc entry.
std::optional<uid_t> owner_of(int pid) {
    struct stat st;
    if (::stat(fmt::format("/proc/{}", pid).c_str(), &st) != 0)
        return std::nullopt;
    return st.st_uid;
}

std::string absolute(const std::string &path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

} // namespace

int capture_command(const CaptureOptions &options) {
    auto uid = owner_of(options.pid);
    if (!uid) {
        fmt::print(stderr, "bascule-snap: no process {}\n", options.pid);
        return kExitFailed;
    }
    std::string socket = runtime::control_socket_path(options.pid, *uid);
    int fd;
    try {
        fd = runtime::connect_to_control_socket(socket);
    } catch (const std::system_error &e) {
        fmt::print(stderr,
                   "bascule-snap: process {} has no control socket ({}): is it a `bascule run` "
                   "process?\n",
                   options.pid, e.what());
        return kExitFailed;
    }
    runtime::ControlMessage request{{"command", "capture"},
                                    {"image", absolute(options.image)},
                                    {"leave-running", options.leave_running ? "1" : "0"}};
    if (!options.parent.empty())
        request.emplace_back("parent", absolute(options.parent));
    if (!runtime::send_message(fd, request)) {
        fmt::print(stderr, "bascule-snap: the runtime of process {} hung up\n", options.pid);
        ::close(fd);
        return kExitFailed;
    }
    std::optional<std::string> result;
    {
        ProgressBar bar("capturing");
        while (auto line = runtime::receive_line(fd)) {
            uint64_t done, total;
            if (std::sscanf(line->c_str(), "progress %lu %lu", &done, &total) == 2) {
                bar.update(done, total);
                continue;
            }
            result = line;
            break;
        }
    }
    ::close(fd);
    if (result && result->starts_with("ok ")) {
        std::string text = result->substr(3);
        fmt::print(stderr, "bascule-snap: captured process {}: {}\n", options.pid, text);
        if (options.stats)
            if (auto at = text.find("frozen-ms="); at != std::string::npos)
                fmt::print(stderr, "frozen-ms: {}\n", text.substr(at + 10));
        return 0;
    }
    fmt::print(stderr, "bascule-snap: capture of process {} failed: {}\n", options.pid,
               result ? (result->starts_with("error ") ? result->substr(6) : *result)
                      : "the runtime closed the connection without an answer");
    return kExitFailed;
}

} // namespace bsc::snap
