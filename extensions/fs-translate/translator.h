// SPDX-License-Identifier: MIT
// The extension's state and the calls it interposes on: every downcall that takes or
// returns a path, and the start upcall (the working directory).
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "bascule.h"
#include "directory_cache.h"
#include "mount_table.h"
#include "resolver.h"

namespace bsc::fs_translate {

struct State {
    const bsc_downcalls *below = nullptr;
    const bsc_upcalls *upcalls_above = nullptr;
    MountTable table;
    // Relative URIs are taken relative to this guest path: the runtime's working
    // directory as the guest sees it.
    std::string guest_cwd = "/";
    // The runtime's own calls before the guest starts (loading the guest image) name
    // host files: paths are translated from BSC_EVENT_START or _RESTORE on.
    std::atomic<bool> active{false};
    // The directories walks found (directory_cache.h), following a generation in memory
    // every process of the guest's tree shares (made at start, before the first fork).
    DirectoryCache cache;
};

// One per instance: the chain loads a private copy of the object for every further one.
State &state();

// The resolver's view of the host: the table below.
class BelowLookup : public Lookup {
public:
    bsc_status attributes(const std::string &host, bsc_stream_attributes &out) override;
    bsc_status read_link(const std::string &host, std::string &text) override;
    bsc_status list(const std::string &host, std::vector<std::string> &names) override;
};

// Makes the generation the directory cache follows, in memory shared with every process
// process_fork makes from here on; without it the cache stays off.
void start_directory_cache();

// Fills the slots of the calls fs-translate interposes on.
void install(bsc_downcalls &above, bsc_upcalls &upcalls_below);

} // namespace bsc::fs_translate
