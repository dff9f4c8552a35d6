// SPDX-License-Identifier: MIT
// Guest-to-host and host-to-guest path mapping over the mount table.
#include "mount_table.h"

#include "paths.h"

namespace bsc::fs_translate {

MountTable::MountTable(std::string root, std::string root_lower) {
    mounts_.push_back({"/", std::move(root), false, std::move(root_lower), BSC_TYPE_DIRECTORY});
}

bool MountTable::add(Mount mount) {
    for (const auto &known : mounts_)
        if (known.guest == mount.guest)
            return false;
    mounts_.push_back(std::move(mount));
    return true;
}

const Mount &MountTable::mount_of(std::string_view guest) const {
    const Mount *best = &mounts_[0];
    for (const auto &mount : mounts_)
        if (mount.guest.size() > best->guest.size() && is_within(guest, mount.guest))
            best = &mount;
    return *best;
}

const Mount *MountTable::mount_at(std::string_view guest) const {
    for (const auto &mount : mounts_)
        if (mount.guest == guest)
            return &mount;
    return nullptr;
}

std::string MountTable::host_of(std::string_view guest) const {
    const Mount &mount = mount_of(guest);
    return rebase(guest, mount.guest, mount.host);
}

std::optional<std::string> MountTable::guest_of(std::string_view host) const {
    const Mount *best = nullptr;
    const std::string *tree = nullptr;
    for (const auto &mount : mounts_)
        for (const std::string *candidate : {&mount.host, &mount.lower})
            if (!candidate->empty() && is_within(host, *candidate) &&
                (!tree || candidate->size() > tree->size()))
                best = &mount, tree = candidate;
    if (!best)
        return std::nullopt;
    return rebase(host, *tree, best->guest);
}

bool MountTable::is_mount_point(std::string_view guest) const {
    for (size_t i = 1; i < mounts_.size(); i++)
        if (mounts_[i].guest == guest)
            return true;
    return false;
}

bool MountTable::case_insensitive(std::string_view directory) const {
    for (const auto &tree : folded_trees_)
        if (is_within(directory, tree))
            return true;
    return false;
}

} // namespace bsc::fs_translate
