// SPDX-License-Identifier: MIT
// The file-system namespace: deleting, renaming and linking streams, reading symlinks,
// making special files (FIFOs, sockets, device nodes).
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h> // renameat2 and its RENAME_* flags
#include <unistd.h>

#include <algorithm>

#include "guest_memory.h"
#include "host_calls.h"
#include "streams.h"

using namespace bsc;
using namespace bsc::host;

namespace {

// A symlink's text is at most a path.
constexpr size_t kMaxLinkText = 4096;

} // namespace

extern "C" bsc_status host_stream_delete(const char *uri, uint32_t flags) {
    if (flags & ~uint32_t{BSC_DELETE_DIRECTORY})
        return BSC_E_INVALID;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed))
        return s;
    if (!(flags & BSC_DELETE_DIRECTORY) && parsed.scheme != Scheme::dir)
        return check(::unlink(parsed.path.c_str()));
    // Some file systems say EEXIST for a directory that is not empty.
    if (::rmdir(parsed.path.c_str()) != 0)
        return errno == EEXIST ? BSC_E_NOT_EMPTY : errno_status();
    return BSC_OK;
}

extern "C" bsc_status host_stream_rename(const char *from, const char *to, uint32_t flags) {
    constexpr uint32_t both = BSC_RENAME_NOREPLACE | BSC_RENAME_EXCHANGE;
    if ((flags & ~both) || flags == both)
        return BSC_E_INVALID;
    StreamUri source, target;
    if (bsc_status s = read_path_uri(from, source))
        return s;
    if (bsc_status s = read_path_uri(to, target))
        return s;
    unsigned int host_flags = (flags & BSC_RENAME_NOREPLACE ? RENAME_NOREPLACE : 0) |
                              (flags & BSC_RENAME_EXCHANGE ? RENAME_EXCHANGE : 0);
    return check(
        ::renameat2(AT_FDCWD, source.path.c_str(), AT_FDCWD, target.path.c_str(), host_flags));
}

extern "C" bsc_status host_stream_link(const char *uri, const char *target, uint32_t kind) {
    if (kind != BSC_LINK_HARD && kind != BSC_LINK_SYMBOLIC)
        return BSC_E_INVALID;
    StreamUri link;
    if (bsc_status s = read_path_uri(uri, link))
        return s;
    if (kind == BSC_LINK_SYMBOLIC) {
        std::string text; // stored verbatim: it is resolved only when the link is followed
        if (bsc_status s = read_guest_string(target, text, kMaxLinkText))
            return s;
        return check(::symlink(text.c_str(), link.path.c_str()));
    }
    StreamUri existing;
    if (bsc_status s = read_path_uri(target, existing))
        return s;
    return check(::link(existing.path.c_str(), link.path.c_str()));
}

extern "C" bsc_status host_stream_read_link(const char *uri, char *buffer, uint64_t size,
                                            uint64_t *length) {
    if (length == nullptr)
        return BSC_E_FAULT;
    if (size == 0)
        return BSC_E_INVALID; // like readlink(2): there must be room for something
    StreamUri link;
    if (bsc_status s = read_path_uri(uri, link))
        return s;
    // The guest buffer goes straight to the kernel; a text longer than it is cut short.
    ssize_t n = ::readlink(link.path.c_str(), buffer, std::min<uint64_t>(size, SSIZE_MAX));
    if (n < 0)
        return errno_status();
    return write_guest(length, static_cast<uint64_t>(n));
}

namespace {

// The host's file type for a stream_make_node type, or 0 for a type it cannot make.
mode_t node_type(uint32_t type) {
    switch (type) {
    case BSC_TYPE_FILE: return S_IFREG;
    case BSC_TYPE_PIPE: return S_IFIFO;
    case BSC_TYPE_SOCKET: return S_IFSOCK;
    case BSC_TYPE_CHAR_DEVICE: return S_IFCHR;
    case BSC_TYPE_BLOCK_DEVICE: return S_IFBLK;
    default: return 0;
    }
}

} // namespace

// mknod(2) with exactly `mode` (the host's umask is 0): the kernel checks the caller's
// right to make a device node (NOT_PERMITTED) and that the name is free (EXISTS).
extern "C" bsc_status host_stream_make_node(const char *uri, uint32_t type, uint32_t mode,
                                            uint64_t device) {
    mode_t host_type = node_type(type);
    if (host_type == 0 || (mode & ~uint32_t{07777}))
        return BSC_E_INVALID;
    StreamUri node;
    if (bsc_status s = read_path_uri(uri, node))
        return s;
    bool is_device = type == BSC_TYPE_CHAR_DEVICE || type == BSC_TYPE_BLOCK_DEVICE;
    return check(::mknod(node.path.c_str(), host_type | mode, is_device ? device : 0));
}
