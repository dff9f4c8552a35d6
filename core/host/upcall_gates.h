// SPDX-License-Identifier: MIT
// The top of the upcall chain: host functions that enter the guest image's own upcalls
// on the right stack, with the right %fs.
#pragma once

#include "bascule.h"

namespace bsc::host {

// Returns the upcall table the topmost extension calls; its entries run `guest`'s
// upcalls (guest addresses) through bsc_gate_enter_guest.
const bsc_upcalls &guest_entry_upcalls(const bsc_upcalls &guest);

} // namespace bsc::host
