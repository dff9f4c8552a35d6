// SPDX-License-Identifier: MIT
// /dev/urandom and /dev/random.
#include "devices.h"

#include <asm-generic/errno.h>

namespace libos {

bool is_libos_device(const char *path) {
    return freestanding::equal(path, "/dev/urandom") || freestanding::equal(path, "/dev/random");
}

int64_t device_transfer(uint64_t buffer, uint64_t size, bool write) {
    if (write)
        return static_cast<int64_t>(size);
    bsc_status status = abi().random_read(reinterpret_cast<void *>(buffer), size);
    return status == BSC_OK ? static_cast<int64_t>(size) : result_of(status);
}

bsc_stream_attributes device_attributes() {
    bsc_stream_attributes a{};
    a.type = BSC_TYPE_CHAR_DEVICE;
    a.mode = 0666;
    a.links = 1;
    a.rdev = (1 << 8) | 9; // the kernel's encoding of 1:9, as for the real device
    a.block_size = 4096;
    return a;
}

} // namespace libos
