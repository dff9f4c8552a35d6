// SPDX-License-Identifier: MIT
// Reading and writing guest memory from host-side code (host PAL, extensions) without ever faulting: a bad guest
// pointer becomes BSC_E_FAULT, never a crash of the runtime.
#pragma once

#include <cstddef>
#include <string>

#include "bascule.h"
#include "bascule_extension.h"

namespace bsc {

// Where the copies are made: by the kernel (process_vm_readv/writev on this process)
// unless a copy of their own was installed, which returns the bytes a fault left
// uncopied (0: all were copied): the host PAL's (core/host/guarded_copy.cpp) for the
// code of the executable it is linked into, and through the extension context for an
// extension's (adopt_guest_copy).
using GuestCopy = size_t (*)(void *dst, const void *src, size_t size);
void set_guest_copy(GuestCopy copy);
GuestCopy installed_guest_copy(); // or null
// In an extension's init: copies as the runtime does, with the guarded copy the context
// offers (since ABI 1.8), which needs no system call.
void adopt_guest_copy(const bsc_extension_context *context);

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
