// SPDX-License-Identifier: MIT
// FileAppender: the caller fills a buffer while a thread of its own writes the ones before.
#include "file_appender.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <stdexcept>


namespace bsc::snapshot {
namespace {

// 8 MiB is two of the largest requests a virtio disk takes at once (max_sectors_kb 4096),
// and a few milliseconds of disk time, so a write costs one system call per many blocks.
constexpr size_t kBufferSize = 8 << 20;
// One being filled, one being written, one ready for when the disk falls behind a moment.
constexpr size_t kBuffers = 3;

} // namespace

FileAppender::FileAppender(std::filesystem::path path) : path_(std::move(path)) {
    for (size_t i = 0; i < kBuffers; i++)
        buffers_.push_back(aligned_buffer(kBufferSize));
    free_.resize(kBuffers - 1);
    std::iota(free_.begin(), free_.end(), size_t{1}); // buffer 0 is filled first
    first_page_ = aligned_buffer(kDirectAlignment);
    fd_ = create_exclusive(path_);
    try {
        direct_ = set_direct_io(fd_, true, path_);
        writer_ = std::jthread([this] { write_pending(); });
    } catch (...) { // no appender, so no owner to remove the file
        ::close(fd_);
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
        throw;
    }
}

FileAppender::~FileAppender() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    writer_.join();
    ::close(fd_);
}

void FileAppender::append(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        size_t taken = std::min(bytes.size(), kBufferSize - fill_);
        std::memcpy(buffers_[current_].get() + fill_, bytes.data(), taken);
        fill_ += taken;
        size_ += taken;
        bytes = bytes.subspan(taken);
        if (fill_ == kBufferSize) {
            submit(kBufferSize);
            current_ = take_free_buffer();
            fill_ = 0;
        }
    }
}

void FileAppender::finish(std::span<const std::byte> head) {
    if (head.size() > kDirectAlignment || head.size() > size_)
        throw std::logic_error("a file's head must be at most a page of what was appended");
    size_t padded = align_up(fill_);
    std::memset(buffers_[current_].get() + fill_, 0, padded - fill_);
    if (padded > 0)
        submit(padded);
    fill_ = 0;
    wait_idle();
    std::memcpy(first_page_.get(), head.data(), head.size());
    write_at(first_page_.get(), kDirectAlignment, 0);
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) // cuts the padding off
        throw io_error(path_, "truncate");
    sync_file(fd_, path_);
}

// Hands the current buffer's first `length` bytes to the writing thread, but for the
// file's first page, which is kept for finish.
void FileAppender::submit(size_t length) {
    uint64_t offset = size_ - fill_;
    size_t kept = offset == 0 ? std::min(length, kDirectAlignment) : 0;
    if (kept > 0) {
        std::memset(first_page_.get(), 0, kDirectAlignment);
        std::memcpy(first_page_.get(), buffers_[current_].get(), kept);
    }
    {
        std::lock_guard lock(mutex_);
        if (kept < length)
            pending_.push_back({current_, kept, length - kept, offset + kept});
        else
            free_.push_back(current_);
    }
    changed_.notify_all();
}

size_t FileAppender::take_free_buffer() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty() || failure_; });
    if (failure_)
        std::rethrow_exception(failure_);
    size_t buffer = free_.back();
    free_.pop_back();
    return buffer;
}

// The writing thread: each pending buffer in turn, until the appender is destroyed. After
// a failure it only returns buffers: the file is lost, and the caller hears of it.
void FileAppender::write_pending() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (stopping_)
            return;
        Pending next = pending_.front();
        pending_.pop_front();
        writing_ = true;
        bool failed = failure_ != nullptr;
        lock.unlock();
        std::exception_ptr failure;
        try {
            if (!failed)
                write_at(buffers_[next.buffer].get() + next.skip, next.length, next.offset);
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        if (failure && !failure_)
            failure_ = failure;
        writing_ = false;
        free_.push_back(next.buffer);
        changed_.notify_all();
    }
}

void FileAppender::write_at(const std::byte *bytes, size_t length, uint64_t offset) {
    while (length > 0) {
        ssize_t written = ::pwrite(fd_, bytes, length, static_cast<off_t>(offset));
        if (written < 0 && errno == EINTR)
            continue;
        // A file system may take the flag and refuse the I/O (a device whose logical
        // block is larger than the alignment): the page cache takes any write.
        if (written < 0 && errno == EINVAL && direct_) {
            direct_ = set_direct_io(fd_, false, path_);
            continue;
        }
        if (written <= 0)
            throw io_error(path_, "write");
        bytes += written;
        length -= static_cast<size_t>(written);
        offset += static_cast<uint64_t>(written);
    }
}

void FileAppender::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return (pending_.empty() && !writing_) || failure_; });
    if (failure_)
        std::rethrow_exception(failure_);
}

} // namespace bsc::snapshot
