// SPDX-License-Identifier: MIT
// The POSIX file operations images need: exclusive creation, direct I/O, durable renames,
// and read-only mappings. Failures throw ImageError naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "image_error.h"

namespace bsc::snapshot {

// "PATH: cannot ACTION: strerror(errno)".
ImageError io_error(const std::filesystem::path &path, std::string_view action);

// Creates `path`, which must not exist, for writing, readable by its owner only.
int create_exclusive(const std::filesystem::path &path);
// Sets or clears O_DIRECT on `fd`, open on `path`; returns whether it is set: not where the
// file system refuses it.
bool set_direct_io(int fd, bool on, const std::filesystem::path &path);
void sync_file(int fd, const std::filesystem::path &path);
// Makes a rename or unlink in `directory` durable.
void sync_directory(const std::filesystem::path &directory);

// A whole file mapped read-only; the mapping lasts as long as a copy of `owner`.
struct MappedFile {
    std::shared_ptr<const void> owner;
    std::span<const std::byte> bytes;
};
// The kernel is asked to read the whole file ahead at once: the reader checks every byte
// as soon as it opens an image, and an image just written with direct I/O is not cached.
MappedFile map_file(const std::filesystem::path &path);

} // namespace bsc::snapshot
