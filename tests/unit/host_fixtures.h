// SPDX-License-Identifier: MIT
// What the host PAL unit tests share: temporary directories, unusable guest pointers,
// and shorthands for opening, reading and writing streams.
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "bascule_host.h"
#include "host_calls.h"

namespace bsc::test {

// Every test starts with this; initialise() is idempotent.
inline void host_ready() { bsc::host::initialise(); }

// A fresh directory under /tmp, removed with everything in it when the test ends.
class TempDir {
  public:
    TempDir() {
        char name[] = "/tmp/bascule-unit-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path_ = name;
    }
    ~TempDir() {
        ::nftw(
            path_.c_str(),
            [](const char *path, const struct stat *, int, FTW *) { return ::remove(path); }, 16,
            FTW_DEPTH | FTW_PHYS);
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;

    std::string path(std::string_view name = {}) const {
        return name.empty() ? path_ : path_ + "/" + std::string(name);
    }
    // "file:/tmp/bascule-unit-XXXXXX/name" and the like.
    std::string uri(std::string_view scheme, std::string_view name = {}) const {
        return std::string(scheme) + ":" + path(name);
    }

  private:
    std::string path_;
};

// A guest pointer nothing is mapped at.
inline void *const kBadPointer = reinterpret_cast<void *>(1);
// A handle number no object has.
inline constexpr bsc_handle kNoSuchHandle = 987654;

// A page of guest memory for the calls' arguments.
struct GuestPage {
    uint64_t addr = 0;
    GuestPage() {
        REQUIRE(host_vm_alloc(&addr, 4096, BSC_PROT_READ | BSC_PROT_WRITE, 0) == BSC_OK);
    }
    ~GuestPage() { host_vm_free(addr, 4096); }
    GuestPage(const GuestPage &) = delete;
    GuestPage &operator=(const GuestPage &) = delete;
    template <class T> T *at(uint64_t offset) { return reinterpret_cast<T *>(addr + offset); }
};

// A page the test owns that can be neither read nor written.
class NoAccessPage {
  public:
    NoAccessPage() : page_(::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
        REQUIRE(page_ != MAP_FAILED);
    }
    ~NoAccessPage() { ::munmap(page_, 4096); }
    NoAccessPage(const NoAccessPage &) = delete;
    NoAccessPage &operator=(const NoAccessPage &) = delete;

    template <class T> T *as() const { return static_cast<T *>(page_); }

  private:
    void *page_;
};

inline bsc_status open_status(const std::string &uri, uint32_t access,
                              uint32_t create = BSC_CREATE_NEVER, uint32_t options = 0,
                              bsc_handle *handle = nullptr) {
    bsc_handle ignored = BSC_NO_HANDLE;
    bsc_status status =
        host_stream_open(uri.c_str(), access, 0644, create, options, handle ? handle : &ignored);
    if (status == BSC_OK && handle == nullptr)
        host_object_close(ignored);
    return status;
}

inline bsc_handle open_ok(const std::string &uri, uint32_t access,
                          uint32_t create = BSC_CREATE_NEVER, uint32_t options = 0) {
    bsc_handle handle = BSC_NO_HANDLE;
    INFO(uri);
    REQUIRE(open_status(uri, access, create, options, &handle) == BSC_OK);
    REQUIRE(handle != BSC_NO_HANDLE);
    return handle;
}

inline void write_ok(bsc_handle handle, std::string_view text, uint64_t offset = BSC_AT_POSITION) {
    uint64_t done = 0;
    REQUIRE(host_stream_write(handle, offset, text.data(), text.size(), &done) == BSC_OK);
    REQUIRE(done == text.size());
}

inline std::string read_ok(bsc_handle handle, size_t max, uint64_t offset = BSC_AT_POSITION) {
    std::string buffer(max, '\0');
    uint64_t done = 0;
    REQUIRE(host_stream_read(handle, offset, buffer.data(), max, &done) == BSC_OK);
    REQUIRE(done <= max);
    buffer.resize(done);
    return buffer;
}

// A file's bytes, read on the host directly (not through the ABI).
inline std::string file_contents(const std::string &path) {
    std::string text;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    char chunk[4096];
    ssize_t n;
    while ((n = ::read(fd, chunk, sizeof chunk)) > 0)
        text.append(chunk, static_cast<size_t>(n));
    ::close(fd);
    return text;
}

inline void write_file(const std::string &path, std::string_view text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
}

// Runs `call` on a new thread and signals that thread with a real-time signal — whose handler is
// installed without SA_RESTART, as the runtime's interrupt signal is — until the call
// returns. Returns the call's status.
template <class F> bsc_status interrupt_while_blocked(F call) {
    struct sigaction action {};
    action.sa_handler = [](int) {};
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    // A signal the host leaves alone: it takes the standard ones that come from outside.
    const int sig = SIGRTMIN + 5;
    REQUIRE(::sigaction(sig, &action, nullptr) == 0);
    std::atomic<bool> done{false};
    std::atomic<bsc_status> status{BSC_OK};
    std::thread thread([&] {
        status = call();
        done = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    while (!done) {
        ::pthread_kill(thread.native_handle(), sig);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    thread.join();
    return status;
}

inline int64_t monotonic_ns() {
    int64_t now = 0;
    REQUIRE(host_time_query(BSC_CLOCK_MONOTONIC, &now) == BSC_OK);
    return now;
}

} // namespace bsc::test
