// SPDX-License-Identifier: MIT
// stream_mount and stream_unmount: the guest's mounts, made in the runtime's own mount
// namespace (private propagation) so that none of them reaches the host's mount table;
// stream_mount_added_query: whether the guest's tree has mounted since the runtime
// started; stream_volume_query: what the file system an object lies on reports (statfs).
#include <sched.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "stream_uri.h"

using namespace bsc;
using namespace bsc::host;

namespace {

constexpr std::string_view kNameScheme = "name:";

// A mount string the host hands on: absent (null), or its text.
struct MountText {
    bool present = false;
    std::string text;
    const char *get() const { return present ? text.c_str() : nullptr; }
};

// stream_mount's source: "" (none), "name:TEXT" (a file system's own name for it, which
// names no file: "tmpfs", "none"), or the file: / dir: URI of a block device or a tree.
bsc_status read_source(const char *guest, MountText &out) {
    std::string text;
    if (bsc_status s = read_guest_string(guest, text, kMaxUri))
        return s;
    out.present = !text.empty();
    if (text.starts_with(kNameScheme)) {
        out.text = text.substr(kNameScheme.size());
        return BSC_OK;
    }
    if (!out.present)
        return BSC_OK;
    StreamUri uri;
    if (bsc_status s = parse_uri(text, uri))
        return s;
    if (uri.scheme != Scheme::file && uri.scheme != Scheme::dir)
        return BSC_E_INVALID;
    out.text = uri.path;
    return BSC_OK;
}

// A plain string, "" meaning none: the type and the options.
bsc_status read_text(const char *guest, MountText &out) {
    if (bsc_status s = read_guest_string(guest, out.text, kMaxUri))
        return s;
    out.present = !out.text.empty();
    return BSC_OK;
}

// A line of /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS...] - TYPE
// SOURCE SUPER-OPTIONS". A tag "shared:N" or "master:N" means mounts propagate to it.
struct MountEntry {
    std::string line, point, type;
    bool propagates = false;
};

std::vector<MountEntry> mount_entries() {
    std::ifstream in("/proc/self/mountinfo");
    std::vector<MountEntry> entries;
    std::string line;
    while (std::getline(in, line)) {
        auto separator = line.find(" - ");
        if (separator == std::string::npos)
            continue;
        std::istringstream fields(line.substr(0, separator)), after(line.substr(separator + 3));
        MountEntry entry;
        std::string id, parent, device, root, options, tag;
        fields >> id >> parent >> device >> root >> entry.point >> options;
        after >> entry.type;
        while (fields >> tag)
            entry.propagates |= tag.starts_with("shared:") || tag.starts_with("master:");
        entry.line = std::move(line);
        entries.push_back(std::move(entry));
    }
    return entries;
}

// The namespace's mounts that no propagation reaches, each line with "TYPE on POINT".
// Only a process of the namespace changes these; the others follow mounts made outside
// it, which are not the guest's.
using MountTable = std::map<std::string, std::string>;

MountTable private_mounts() {
    MountTable table;
    for (const MountEntry &entry : mount_entries())
        if (!entry.propagates)
            table.emplace(entry.line, entry.type + " on " + entry.point);
    return table;
}

// Taken as the runtime entered its namespace (or stayed in the host's): the guest's tree
// shares the namespace, so a mount by any of its processes, one ended since included,
// shows as an addition. A child forked since inherits the table with its memory.
MountTable &mounts_at_start() {
    static MountTable table;
    return table;
}

// A statfs as the ABI's report: the same fields, Linux's values.
bsc_volume_info volume_of(const struct statfs &st) {
    bsc_volume_info info{};
    info.type = static_cast<uint64_t>(st.f_type);
    info.block_size = static_cast<uint64_t>(st.f_bsize);
    info.fragment_size = static_cast<uint64_t>(st.f_frsize);
    info.blocks = st.f_blocks;
    info.blocks_free = st.f_bfree;
    info.blocks_available = st.f_bavail;
    info.files = st.f_files;
    info.files_free = st.f_ffree;
    info.name_max = static_cast<uint64_t>(st.f_namelen);
    info.flags = static_cast<uint64_t>(st.f_flags);
    static_assert(sizeof st.f_fsid == sizeof info.id);
    std::memcpy(info.id, &st.f_fsid, sizeof info.id);
    return info;
}

} // namespace

