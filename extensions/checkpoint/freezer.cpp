// SPDX-License-Identifier: MIT
#include "freezer.h"

namespace bsc::checkpoint {

void Freezer::add(GuestThread thread) {
    std::lock_guard lock(mutex_);
    threads_[thread.tcb] = thread;
}

void Freezer::set_handle(uint64_t tcb, bsc_handle handle) {
    std::lock_guard lock(mutex_);
    if (auto it = threads_.find(tcb); it != threads_.end())
        it->second.handle = handle;
}

void Freezer::remove(uint64_t tcb) {
    std::lock_guard lock(mutex_);
    threads_.erase(tcb);
    changed_.notify_all();
}

void Freezer::keep_only(uint64_t tcb) {
    std::lock_guard lock(mutex_);
    std::erase_if(threads_, [tcb](const auto &entry) { return entry.first != tcb; });
}

std::optional<GuestThread> Freezer::find(uint64_t tcb) const {
    std::lock_guard lock(mutex_);
    auto it = threads_.find(tcb);
    if (it == threads_.end())
        return std::nullopt;
    return it->second;
}

bool Freezer::all_parked() const {
    for (const auto &[tcb, thread] : threads_)
        if (!thread.parked)
            return false;
    return true;
}

bool Freezer::freeze(const std::function<bool(bsc_handle)> &interrupt,
                     std::chrono::milliseconds timeout) {
    std::vector<bsc_handle> handles;
    {
        std::lock_guard lock(mutex_);
        frozen_ = true;
        freeze_count_++;
        for (auto &[tcb, thread] : threads_) {
            thread.parked = false;
            handles.push_back(thread.handle);
        }
    }
    changed_.notify_all(); // a thread still in park() from the last freeze parks again
    for (bsc_handle handle : handles)
        if (!interrupt(handle)) {
            thaw();
            return false;
        }
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, [this] { return all_parked(); }))
        return true;
    lock.unlock();
    thaw();
    return false;
}

void Freezer::thaw() {
    std::lock_guard lock(mutex_);
    frozen_ = false;
    for (auto &[tcb, thread] : threads_)
        thread.parked = false;
    changed_.notify_all();
}

std::vector<GuestThread> Freezer::threads() const {
    std::lock_guard lock(mutex_);
    std::vector<GuestThread> out;
    for (const auto &[tcb, thread] : threads_)
        out.push_back(thread);
    return out;
}

void Freezer::park(std::unique_lock<std::mutex> &lock, uint64_t tcb, ParkPoint point,
                   uint64_t record) {
    auto it = threads_.find(tcb);
    if (!frozen_ || it == threads_.end() || it->second.parked)
        return;
    it->second.park = point;
    it->second.record = record;
    for (;;) {
        it->second.parked = true;
        changed_.notify_all();
        uint64_t freeze = freeze_count_;
        changed_.wait(lock, [&] { return !frozen_ || freeze_count_ != freeze; });
        if (!frozen_)
            return;
        // Thawed and frozen again before this thread woke: it has not moved, so it is
        // parked for the new freeze as it stands (freeze() cleared `parked`).
        it = threads_.find(tcb);
        if (it == threads_.end())
            return;
    }
}

void Freezer::park_in_exception(uint64_t tcb, uint64_t record) {
    std::unique_lock lock(mutex_);
    park(lock, tcb, ParkPoint::exception, record);
}

void Freezer::park_before_start(uint64_t tcb) {
    std::unique_lock lock(mutex_);
    park(lock, tcb, ParkPoint::not_started, 0);
}

void Freezer::exit(uint64_t tcb) {
    std::unique_lock lock(mutex_);
    park(lock, tcb, ParkPoint::exiting, 0);
    threads_.erase(tcb);
    changed_.notify_all();
}

void Freezer::mark_resumed(uint64_t tcb) {
    std::lock_guard lock(mutex_);
    if (auto it = threads_.find(tcb); it != threads_.end())
        it->second.restored = false;
}

} // namespace bsc::checkpoint
