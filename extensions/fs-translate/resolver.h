// SPDX-License-Identifier: MIT
// Resolving a guest path inside the namespace, one component at a time, the way the
// kernel walks a path: every symbolic link is read and followed here, in guest terms, so
// an absolute link leads into the guest's root and ".." at the guest's "/" stays there.
// The host is only ever handed paths whose directories are no links. In an overlay each
// name is looked for in the upper tree, then (unless a whiteout or an opaque directory
// hides it) in the lower one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bascule.h"
#include "mount_table.h"

namespace bsc::fs_translate {

// What the resolver asks of the host: a look at one name without following it, and a
// link's text. The extension answers through the table below it; the tests with a model.
class Lookup {
public:
    virtual ~Lookup() = default;
    virtual bsc_status attributes(const std::string &host, bsc_stream_attributes &out) = 0;
    virtual bsc_status read_link(const std::string &host, std::string &text) = 0;
    // The names in a host directory (without "." and ".."), for case-insensitive lookups.
    virtual bsc_status list(const std::string &host, std::vector<std::string> &names) = 0;
};

// Whether a final symbolic link is followed (a path with a trailing slash always is).
enum class Final { follow, no_follow };

// The overlay conventions of overlayfs and OCI layers.
inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

// One name of a walk, where it is on the host.
struct Located {
    const Mount *mount = nullptr;
    std::string upper;     // its host path in the mount's (upper) tree
    std::string lower;     // an overlay's: its host path in the lower tree
    bool in_upper = false; // it exists there (for a plain mount: it exists)
    bool in_lower = false; // an overlay's: it exists in the lower tree and shows
    uint32_t type = BSC_TYPE_UNKNOWN;
    // What the walk saw there (0: not looked at, as a mount's root or a copy made since):
    // an open checks that it got this object and not one a swapped link led to.
    uint64_t device = 0, inode = 0;
    // What the look at it answered (when `looked`): a stat of the final name needs no
    // second look (plain mounts only; an overlay's may be the lower tree's).
    bool looked = false;
    bsc_stream_attributes attributes{};
    // Taken from the cache of walked directories, not looked at in this walk.
    bool from_cache = false;

    bool exists() const { return in_upper || in_lower; }
    // Where the host finds it: the upper copy when there is one.
    const std::string &host() const { return in_upper || !in_lower ? upper : lower; }
};

struct Resolution {
    std::string guest;   // canonical guest path of what the path names
    std::string host;    // its host path; a trailing slash kept for the host to check
    const Mount *mount = nullptr; // the mount it lies in
    bool exists = false; // whether the final name exists (its parents always do)
    uint32_t type = BSC_TYPE_UNKNOWN; // its type when it exists
    // The final name is a host procfs link to a kernel object without a path (a
    // namespace's /proc/PID/ns/NAME): the host must follow it, the one link it follows.
    bool host_follows = false;
    // Every name walked, the root first and the final name last: what an overlay's
    // copy-up needs.
    std::vector<Located> chain;

    const Located &final() const { return chain.back(); }
    const Located &parent() const { return chain.size() > 1 ? chain[chain.size() - 2] : chain[0]; }
};

// As the kernel, at most this many links are followed in one resolution.
inline constexpr int kMaxLinks = 40;

class DirectoryCache;

// Resolves the absolute guest path `guest`. BSC_OK with `out` filled, or the error the
// walk met: NOT_FOUND (a missing directory, an empty link), NOT_DIRECTORY, LOOP, or what
// the host answered for a name (ACCESS, NAME_TOO_LONG, ...). With a cache, the directories
// on the way that it knows are not looked up again (directory_cache.h); the final name
// always is.
bsc_status resolve(const MountTable &table, Lookup &lookup, std::string_view guest, Final final,
                   Resolution &out, DirectoryCache *cache = nullptr);

// Whether a name is reserved by the overlay conventions (a whiteout or the opaque marker).
bool is_overlay_name(std::string_view name);
// The whiteout that hides `name` (".wh.NAME").
std::string whiteout_name(std::string_view name);
// The host path of `name` in the host directory `directory`.
std::string child_of(std::string_view directory, std::string_view name);

} // namespace bsc::fs_translate
