// SPDX-License-Identifier: MIT
// What the checkpoint extension knows of the guest, kept current by the calls it
// interposes on (interpose.cpp) and read by capture and restore. One per instance: the
// chain gives every instance its own copy of the extension's globals.
#pragma once

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "bascule_extension.h"
#include "changed_pages.h"
#include "freezer.h"
#include "handle_registry.h"
#include "process_ids.h"
#include "region_map.h"

namespace bsc::checkpoint {

struct TrackedState {
    const bsc_downcalls *below = nullptr;
    const bsc_upcalls *upcalls_above = nullptr;
    std::mutex region_mutex; // guards regions
    RegionMap regions;
    // Held shared by the calls that change the guest's memory layout (map, unmap,
    // protect), exclusively by a copy of its memory while it runs: no region it reads goes
    // or changes meanwhile.
    std::shared_mutex layout_mutex;
    HandleRegistry handles;
    ChangedPages changed_pages; // used by one capture at a time
    ProcessIds process_ids; // set at restore, before the guest runs; read only after
    Freezer freezer;
    std::mutex program_mutex;             // guards program
    std::vector<std::string> program;     // the argv of the program it exec'd last, if any
    std::atomic<bool> started = false; // its start upcall passed, or its restore resumed it
    // It used a System V IPC object (the host's, which no image holds): captures refused.
    std::atomic<bool> sysv_ipc_used = false;
    // Host state the guest set up that an image cannot hold: a file system it mounted or
    // unmounted (stream_mount, stream_unmount), a loop device it bound or made
    // (BSC_CONTROL_DEVICE_REQUEST). A capture refuses such a guest rather than restore it
    // without them.
    std::atomic<bool> mounted = false;
    std::atomic<bool> devices_set_up = false;
    // The kinds (BSC_NAMESPACE_*) of the host namespaces the guest made or entered
    // (namespace_unshare, namespace_enter): an image cannot hold them, captures refused.
    std::atomic<uint32_t> namespaces = 0;
};

TrackedState &tracked();

// Fills the context's `above` and `upcalls_below` with the interposing entries.
void interpose(const bsc_extension_context &context);

// The calling guest thread's TCB: %gs points at it and its first word is its address, as
// the ABI says (rdgsbase would need a kernel with FSGSBASE).
inline uint64_t current_tcb() {
    uint64_t self;
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return self;
}

} // namespace bsc::checkpoint
