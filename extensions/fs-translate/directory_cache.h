// SPDX-License-Identifier: MIT
// The directories a walk already found, so that the next walk through them looks them up
// here instead of asking the host about each one again (a file five directories down cost
// six host lookups). What may make an entry wrong, and what guards against it
// (README.md, Limits):
// - a name changed by the guest: every call that removes or replaces a name (delete,
//   rename, mount, unmount) moves a generation that every process of the guest's tree
//   shares (a page process_fork keeps shared); a walk that finds it moved forgets all;
// - a change made by a process outside the guest: a walk checks the deepest directory it
//   took from here with one look at its host path (it must still be a directory, the same
//   device and inode) before it asks the host anything else, and walks afresh if not; an
//   open refuses every link on its host path (BSC_OPTION_NO_LINKS) and walks afresh
//   without the cache when the host finds one.
// Only plain mounts' directories are kept: not an overlay's (a whiteout or an opaque
// marker made in the upper tree changes what the lower one shows), not those found by a
// case-insensitive lookup (a new name in another case would win), not a mount's root
// (never looked up anyway).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "resolver.h"

namespace bsc::fs_translate {

class DirectoryCache {
public:
    // The generation the cache follows (shared by the guest's processes); none: the cache
    // is never used.
    void follow(std::atomic<uint64_t> *generation) { generation_ = generation; }
    bool enabled() const { return generation_ != nullptr; }

    // A name was removed or replaced: every process of the tree forgets what it knew.
    // Called after the change, so that a walk which starts later cannot keep a stale entry.
    void changed();

    // At the start of a walk: the generation it runs in, everything forgotten if it moved.
    uint64_t begin();
    // The directory at the canonical guest path, if it is known (and the generation is
    // still `generation`).
    bool find(const std::string &guest, uint64_t generation, Located &out);
    // Keeps what a walk begun in `generation` found, unless a name changed since.
    void remember(const std::string &guest, uint64_t generation, const Located &where);
    // Forgets everything (a cached directory failed its check).
    void clear();

    // Whether `where`, found by a look at the host, may be kept.
    static bool cacheable(const Located &where);

private:
    uint64_t current() const { return generation_->load(std::memory_order_acquire); }

    // A walk never waits for another: a lock held (by a thread a fork left behind, or
    // another walk) makes it go on without the cache.
    std::mutex lock_;
    std::atomic<uint64_t> *generation_ = nullptr;
    uint64_t seen_ = 0;
    std::atomic<bool> stale_{false}; // clear(): forgotten at the next begin()
    std::unordered_map<std::string, Located> entries_;
};

// More entries than this and the cache starts again (a walk over a large tree).
inline constexpr size_t kDirectoryCacheEntries = 4096;

} // namespace bsc::fs_translate
