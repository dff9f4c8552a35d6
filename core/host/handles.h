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

// The regular files and directories the gate's fast calls (fast_calls.cpp) may use
// without the table's lock, which they must not take (they run with the guest's %fs).
// Each handle has one slot (its number modulo kSlots); a fast call pins the slot's object
// with a count that withdraw() waits out before the object may go; a handle whose slot is
// taken is not published, and its calls go the usual way. Everything here is inline and
// lock-free: fast calls reach it with no thread-local state.
class PublishedStreams {
public:
    static constexpr size_t kSlots = 4096;

    // The object published for `handle`, pinned until unpin(); null if there is none.
    const Object *pin(bsc_handle handle) {
        Slot &slot = slot_of(handle);
        uint64_t word = slot.word.load(std::memory_order_acquire);
        if ((word >> 32) != handle || !(word & kPublished))
            return nullptr;
        if (!slot.word.compare_exchange_strong(word, word + 1, std::memory_order_acquire,
                                               std::memory_order_relaxed))
            return nullptr; // withdrawn, or another pin came first: the usual way then
        return slot.object;
    }
    void unpin(bsc_handle handle) { slot_of(handle).word.fetch_sub(1, std::memory_order_release); }

    // Under the table's lock.
    void publish(bsc_handle handle, const Object *object);
    void withdraw(bsc_handle handle);
    // In a forked child, which has only the forking thread: the other threads' pins go.
    void after_fork();

private:
    static constexpr uint64_t kPublished = uint64_t{1} << 31;
    static constexpr uint64_t kPins = kPublished - 1;
    struct Slot {
        std::atomic<uint64_t> word{0}; // handle << 32 | kPublished | pins; 0: free
        const Object *object = nullptr;
    };
    Slot &slot_of(bsc_handle handle) { return slots_[handle % kSlots]; }
    Slot slots_[kSlots];
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
    PublishedStreams &published() { return published_; }

private:
    mutable std::mutex mutex_;
    PublishedStreams published_;
    std::unordered_map<bsc_handle, std::shared_ptr<Object>> objects_;
    bsc_handle next_ = 1;
};

HandleTable &handles();

} // namespace bsc::host
