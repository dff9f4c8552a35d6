// SPDX-License-Identifier: MIT
// Host PAL start-up.
#include <mutex>

#include "gate.h"
#include "host.h"
#include "internal.h"

namespace bsc::host {

void initialise() {
    static std::once_flag once;
    std::call_once(once, [] {
        initialise_memory();
        install_entry_page();
        initialise_signals();
    });
}

} // namespace bsc::host
