// SPDX-License-Identifier: MIT
// fs-translate's options (root=, bind=, overlay=) turned into a mount table, with every problem
// refused before the guest starts, in a message that names the option.
#pragma once

#include <cstddef>
#include <string>

#include "bascule_extension.h"
#include "mount_table.h"
#include "resolver.h"

namespace bsc::fs_translate {

// Builds `table` from the options. Host paths are made absolute and canonical; a bind's
// guest path is resolved in the namespace the root and the binds above it make (binds
// are applied shallowest first) and must exist there as the same kind (directory or
// not) as its host path. BSC_OK, or BSC_E_INVALID with `error` naming the option.
bsc_status configure(const bsc_option *options, size_t count, Lookup &lookup, MountTable &table,
                     std::string &error);

} // namespace bsc::fs_translate
