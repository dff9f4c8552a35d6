// SPDX-License-Identifier: MIT
// The overlay's writes and listings: copy-up into the upper tree, whiteouts (.wh.NAME)
// and opaque directories (.wh..wh..opq) as overlayfs and OCI layers write them, and the
// merged listing of a directory. The lower tree is only ever read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bascule.h"
#include "resolver.h"

namespace bsc::fs_translate {

// Gives every name of `r.chain` up to index `last` (the final name when it is the last
// one) a copy in its overlay's upper tree: directories made with the lower one's mode,
// owner and times, files copied, links re-made. Names in other mounts are left alone.
bsc_status copy_up(Resolution &r, size_t last);

// Makes the final name's parent exist in the upper tree and clears a whiteout of the
// final name there, ready for a create; `was_hidden` says whether there was one (a
// directory made there must then be opaque).
bsc_status prepare_create(Resolution &r, bool &was_hidden);

// Records in the upper tree that the final name is gone from the merge: its upper copy
// removed (a directory with the overlay names inside it), and a whiteout written when
// the lower tree has it.
bsc_status remove_from_merge(Resolution &r, uint32_t flags);

// Marks the upper directory `upper` opaque: the lower directory under it no longer shows.
bsc_status make_opaque(const std::string &upper);

// BSC_OK when the merged directory has no entries but "." and "..", else NOT_EMPTY.
bsc_status require_empty(const Located &directory);

// Whether the lower tree has the final name (shown or not): removing or renaming it away
// must leave a whiteout.
bool lower_has(const Resolution &r);

// The merged listing of an overlay directory as bsc_dirent records: the upper entries
// (without the overlay names), then the lower entries neither in the upper directory nor
// whited out (none when it is opaque).
bsc_status merged_listing(const Located &directory, std::vector<char> &records);

// The calls on an overlay, once the paths are resolved (in one overlay mount). Each
// leaves the lower tree untouched and answers as Linux's overlayfs does.
bsc_status overlay_open(Resolution &r, std::string_view scheme, uint32_t access, uint32_t mode,
                        uint32_t create, uint32_t options, bsc_handle *handle);
bsc_status overlay_delete(Resolution &r, uint32_t flags);
bsc_status overlay_rename(Resolution &source, Resolution &target, uint32_t flags);
// A hard link to `existing` (non-null) or a symbolic link with `text`.
bsc_status overlay_link(Resolution &name, Resolution *existing, const char *text, uint32_t kind);
// A special file (mknod) in the upper tree.
bsc_status overlay_make_node(Resolution &name, uint32_t type, uint32_t mode, uint64_t device);
// Before a change to the final name's attributes: its upper copy.
bsc_status overlay_change(Resolution &r);

} // namespace bsc::fs_translate
