// SPDX-License-Identifier: MIT
// A lazy restore's memory (`bascule-snap restore --lazy`): the guest runs while its pages
// are still in the image. One thread serves each page a guest thread touches, as the host
// tells it (vm_fill_wait), from the block that holds it, and between touches fills the
// rest in address order; once every page is in, the regions' filling ends. A block that
// does not match its checksum stops the guest with a message naming it (README.md).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "image_chain.h"

namespace bsc::checkpoint {

// Whether the host can tell a filler which page a thread touched: vm_fill_wait, with
// faults in system calls waiting too.
bool host_fills_lazily();

// Installs pages a read of the image gives (the chain's write_pages in a lazy restore):
// those not filled yet, each once.
void fill_lazily(std::byte *target, std::span<const std::byte> pages);

// Starts filling `targets` (regions of `image`'s top image, allocated with BSC_MAP_FILL
// and at their final protection) in the background. `image` must have been opened with
// fill_lazily as its write_pages.
void start_lazy_fill(snapshot::ImageChain image,
                     std::vector<snapshot::ImageChain::RegionTarget> targets);

// Returns once every page is in: a process_fork's child would not inherit the filling.
void wait_for_lazy_fill();

} // namespace bsc::checkpoint
