// SPDX-License-Identifier: MIT
// Translating host errno values into ABI status codes, in one place.
#pragma once

#include "bascule.h"

namespace bsc::host {

// Maps a positive errno to a BSC_E_* code (BSC_E_IO for anything unexpected).
bsc_status status_from_errno(int error);

// The same for the calls since ABI 1.20 that speak of devices and file systems
// (BSC_CONTROL_DEVICE_REQUEST, stream_mount, stream_unmount), whose callers must tell
// ENODEV, ENXIO, ENOTBLK, EOVERFLOW and ENOSYS apart: older calls keep their older codes.
bsc_status device_status_from_errno(int error);

// The status of a raw system call result: BSC_OK if it is >= 0, else from -result.
inline bsc_status status_from_result(long result) {
    return result >= 0 ? BSC_OK : status_from_errno(static_cast<int>(-result));
}

} // namespace bsc::host
