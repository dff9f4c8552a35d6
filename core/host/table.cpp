// SPDX-License-Identifier: MIT
// The bottom of every chain: the host PAL's downcall table.
#include "bascule_host.h"
#include "host_calls.h"

namespace bsc::host {

const bsc_downcalls &downcalls() {
    static const bsc_downcalls table = {
        .size = sizeof(bsc_downcalls),
        .version = BSC_ABI_VERSION,
#define BSC_HOST_SLOT(family, name, params) .name = host_##name,
        BSC_DOWNCALLS(BSC_HOST_SLOT)
#undef BSC_HOST_SLOT
    };
    return table;
}

} // namespace bsc::host
