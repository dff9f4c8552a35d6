// SPDX-License-Identifier: MIT
// `bascule-snap receive --listen PORT -o IMAGE`: waits for one `bascule-snap capture --to`
// and writes what it sends: the image, and its parents beside it, each checked as a restore
// checks it before it takes its name (snapshot/image_transfer.h). The sender hears whether
// they arrived whole (one byte back), and keeps its image if not.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include <fmt/core.h>

#include "commands.h"
#include "image_transfer.h"
#include "tcp.h"

namespace bsc::snap {

std::vector<std::filesystem::path> receive_images(const std::string &listen,
                                                  const std::string &image) {
    auto listener = tools::listen_tcp(listen);
    fmt::print(stderr, "bascule-snap: listening on port {}\n", listener.port);
    int fd = tools::accept_one(listener, listen);
    auto started = std::chrono::steady_clock::now();
    try {
        auto files = snapshot::receive_image_files(fd, image);
        [[maybe_unused]] auto n = ::write(fd, "y", 1);
        ::close(fd);
        uint64_t bytes = 0;
        for (const auto &file : files)
            bytes += std::filesystem::file_size(file);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fmt::print(stderr, "bascule-snap: received {} image(s), {:.1f} MiB, in {:.2f} s: {}\n",
                   files.size(), bytes / 1048576.0, seconds, image);
        return files;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

int receive_command(const std::string &listen, const std::string &image) {
    try {
        receive_images(listen, image);
        return 0;
    } catch (const std::exception &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
}

} // namespace bsc::snap
