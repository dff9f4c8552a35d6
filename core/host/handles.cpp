// SPDX-License-Identifier: MIT
// The host handle table.
#include "handles.h"

#include <sched.h>
#include <unistd.h>

namespace bsc::host {

Object::~Object() {
    if (fd >= 0)
        ::close(fd);
}

bsc_handle HandleTable::insert(std::shared_ptr<Object> object) {
    std::lock_guard lock(mutex_);
    // Numbers are not reused, so a stale handle is reported as bad rather than aliasing.
    if (next_ == UINT32_MAX)
        return BSC_NO_HANDLE;
    bsc_handle handle = next_++;
    if (object->fd >= 0 && (object->type == BSC_TYPE_FILE || object->type == BSC_TYPE_DIRECTORY))
        published_.publish(handle, object.get());
    objects_.emplace(handle, std::move(object));
    return handle;
}

std::shared_ptr<Object> HandleTable::find(bsc_handle handle) const {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(handle);
    return it == objects_.end() ? nullptr : it->second;
}

std::shared_ptr<Object> HandleTable::remove(bsc_handle handle) {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(handle);
    if (it == objects_.end())
        return nullptr;
    published_.withdraw(handle);
    auto object = std::move(it->second);
    objects_.erase(it);
    return object;
}

void PublishedStreams::publish(bsc_handle handle, const Object *object) {
    Slot &slot = slot_of(handle);
    if (slot.word.load(std::memory_order_relaxed) != 0)
        return;
    slot.object = object;
    slot.word.store(uint64_t{handle} << 32 | kPublished, std::memory_order_release);
}

void PublishedStreams::withdraw(bsc_handle handle) {
    Slot &slot = slot_of(handle);
    if ((slot.word.load(std::memory_order_relaxed) >> 32) != handle)
        return;
    slot.word.fetch_and(~kPublished, std::memory_order_relaxed);
    while (slot.word.load(std::memory_order_acquire) & kPins)
        ::sched_yield(); // a fast call is one system call: it ends soon
    slot.object = nullptr;
    slot.word.store(0, std::memory_order_release);
}

void PublishedStreams::after_fork() {
    for (Slot &slot : slots_)
        slot.word.fetch_and(~kPins, std::memory_order_relaxed);
}

HandleTable &handles() {
    static HandleTable table;
    return table;
}

} // namespace bsc::host
