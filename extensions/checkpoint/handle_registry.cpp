// SPDX-License-Identifier: MIT
#include "handle_registry.h"

#include <algorithm>
#include <pthread.h>

#include <mutex>
#include <random>

namespace bsc::checkpoint {

namespace {

// One generator per process, seeded from the system's randomness, and seeded afresh in
// every child of a fork, which would otherwise draw its parent's ids (pthread_atfork; the
// lock is held across the fork, so the child's copy is free).
std::mutex generator_mutex;
std::mt19937_64 &generator() {
    static std::mt19937_64 *instance = [] {
        auto *made = new std::mt19937_64(std::random_device{}());
        ::pthread_atfork([] { generator_mutex.lock(); }, [] { generator_mutex.unlock(); },
                         [] {
                             generator().seed(std::random_device{}());
                             generator_mutex.unlock();
                         });
        return made;
    }();
    return *instance;
}

} // namespace

uint64_t new_shared_id() {
    auto &random = generator(); // before the lock: the first call registers the fork hooks
    std::lock_guard lock(generator_mutex);
    uint64_t id;
    do
        id = random();
    while (id == 0);
    return id;
}

bsc_handle HandleRegistry::below(bsc_handle above) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(above);
    if (it != entries_.end())
        return it->second.below;
    return renumbered_ ? BSC_NO_HANDLE : above;
}

void HandleRegistry::replace_below(bsc_handle above, bsc_handle below) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(above); it != entries_.end())
        it->second.below = below;
}

bsc_handle HandleRegistry::publish(HandleEntry entry) {
    std::lock_guard lock(mutex_);
    bsc_handle above = renumbered_ ? next_++ : entry.below;
    if (!entry.description)
        entry.description = new_shared_id();
    entries_[above] = std::move(entry);
    return above;
}

void HandleRegistry::adopt(bsc_handle above, HandleEntry entry) {
    std::lock_guard lock(mutex_);
    next_ = std::max(next_, above + 1);
    if (!entry.description)
        entry.description = new_shared_id();
    entries_[above] = std::move(entry);
}

std::optional<HandleEntry> HandleRegistry::find(bsc_handle above) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(above);
    if (it == entries_.end())
        return std::nullopt;
    return it->second;
}

std::optional<HandleEntry> HandleRegistry::remove(bsc_handle above) {
    std::lock_guard lock(mutex_);
    auto node = entries_.extract(above);
    if (node.empty())
        return std::nullopt;
    return std::move(node.mapped());
}

void HandleRegistry::set_partner(bsc_handle above, bsc_handle partner) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(above);
    if (it == entries_.end())
        return;
    it->second.partner = partner;
    if (auto other = entries_.find(partner); other != entries_.end())
        it->second.partner_description = other->second.description;
}

void HandleRegistry::disown_children() {
    std::lock_guard lock(mutex_);
    for (auto &[number, entry] : entries_)
        entry.forked = false;
}

void HandleRegistry::start_renumbering() {
    std::lock_guard lock(mutex_);
    renumbered_ = true;
}

std::map<bsc_handle, HandleEntry> HandleRegistry::list() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

} // namespace bsc::checkpoint