extern "C" bsc_status host_stream_mount(const char *source, const char *target,
                                        const char *type, uint64_t flags,
                                        const char *options) {
    MountText from, kind, data;
    if (bsc_status s = read_source(source, from))
        return s;
    if (bsc_status s = read_text(type, kind))
        return s;
    if (bsc_status s = read_text(options, data))
        return s;
    StreamUri at;
    if (bsc_status s = read_path_uri(target, at))
        return s;
    // The kernel checks the rest in its order: the target, the privilege, the flags, the
    // type, the source.
    if (::mount(from.get(), at.path.c_str(), kind.get(), static_cast<unsigned long>(flags),
                data.get()) != 0)
        return device_status_from_errno(errno);
    return BSC_OK;
}

extern "C" bsc_status host_stream_unmount(const char *target, uint32_t flags) {
    constexpr uint32_t known = BSC_UNMOUNT_FORCE | BSC_UNMOUNT_DETACH | BSC_UNMOUNT_EXPIRE |
                               BSC_UNMOUNT_NO_FOLLOW;
    if (flags & ~known)
        return BSC_E_INVALID;
    StreamUri at;
    if (bsc_status s = read_path_uri(target, at))
        return s;
    // The ABI's flags are umount2's.
    if (::umount2(at.path.c_str(), static_cast<int>(flags)) != 0)
        return device_status_from_errno(errno);
    return BSC_OK;
}

// A mount gone since is no sign: the kernel takes a mount out of every namespace when its
// mount point is deleted in another (a directory the host mounted on as the runtime
// started, removed since); the guest's own unmounts are stream_unmount's to watch.
extern "C" bsc_status host_stream_mount_added_query(char *shown, uint64_t capacity,
                                                    uint64_t *length) {
    std::string first;
    for (const auto &[line, text] : private_mounts())
        if (!mounts_at_start().contains(line)) {
            first = text;
            break;
        }
    uint64_t n = std::min<uint64_t>(first.size(), capacity);
    if (bsc_status s = copy_to_guest(shown, first.data(), n))
        return s;
    return write_guest(length, n);
}

extern "C" bsc_status host_stream_volume_query(const char *uri, bsc_volume_info *info) {
    StreamUri at;
    if (bsc_status s = read_path_uri(uri, at, true))
        return s;
    struct statfs st;
    if (::statfs(at.path.c_str(), &st) != 0)
        return device_status_from_errno(errno);
    return write_guest(info, volume_of(st));
}

extern "C" bsc_status host_stream_volume_query_by_handle(bsc_handle handle,
                                                         bsc_volume_info *info) {
    auto stream = find_stream(handle);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    struct statfs st;
    if (::fstatfs(stream->fd, &st) != 0)
        return device_status_from_errno(errno);
    return write_guest(info, volume_of(st));
}

namespace bsc::host {

// A privileged runtime takes a mount namespace of its own before the guest runs, with
// private propagation, so that the guest's mounts stay in it (and its children, which
// fork copies into it) and end with it. An unprivileged one stays where it is: its
// guest's mount calls get the host's EPERM, as the guest would from Linux.
void enter_private_mount_namespace() {
    if (::unshare(CLONE_NEWNS) == 0 &&
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        // "/" is no mount point (the runtime is chrooted into a directory): each mount
        // point it sees is made private instead (one whose name the table escapes, "\040"
        // for a space, keeps its propagation).
        for (const MountEntry &entry : mount_entries())
            ::mount(nullptr, entry.point.c_str(), nullptr, MS_PRIVATE, nullptr);
    }
    mounts_at_start() = private_mounts();
}

} // namespace bsc::host
