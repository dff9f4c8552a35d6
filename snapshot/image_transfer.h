// SPDX-License-Identifier: MIT
// Images over a stream (bascule-snap capture --to, receive, restore --from): the files of
// an image chain, parents first, each framed with its name and size and followed by the
// xxh3-64 of its bytes, as they are written (a pre-copy sends each round's image while the
// guest runs on), then an end. The receiver writes each to a temporary file beside its
// destination and checks its checksum as it arrives; then it opens each as a restore
// would, checking every block (and a tree's member images) and that each names the one
// before as its parent, and only then renames them into place. An interrupted or corrupt
// transfer leaves no image and no temporary file. README.md gives the format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bsc::snapshot {

// The files of the chain whose newest image is `image`, parents first: what
// send_image_files sends. They must be in one directory (a receiver puts them in one, and
// a child names its parent relative to its own directory). Throws ImageError.
std::vector<std::filesystem::path> chain_files(const std::filesystem::path &image);

// Sends image files over a stream, parents first, one at a time; finish() ends the
// stream. Throws ImageError if a file cannot be read or the stream is cut.
class ImageSender {
public:
    explicit ImageSender(int fd);
    void send(const std::filesystem::path &file);
    void finish();
    uint64_t bytes_sent() const { return sent_; }

private:
    int fd_;
    uint64_t sent_ = 0;
};

// Sends `files` (chain_files) over `fd`; returns the bytes of the files sent.
uint64_t send_image_files(int fd, std::span<const std::filesystem::path> files);

// Receives what send_image_files sent, to its end: the newest image becomes `output`, its
// parents keep their names beside it. Returns the paths written, parents first. Throws
// ImageError, having left nothing, if the stream is cut, malformed or corrupt.
std::vector<std::filesystem::path> receive_image_files(int fd, const std::filesystem::path &output);

} // namespace bsc::snapshot
