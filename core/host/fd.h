// SPDX-License-Identifier: MIT
// Owning host descriptors and turning failed libc calls into status codes, for the PAL.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <utility>

#include "errors.h"

namespace bsc::host {

// Owns a descriptor until it is released into an Object, so every error path closes it.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept {
        reset(other.release());
        return *this;
    }
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

// A descriptor of the process's own (its /proc/self files, its userfaultfds), opened at
// first use and again in a child of process_fork: the parent's copy would show or change
// the parent (a userfaultfd acts on the memory of the process that opened it).
class PerProcessFd {
  public:
    explicit PerProcessFd(int (*open)()) : open_(open) {}
    // The descriptor, -1 if it cannot be opened. It stays open as long as the process.
    int get() {
        std::lock_guard lock(mutex_);
        if (opened_by_ != ::getpid()) {
            fd_ = UniqueFd(open_());
            opened_by_ = ::getpid();
        }
        return fd_.get();
    }

  private:
    int (*open_)();
    std::mutex mutex_;
    pid_t opened_by_ = 0;
    UniqueFd fd_;
};

// The most one read or write moves; the kernel caps a transfer there anyway, and it keeps
// the ssize_t result exact.
inline constexpr uint64_t kMaxTransfer = 0x7ffff000;

// The status of the libc call that just failed (returned -1 and set errno).
inline bsc_status errno_status() { return status_from_errno(errno); }

// BSC_OK for a libc result >= 0, else the status of errno.
inline bsc_status check(long result) { return result >= 0 ? BSC_OK : errno_status(); }

} // namespace bsc::host
