// SPDX-License-Identifier: MIT
// Reading and writing guest memory from host-side code (host PAL, extensions) without ever faulting: a bad guest
// pointer becomes BSC_E_FAULT, never a crash of the runtime.
#pragma once

#include <cstddef>
#include <string>

#include "bascule.h"

namespace bsc {

// Where the copies are made: by the kernel (process_vm_readv/writev on this process)
// unless the host PAL installed a copy of its own that reports a fault as false
// (core/host/guarded_copy.cpp), for the code of the executable it is linked into.
using GuestCopy = bool (*)(void *dst, const void *src, size_t size);
void set_guest_copy(GuestCopy copy);

bsc_status copy_from_guest(void *host_dst, const void *guest_src, size_t size);
bsc_status copy_to_guest(void *guest_dst, const void *host_src, size_t size);

template <class T> bsc_status read_guest(const T *guest, T &out) {
    return copy_from_guest(&out, guest, sizeof(T));
}
template <class T> bsc_status write_guest(T *guest, const T &value) {
    return copy_to_guest(guest, &value, sizeof(T));
}

// Copies a NUL-terminated guest string of at most max_length bytes: BSC_E_FAULT for a
// bad pointer, BSC_E_NAME_TOO_LONG if no NUL comes within max_length.
bsc_status read_guest_string(const char *guest, std::string &out, size_t max_length = 4096);

} // namespace bsc
