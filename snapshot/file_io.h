// SPDX-License-Identifier: MIT
// The POSIX file operations images need: exclusive creation, positioned writes, durable
// renames, and read-only mappings. Failures throw ImageError naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace bsc::snapshot {

// Creates `path`, which must not exist, for writing, readable by its owner only.
int create_exclusive(const std::filesystem::path &path);
void write_at(int fd, uint64_t offset, std::span<const std::byte> bytes,
              const std::filesystem::path &path);
void sync_file(int fd, const std::filesystem::path &path);
// Makes a rename or unlink in `directory` durable.
void sync_directory(const std::filesystem::path &directory);

// A whole file mapped read-only; the mapping lasts as long as a copy of `owner`.
struct MappedFile {
    std::shared_ptr<const void> owner;
    std::span<const std::byte> bytes;
};
MappedFile map_file(const std::filesystem::path &path);

} // namespace bsc::snapshot
