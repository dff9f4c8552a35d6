// SPDX-License-Identifier: MIT
// The POSIX file operations images need: exclusive creation, direct I/O, durable renames,
// and reading. Failures throw ImageError naming the file.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "huge_pages.h"
#include "image_error.h"

namespace bsc::snapshot {

// "PATH: cannot ACTION: strerror(errno)".
ImageError io_error(const std::filesystem::path &path, std::string_view action);

// Direct I/O (O_DIRECT) needs file offsets, lengths and memory aligned to the device's
// logical block; 4 KiB covers every common device.
inline constexpr size_t kDirectAlignment = 4096;

// Offsets and sizes rounded to the alignment.
inline uint64_t align_down(uint64_t offset) {
    return offset / kDirectAlignment * kDirectAlignment;
}
inline uint64_t align_up(uint64_t size) { return align_down(size + kDirectAlignment - 1); }

struct FreeAligned {
    size_t size = 0;
    void operator()(std::byte *bytes) const {
        deallocate_bytes(bytes, size, kDirectAlignment, kReadInHugePages);
    }
};
using AlignedBuffer = std::unique_ptr<std::byte[], FreeAligned>;
// `size` bytes at an address aligned for direct I/O; `size` is a multiple of the alignment.
// A large one is in huge pages (huge_pages.h): reading the 2.4 MB page index of a 1 GiB
// image into 4 KiB pages, then hashing it, took 3.6 ms here; in huge pages, 0.8 ms.
AlignedBuffer aligned_buffer(size_t size);

// Creates `path`, which must not exist, for writing, readable by its owner only.
int create_exclusive(const std::filesystem::path &path);
// Sets or clears O_DIRECT on `fd`, open on `path`; returns whether it is set: not where the
// file system refuses it.
bool set_direct_io(int fd, bool on, const std::filesystem::path &path);
void sync_file(int fd, const std::filesystem::path &path);
// Makes a rename or unlink in `directory` durable.
void sync_directory(const std::filesystem::path &directory);

// A file open for reading with direct I/O: an image's bytes are read once, at restore,
// and an image just written with direct I/O is not in the page cache; filling pages of the
// cache that the kernel allocates for the purpose costs more than the disk (README.md).
class ReadOnlyFile {
public:
    explicit ReadOnlyFile(const std::filesystem::path &path);
    // Only the `size` bytes at `base`, which offsets count from (an image embedded in
    // another's file). Throws ImageError if the file does not hold them.
    ReadOnlyFile(const std::filesystem::path &path, uint64_t base, uint64_t size);
    ~ReadOnlyFile();
    ReadOnlyFile(const ReadOnlyFile &) = delete;
    ReadOnlyFile &operator=(const ReadOnlyFile &) = delete;

    uint64_t size() const { return size_; }
    // Reads the `length` bytes at `offset` into `buffer`, aligned for direct I/O and of
    // read_buffer_size(length) bytes, and returns where they are in it.
    // Throws ImageError if the file no longer holds them.
    std::span<const std::byte> read(uint64_t offset, size_t length, std::byte *buffer) const;

private:
    std::filesystem::path path_;
    int fd_ = -1;
    uint64_t base_ = 0, size_ = 0;
    mutable std::atomic<bool> direct_ = false; // cleared if a read is refused
};

// The room ReadOnlyFile::read needs for `length` bytes.
size_t read_buffer_size(size_t length);

// An image's bytes as a reader gets them: in memory, or read from a file a part at a time,
// so that opening an image reads its small sections and not its page blocks.
class ImageSource {
public:
    explicit ImageSource(std::span<const std::byte> memory) : memory_(memory) {}
    explicit ImageSource(const std::filesystem::path &path)
        : file_(std::make_unique<ReadOnlyFile>(path)) {}
    ImageSource(const std::filesystem::path &path, uint64_t base, uint64_t size)
        : file_(std::make_unique<ReadOnlyFile>(path, base, size)) {}

    uint64_t size() const { return file_ ? file_->size() : memory_.size(); }
    // The `length` bytes at `offset`, which lie within size(); they last as long as this.
    std::span<const std::byte> bytes(uint64_t offset, uint64_t length);
    const ReadOnlyFile *file() const { return file_.get(); } // null for bytes in memory
    std::span<const std::byte> memory() const { return memory_; }

private:
    std::unique_ptr<ReadOnlyFile> file_;
    std::span<const std::byte> memory_;
    std::vector<AlignedBuffer> kept_; // what bytes() read from the file
};

} // namespace bsc::snapshot
