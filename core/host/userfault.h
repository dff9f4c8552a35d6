// SPDX-License-Identifier: MIT
// Filling fresh guest pages through the kernel's userfaultfd (vm_fill): a registered
// range's pages stay missing until UFFDIO_COPY puts bytes into new pages. Zeroing each
// page at its first touch and then writing it costs about twice as much (abi/README.md).
#pragma once

#include <cstdint>

#include "bascule.h"
#include "regions.h"

namespace bsc::host::userfault {

// Registers `range` for filling; false where this process has no userfaultfd (a kernel
// without it, or a seccomp filter): the caller then copies into ordinary pages.
bool register_range(Range range);
// Ends the filling of a registered range: missing pages become zero-fill-on-touch again.
void unregister_range(Range range);
// Installs `size` bytes (whole pages) from `source` at `addr`, within a registered range.
bsc_status copy(uint64_t addr, const void *source, uint64_t size);

} // namespace bsc::host::userfault
