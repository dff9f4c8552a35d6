// SPDX-License-Identifier: MIT
// The namespace's mounts: which host tree each guest subtree is, and whether it is
// read-only or an overlay. The root mount ("/") always exists; a bind or an overlay
// replaces the subtree at its guest path, as a Linux mount does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bascule.h"

namespace bsc::fs_translate {

struct Mount {
    std::string guest; // canonical guest path of the mount point
    std::string host;  // canonical host path of the tree it shows (an overlay's upper)
    bool read_only = false;
    std::string lower; // an overlay's lower tree (canonical), seen under `host`; else ""
    // What `host` is (BSC_TYPE_*), checked at start: a mount's root is not looked at again
    // on every walk through it.
    uint32_t type = BSC_TYPE_DIRECTORY;

    bool overlay() const { return !lower.empty(); }
};

class MountTable {
public:
    // The guest's "/" is the host directory `root` (canonical), or an overlay.
    explicit MountTable(std::string root = "/", std::string root_lower = "");

    // Adds a mount; false if the guest path is a mount point already.
    bool add(Mount mount);

    // The mount the canonical guest path lies in: the one with the longest guest prefix.
    const Mount &mount_of(std::string_view guest) const;
    // The mount whose mount point is exactly the canonical guest path, or null.
    const Mount *mount_at(std::string_view guest) const;
    // The host path of the canonical guest path in its mount's (upper) tree.
    std::string host_of(std::string_view guest) const;
    // The guest path of a canonical host path (through the mount with the longest host
    // prefix, upper or lower), or nullopt when it lies in none of the mapped trees.
    std::optional<std::string> guest_of(std::string_view host) const;
    // Whether the guest path is a mount point other than the root.
    bool is_mount_point(std::string_view guest) const;

    const std::vector<Mount> &mounts() const { return mounts_; }

    // Names below the canonical guest directory `guest` are looked up ignoring case.
    void add_case_insensitive(std::string guest) { folded_trees_.push_back(std::move(guest)); }
    // Whether names in the guest directory `directory` are looked up ignoring case.
    bool case_insensitive(std::string_view directory) const;

private:
    std::vector<Mount> mounts_; // [0] is the root
    std::vector<std::string> folded_trees_;
};

} // namespace bsc::fs_translate
