// SPDX-License-Identifier: MIT
// Loading a native guest image (an ELF shared object built against the ABI) into the
// guest window, through the ABI, so every region it occupies crosses the chain.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "bascule.h"

namespace bsc::runtime {

struct LaunchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct GuestImage {
    uint64_t base = 0, size = 0;
    bsc_upcalls upcalls{}; // the image's exported entry points (guest addresses)
    uint64_t upcalls_address = 0; // where that table lies in the image
};

// Whether the file is an ELF image exporting BSC_GUEST_UPCALLS_SYMBOL.
bool is_native_guest(const std::string &path);

// Maps the image at a free place in the window and relocates it; throws LaunchError.
GuestImage load_guest_image(const bsc_downcalls &abi, const std::string &path);

} // namespace bsc::runtime
