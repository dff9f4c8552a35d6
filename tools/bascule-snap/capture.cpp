// SPDX-License-Identifier: MIT
// `bascule-snap capture PID -o IMAGE`: asks the runtime of process PID, over its control
// socket, to capture its guest, and reports the outcome. With --to, the image (and its
// parents) then go to a `bascule-snap receive` over TCP (snapshot/image_transfer.h); with
// --pre-copy, rounds of the memory go while the guest runs, and only the last round,
// the pages changed since, is captured frozen.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
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
#include "temporary_directory.h"

namespace bsc::snap {
namespace {

// Rounds of a pre-copy: until one copies less than a sixteenth of the first (the guest
// changes its memory more slowly than it is copied), or this many.
constexpr int kMaxPreCopyRounds = 5;
constexpr uint64_t kSettledFraction = 16;

std::string absolute(const std::string &path) {
    return path.empty() ? path : std::filesystem::absolute(path).lexically_normal().string();
}

// Asks for one capture and waits for its outcome, drawing its progress; the Captured
// reply, or std::runtime_error with the reason.
runtime::Captured request_capture(int pid, runtime::CaptureRequest request) {
    request.image = absolute(request.image);
    request.parent = absolute(request.parent);
    runtime::ControlClient client(pid);
    ProgressBar bar(request.running ? "copying" : "capturing");
    auto reply = client.call(request, [&bar](const runtime::CaptureProgress &step) {
        bar.update(step.done, step.total);
    });
    if (auto *captured = std::get_if<runtime::Captured>(&reply))
        return *captured;
    auto *failed = std::get_if<runtime::Failed>(&reply);
    throw std::runtime_error(fmt::format("capture of process {} failed: {}", pid,
                                         failed ? failed->reason
                                                : "the runtime answered with another reply"));
}

void report(const CaptureOptions &options, const runtime::Captured &captured) {
    fmt::print(stderr, "bascule-snap: captured process {}: {} frozen-ms={:.1f}\n", options.pid,
               captured.summary, captured.frozen_ms);
    if (options.stats)
        fmt::print(stderr, "frozen-ms: {:.1f}\n", captured.frozen_ms);
}

// A connection to a receiver, with the sender of its stream.
class Transfer {
public:
    explicit Transfer(const std::string &to)
        : to_(to), fd_(tools::connect_tcp(to)), sender_(fd_),
          started_(std::chrono::steady_clock::now()) {}
    ~Transfer() { ::close(fd_); }
    void send(const std::filesystem::path &file) {
        sender_.send(file);
        files_++;
    }
    // Ends the stream and waits for the receiver to say it took the images.
    void finish() {
        sender_.finish();
        ::shutdown(fd_, SHUT_WR);
        char answer;
        if (::read(fd_, &answer, 1) != 1 || answer != 'y')
            throw std::runtime_error(fmt::format("{} did not accept the images (see its "
                                                 "messages)", to_));
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        fmt::print(stderr, "bascule-snap: sent {} image(s), {:.1f} MiB, to {} in {:.2f} s\n",
                   files_, sender_.bytes_sent() / 1048576.0, to_, seconds);
    }

private:
    std::string to_;
    int fd_;
    snapshot::ImageSender sender_;
    std::chrono::steady_clock::time_point started_;
    size_t files_ = 0;
};

// A capture, written to -o or a staging directory, and sent if asked. `written`: the
// newest image written so far.
void capture_and_send(const CaptureOptions &options, std::optional<TemporaryDirectory> &staging,
                      std::string &written) {
    std::string image = options.image.empty() ? (staging.emplace("bascule-send") / "sent.img").string()
                                              : options.image;
    report(options, request_capture(options.pid, {image, options.parent, options.leave_running,
                                                  false}));
    written = image;
    if (options.to.empty())
        return;
    Transfer transfer(options.to);
    for (const auto &file : snapshot::chain_files(image))
        transfer.send(file);
    transfer.finish();
}

// Rounds copied while the guest runs, each sent at once, each over the one before; then
// the frozen capture of what changed since the last.
void pre_copy(const CaptureOptions &options, TemporaryDirectory &staging, std::string &written) {
    Transfer transfer(options.to);
    std::string parent;
    uint64_t first = 0;
    for (int round = 0; round < kMaxPreCopyRounds; round++) {
        std::string image = (staging / fmt::format("round-{}.img", round)).string();
        request_capture(options.pid, {image, parent, true, true});
        written = image;
        transfer.send(image);
        uint64_t size = std::filesystem::file_size(image);
        fmt::print(stderr, "bascule-snap: pre-copy round {}: {:.1f} MiB while the guest ran\n",
                   round, size / 1048576.0);
        parent = image;
        if (round == 0)
            first = size;
        else if (size * kSettledFraction < first)
            break;
    }
    std::string image = (staging / "final.img").string();
    report(options, request_capture(options.pid, {image, parent, options.leave_running, false}));
    written = image;
    transfer.send(image);
    transfer.finish();
}

} // namespace

int capture_command(const CaptureOptions &options) {
    std::optional<TemporaryDirectory> staging;
    std::string written;
    try {
        if (options.pre_copy)
            pre_copy(options, staging.emplace("bascule-send"), written);
        else
            capture_and_send(options, staging, written);
        return 0;
    } catch (const std::exception &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        if (!written.empty()) { // written, not sent
            if (staging)
                staging->keep();
            fmt::print(stderr, "bascule-snap: the image stays in {}\n", written);
        }
        return kExitFailed;
    }
}

} // namespace bsc::snap
