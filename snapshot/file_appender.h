// SPDX-License-Identifier: MIT
// A new file written front to back through large aligned buffers: a background thread
// writes each full buffer, past the page cache where the file system allows it, while the
// caller fills the next.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "file_io.h"

namespace bsc::snapshot {

// Writes bypass the page cache (O_DIRECT): a buffered write of an image costs as much
// kernel time copying into the cache as the disk takes, and its fsync then writes it all
// out again; a direct write goes from the buffer to the disk once. Where the file system
// refuses O_DIRECT (ramfs, tmpfs before Linux 6.6), the same writes go through the cache.
//
// The unaligned end of the file is written padded with zeros to the alignment, and the
// file is then truncated to its size. The first 4 KiB are written last, by finish, with
// the bytes the caller wants there (an image's header, known only at the end); so a file
// that was never finished does not begin with a valid header.
class FileAppender {
public:
    // Creates `path`, which must not exist, readable and writable by its owner only.
    // Throws ImageError naming it.
    explicit FileAppender(std::filesystem::path path);
    ~FileAppender(); // stops writing; removes nothing
    FileAppender(const FileAppender &) = delete;
    FileAppender &operator=(const FileAppender &) = delete;

    // Adds `bytes` at the end of the file. Waits while every buffer is being written.
    // Throws ImageError if an earlier write failed.
    void append(std::span<const std::byte> bytes);
    // The bytes appended so far.
    uint64_t size() const { return size_; }
    // Writes what is left, with `head` (at most 4 KiB, and no more than was appended) over
    // the file's first bytes, and makes the file durable. Nothing may be appended after.
    void finish(std::span<const std::byte> head);
    // Whether the writes bypass the page cache.
    bool direct() const { return direct_.load(); }

private:
    // A buffer's bytes on their way to the file.
    struct Pending {
        size_t buffer;
        size_t skip; // bytes at the buffer's start not written (the first page of the file)
        size_t length;
        uint64_t offset;
    };

    void submit(size_t length);
    size_t take_free_buffer();
    void write_pending();
    void write_at(const std::byte *bytes, size_t length, uint64_t offset);
    void wait_idle();

    std::filesystem::path path_;
    int fd_ = -1;
    std::atomic<bool> direct_ = false; // cleared by the writing thread if a write is refused
    uint64_t size_ = 0;
    std::vector<AlignedBuffer> buffers_;
    AlignedBuffer first_page_; // the file's first bytes, written by finish
    size_t current_ = 0;       // the buffer being filled, which starts at file offset size_ - fill_
    size_t fill_ = 0;

    // Shared with the writing thread.
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<size_t> free_;
    std::deque<Pending> pending_;
    bool writing_ = false;
    bool stopping_ = false;
    std::exception_ptr failure_;
    std::jthread writer_; // last: it starts once everything it uses exists
};

} // namespace bsc::snapshot
