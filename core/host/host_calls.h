// SPDX-License-Identifier: MIT
// The host PAL's implementation of every downcall: host_<name>, one per table slot.
#pragma once

#include "bascule.h"

extern "C" {
#define BSC_DECLARE_HOST_CALL(family, name, params) bsc_status host_##name params;
BSC_DOWNCALLS(BSC_DECLARE_HOST_CALL)
#undef BSC_DECLARE_HOST_CALL
}
