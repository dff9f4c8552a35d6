// SPDX-License-Identifier: MIT
// The directories already walked, forgotten whenever a name changes.
#include "directory_cache.h"

namespace bsc::fs_translate {

void DirectoryCache::changed() {
    if (generation_)
        generation_->fetch_add(1, std::memory_order_acq_rel);
}

uint64_t DirectoryCache::begin() {
    uint64_t generation = current();
    std::unique_lock guard(lock_, std::try_to_lock);
    if (guard && (generation != seen_ || stale_.load(std::memory_order_acquire))) {
        entries_.clear();
        seen_ = generation;
        stale_.store(false, std::memory_order_release);
    }
    return generation;
}

bool DirectoryCache::find(const std::string &guest, uint64_t generation, Located &out) {
    std::unique_lock guard(lock_, std::try_to_lock);
    if (!guard || generation != seen_ || generation != current() ||
        stale_.load(std::memory_order_acquire))
        return false;
    auto it = entries_.find(guest);
    if (it == entries_.end())
        return false;
    out = it->second;
    return true;
}

void DirectoryCache::remember(const std::string &guest, uint64_t generation,
                              const Located &where) {
    std::unique_lock guard(lock_, std::try_to_lock);
    // The look at the host was made in `generation`: if a name changed since, what it saw
    // may be gone already.
    if (!guard || generation != seen_ || generation != current() ||
        stale_.load(std::memory_order_acquire))
        return;
    if (entries_.size() >= kDirectoryCacheEntries)
        entries_.clear();
    entries_[guest] = where;
}

void DirectoryCache::clear() {
    // Without the lock: the next walk that takes it empties the cache, none finds anything
    // in it before.
    stale_.store(true, std::memory_order_release);
}

bool DirectoryCache::cacheable(const Located &where) {
    return where.mount && !where.mount->overlay() && where.in_upper &&
           where.type == BSC_TYPE_DIRECTORY && where.inode != 0;
}

} // namespace bsc::fs_translate
