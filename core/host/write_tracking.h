// SPDX-License-Identifier: MIT
// Counting writes to private anonymous guest memory (vm_written_query): the kernel's
// asynchronous userfaultfd write protection (Linux 6.7) marks a page written at its first
// write after protection, with no fault reaching user space, and PAGEMAP_SCAN reports the
// written pages and protects them again in one pass. A checkpoint then reads only the
// pages written since its last image.
#pragma once

#include <cstdint>
#include <span>

#include "bascule.h"
#include "regions.h"

namespace bsc::host::write_tracking {

// Sets, in `written` (bit n for the page at base + n * 4096), the bits of the pages of
// `range` written since counting last restarted there, and every bit of the range if
// counting never started there or the range was mapped or moved since; with `restart`,
// counting restarts for the range. `range` must be private anonymous memory. NOT_SUPPORTED
// where the kernel cannot count.
bsc_status scan(Range range, bool restart, uint64_t base, std::span<uint8_t> written);
// Sets the bits of every page of `range`, in `written` as for scan.
void mark_written(Range range, uint64_t base, std::span<uint8_t> written);

} // namespace bsc::host::write_tracking
