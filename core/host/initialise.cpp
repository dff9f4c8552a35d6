// SPDX-License-Identifier: MIT
// Host PAL start-up.
#include <sys/stat.h>

#include <mutex>

#include "gate.h"
#include "bascule_host.h"
#include "internal.h"

namespace bsc::host {
namespace {
mode_t creator_umask = 022;
} // namespace

uint16_t creator_file_mode_mask() { return static_cast<uint16_t>(creator_umask); }

void initialise() {
    static std::once_flag once;
    std::call_once(once, [] {
        // The guest keeps its own umask and hands stream_open the exact mode to create
        // with; a host umask on top would mask the guest's files twice. Umask is one per
        // process, so it is 0 for the whole runtime, whose own files all name their mode
        // (0600, 0644, 0700). The creator's umask is the guest's first (system_info).
        creator_umask = ::umask(0);
        initialise_memory();
        install_entry_page();
        initialise_signals();
        use_guarded_copy(); // its faults need the signal handlers
        become_tree_root();
        enter_private_mount_namespace();
    });
}

} // namespace bsc::host
