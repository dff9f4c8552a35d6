// SPDX-License-Identifier: MIT
// `bascule-snap capture PID -o IMAGE`: asks the runtime of process PID, over its control
// socket, to capture its guest, and reports the outcome. With --to, the image (and its
// parents) then go to a `bascule-snap receive` over TCP (snapshot/image_transfer.h).
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <variant>

#include <fmt/core.h>

#include "commands.h"
#include "control_client.h"
#include "image_transfer.h"
#include "progress_bar.h"
#include "tcp.h"

namespace bsc::snap {
namespace {

std::string absolute(const std::string &path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// Sends the capture request and waits for its outcome, drawing its progress.
runtime::ControlReply request_capture(const CaptureOptions &options, const std::string &image) {
    runtime::ControlClient client(options.pid);
    runtime::CaptureRequest request{absolute(image), absolute(options.parent),
                                    options.leave_running};
    ProgressBar bar("capturing");
    return client.call(request, [&bar](const runtime::CaptureProgress &step) {
        bar.update(step.done, step.total);
    });
}

// Where an image only sent goes meanwhile, a directory of its own in the temporary
// directory; removed unless kept (a send that failed keeps it: nothing is lost).
class StagingDirectory {
public:
    StagingDirectory() {
        auto base = std::filesystem::temp_directory_path();
        std::string pattern = (base / "bascule-send-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error(fmt::format("cannot make a directory in {}: {}",
                                                 base.string(), std::strerror(errno)));
        path_ = pattern;
    }
    ~StagingDirectory() {
        if (!kept_) {
            std::error_code ignored;
            std::filesystem::remove_all(path_, ignored);
        }
    }
    std::filesystem::path image() const { return path_ / "sent.img"; }
    void keep() { kept_ = true; }

private:
    std::filesystem::path path_;
    bool kept_ = false;
};

// Sends the image and its parents to `to`; false (having said why) if they did not all go.
bool send(const std::string &image, const std::string &to) {
    auto started = std::chrono::steady_clock::now();
    try {
        auto files = snapshot::chain_files(image);
        int fd = connect_tcp(to);
        uint64_t bytes = snapshot::send_image_files(fd, files);
        ::shutdown(fd, SHUT_WR);
        char answer;
        bool received = ::read(fd, &answer, 1) == 1 && answer == 'y';
        ::close(fd);
        if (!received)
            throw std::runtime_error(fmt::format("{} did not accept the images (see its "
                                                 "messages)", to));
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fmt::print(stderr, "bascule-snap: sent {} image(s), {:.1f} MiB, to {} in {:.2f} s\n",
                   files.size(), bytes / 1048576.0, to, seconds);
        return true;
    } catch (const std::exception &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return false;
    }
}

} // namespace

int capture_command(const CaptureOptions &options) {
    std::optional<StagingDirectory> staging;
    std::string image = options.image;
    runtime::ControlReply reply;
    try {
        if (image.empty())
            image = staging.emplace().image().string();
        reply = request_capture(options, image);
    } catch (const std::exception &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    auto *captured = std::get_if<runtime::Captured>(&reply);
    if (!captured) {
        auto *failed = std::get_if<runtime::Failed>(&reply);
        fmt::print(stderr, "bascule-snap: capture of process {} failed: {}\n", options.pid,
                   failed ? failed->reason : "the runtime answered with another reply");
        return kExitFailed;
    }
    fmt::print(stderr, "bascule-snap: captured process {}: {} frozen-ms={:.1f}\n", options.pid,
               captured->summary, captured->frozen_ms);
    if (options.stats)
        fmt::print(stderr, "frozen-ms: {:.1f}\n", captured->frozen_ms);
    if (options.to.empty() || send(image, options.to))
        return 0;
    if (staging)
        staging->keep();
    fmt::print(stderr, "bascule-snap: the image stays in {}\n", image);
    return kExitFailed;
}

} // namespace bsc::snap
