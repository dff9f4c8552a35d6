// SPDX-License-Identifier: MIT
// The System V IPC families' shared helpers (sysv_ipc.h).
#include "sysv_ipc.h"

#include "process_tree.h"

namespace libos {

int32_t guest_pid(uint64_t host_id) { return host_id ? pid_seen_for_host(host_id) : 0; }

int64_t ipc_get(uint32_t kind, uint64_t key, uint64_t size, uint64_t flags) {
    int32_t id = 0;
    bsc_status status = abi().ipc_get(kind, static_cast<int32_t>(key), size,
                                      static_cast<uint32_t>(flags), &id);
    if (status == BSC_E_TOO_MANY) // the host's files ran out (a segment is one)
        return -ENFILE;
    return status == BSC_OK ? id : result_of(status);
}

uint64_t ipc_limit(uint32_t kind, uint32_t which, uint64_t otherwise) {
    bsc_ipc_limits limits{};
    if (which >= 10 || ipc_control(kind, 0, BSC_IPC_LIMITS, limits) != BSC_OK)
        return otherwise;
    return limits.value[which];
}

} // namespace libos
