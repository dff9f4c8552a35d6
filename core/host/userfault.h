// SPDX-License-Identifier: MIT
// Filling fresh guest pages through the kernel's userfaultfd (vm_fill): a registered
// range's pages stay missing until UFFDIO_COPY puts bytes into new pages, and a thread
// that touches one waits until then; vm_fill_wait tells the filler which. Zeroing each
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
// Waits up to `timeout_ns` (BSC_WAIT_FOREVER: for ever) for a thread to touch a missing
// page of a registered range, and gives that page's address; TIMED_OUT if none did.
// NOT_SUPPORTED where this process's userfaultfd sees faults from user mode only: a
// system call that touched such a page would fail with EFAULT instead of waiting.
bsc_status wait(uint64_t &page, int64_t timeout_ns);

} // namespace bsc::host::userfault
