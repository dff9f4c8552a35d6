// SPDX-License-Identifier: MIT
// The host handle table: what each bsc_handle stands for on this host.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "bascule.h"

namespace bsc::host {

// A host object behind a handle. Every waitable object owns a descriptor that poll()
// reports readable or writable as the ABI's wait conditions say, so objects_wait_any is
// one poll() over them all. Kinds with more state derive from this.
struct Object {
    Object(uint32_t type, int fd, std::string uri) : type(type), fd(fd), uri(std::move(uri)) {}
    virtual ~Object();
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;

    const uint32_t type; // BSC_TYPE_*
    int fd;              // the host descriptor, or -1
    const std::string uri;
    uint32_t access = 0;  // BSC_ACCESS_* it was opened with
    std::atomic<uint32_t> options{0}; // BSC_OPTION_* in effect; NONBLOCK may change later
};

class HandleTable {
public:
    // Stores the object under a new number; BSC_NO_HANDLE if the table is full.
    bsc_handle insert(std::shared_ptr<Object> object);
    std::shared_ptr<Object> find(bsc_handle handle) const;
    // The object if it exists and is of type T, else null.
    template <class T> std::shared_ptr<T> find_as(bsc_handle handle) const {
        return std::dynamic_pointer_cast<T>(find(handle));
    }
    // Removes and returns the object; the caller's reference keeps it alive while in use.
    std::shared_ptr<Object> remove(bsc_handle handle);
    // Runs fn(handle, object) for every object, under the table's lock.
    template <class Fn> void for_each(Fn fn) const {
        std::lock_guard lock(mutex_);
        for (const auto &[handle, object] : objects_)
            fn(handle, *object);
    }
    // Held across process_fork, so that the child's copy of the table is whole.
    std::mutex &mutex() const { return mutex_; }

private:
    mutable std::mutex mutex_;
    std::unordered_map<bsc_handle, std::shared_ptr<Object>> objects_;
    bsc_handle next_ = 1;
};

HandleTable &handles();

} // namespace bsc::host
