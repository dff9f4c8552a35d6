// SPDX-License-Identifier: MIT
// Resolving a guest path inside the namespace, one component at a time, the way the
// kernel walks a path: every symbolic link is read and followed here, in guest terms, so
// an absolute link leads into the guest's root and ".." at the guest's "/" stays there.
// The host is only ever handed paths whose directories are no links.
#pragma once

#include <string>
#include <string_view>

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
};

// Whether a final symbolic link is followed (a path with a trailing slash always is).
enum class Final { follow, no_follow };

struct Resolution {
    std::string guest;   // canonical guest path of what the path names
    std::string host;    // its host path; a trailing slash kept for the host to check
    const Mount *mount = nullptr; // the mount it lies in
    bool exists = false; // whether the final name exists (its parents always do)
    uint32_t type = BSC_TYPE_UNKNOWN; // its type when it exists
};

// As the kernel, at most this many links are followed in one resolution.
inline constexpr int kMaxLinks = 40;

// Resolves the absolute guest path `guest`. BSC_OK with `out` filled, or the error the
// walk met: NOT_FOUND (a missing directory, an empty link), NOT_DIRECTORY, LOOP, or what
// the host answered for a name (ACCESS, NAME_TOO_LONG, ...).
bsc_status resolve(const MountTable &table, Lookup &lookup, std::string_view guest, Final final,
                   Resolution &out);

} // namespace bsc::fs_translate
