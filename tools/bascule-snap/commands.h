// SPDX-License-Identifier: MIT
// The subcommands of `bascule-snap`, each in its own file.
#pragma once

#include <filesystem>

#include <string>
#include <vector>

namespace bsc::snap {

// Exit codes: 0 only for a complete result.
inline constexpr int kExitFailed = 1; // the operation failed (message on stderr)
inline constexpr int kExitUsage = 2;  // a bad command line

struct CaptureOptions {
    int pid = 0;
    std::string image; // may be empty with `to`: a temporary file
    std::string parent;
    std::string to; // tcp://HOST:PORT: send the image there (bascule-snap receive)
    bool pre_copy = false; // with `to`: send the memory while the guest runs, first
    bool leave_running = false;
    bool stats = false;
};

struct RestoreOptions {
    std::string image;
    std::string from; // tcp://[HOST]:PORT: receive the image there first, instead of `image`
    std::vector<std::string> extensions; // overrides the recorded stack when given
    bool allow_changed_files = false;
    bool lazy = false; // resume before the memory is in
    bool verbose = false;
    bool stats = false; // say when the guest resumes
};

int capture_command(const CaptureOptions &options);
// `bascule-snap receive --listen PORT -o IMAGE`: the images one `capture --to` sends.
int receive_command(const std::string &listen, const std::string &image);
// The same, for restore --from: the files written, parents first. Throws std::exception.
std::vector<std::filesystem::path> receive_images(const std::string &listen,
                                                  const std::string &image);
int restore_command(const RestoreOptions &options);
int inspect_command(const std::string &image, bool json);
int diff_command(const std::string &a, const std::string &b, bool json);
int verify_command(const std::string &image);

} // namespace bsc::snap
