// SPDX-License-Identifier: MIT
// Devices the LibOS provides itself, with no host stream behind them: /dev/urandom and
// /dev/random, served from the ABI's random_read. Their open files have no handle.
#pragma once

#include "fd_table.h"

namespace libos {

// Whether `path` (absolute) names such a device.
bool is_libos_device(const char *path);
inline bool is_libos_device(const OpenFile &file) { return file.handle == BSC_NO_HANDLE; }

// Reads fill the buffer with random bytes; writes are accepted and dropped (as Linux
// does for an unprivileged writer). Returns bytes or -errno.
int64_t device_transfer(uint64_t buffer, uint64_t size, bool write);
// The attributes of the device: a character device 1:9, mode 0666.
bsc_stream_attributes device_attributes();

} // namespace libos
