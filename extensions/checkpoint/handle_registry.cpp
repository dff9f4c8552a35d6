// SPDX-License-Identifier: MIT
#include "handle_registry.h"

#include <algorithm>
#include <random>

namespace bsc::checkpoint {

// Fresh randomness each time: a generator's state would be copied by fork, and parent and
// child would draw the same ids.
uint64_t new_shared_id() {
    std::random_device device;
    uint64_t id;
    do
        id = uint64_t{device()} << 32 | device();
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
