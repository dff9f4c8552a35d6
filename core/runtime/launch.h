// SPDX-License-Identifier: MIT
// Starting a guest: the chain it runs on, its image, its first thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bascule_extension.h"

namespace bsc::runtime {

// What the runtime needs of a composed chain (core/chain builds one).
struct ChainEnds {
    const bsc_downcalls *top;           // the table the guest's gates call
    const bsc_upcalls *host_upcalls;    // the table the host raises upcalls into
    bsc_upcalls *guest_upcalls;         // filled here: the entries into the guest image
    std::function<void(uint32_t)> broadcast; // lifecycle events (BSC_EVENT_*)
};

struct GuestProgram {
    std::string path;              // the image file
    std::vector<std::string> argv; // argv[0] included
    std::vector<std::string> envp;
};

// Loads and runs a guest image (a native guest, or the Linux personality) on the chain;
// returns only by exiting the process with the guest's status. Throws LaunchError if
// the guest cannot be started.
[[noreturn]] void run_guest(const ChainEnds &chain, const GuestProgram &program);

} // namespace bsc::runtime
