// SPDX-License-Identifier: MIT
#include "handle_registry.h"

#include <algorithm>

namespace bsc::checkpoint {

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
    entries_[above] = std::move(entry);
    return above;
}

void HandleRegistry::adopt(bsc_handle above, HandleEntry entry) {
    std::lock_guard lock(mutex_);
    next_ = std::max(next_, above + 1);
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
    if (auto it = entries_.find(above); it != entries_.end())
        it->second.partner = partner;
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
