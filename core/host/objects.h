// SPDX-License-Identifier: MIT
// Handing out and looking up handles the same way in every downcall.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "guest_memory.h"
#include "handles.h"

namespace bsc::host {

// Stores the objects under new handles and writes their numbers to guest_out[0..n). If the
// table is full (TOO_MANY) or guest_out is bad (FAULT), no handle stays behind.
bsc_status publish(std::span<const std::shared_ptr<Object>> objects, bsc_handle *guest_out);

inline bsc_status publish(const std::shared_ptr<Object> &object, bsc_handle *guest_out) {
    return publish(std::span(&object, 1), guest_out);
}

// Checks that the guest can take `count` values of T at `guest` by reading them and
// writing them back unchanged, so that a call can refuse a bad out-pointer before it has
// side effects (a created file, a connection, a consumed event).
template <class T> bsc_status probe_out(T *guest, size_t count = 1) {
    std::vector<T> values(count);
    if (copy_from_guest(values.data(), guest, count * sizeof(T)) != BSC_OK ||
        copy_to_guest(guest, values.data(), count * sizeof(T)) != BSC_OK)
        return BSC_E_FAULT;
    return BSC_OK;
}

// The object behind a stream handle (file, directory, pipe, socket, device), else null:
// events, threads and processes are not streams.
std::shared_ptr<Object> find_stream(bsc_handle handle);

} // namespace bsc::host
