// SPDX-License-Identifier: MIT
// Host PAL start-up.
#include <mutex>

#include "host.h"
#include "internal.h"

namespace bsc::host {

void initialise() {
    static std::once_flag once;
    std::call_once(once, [] {
        initialise_memory();
        initialise_signals();
    });
}

} // namespace bsc::host
