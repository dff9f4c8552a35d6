// SPDX-License-Identifier: MIT
// Starting a guest: the chain it runs on, its image, its first thread. A Session
// (session.h) owns the chain and calls these.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "bascule_extension.h"
#include "chain.h"

namespace bsc::runtime {

// What the runtime needs of a composed chain (core/chain builds one).
struct ChainEnds {
    const bsc_downcalls *top;           // the table the guest's gates call
    const bsc_upcalls *host_upcalls;    // the table the host raises upcalls into
    bsc_upcalls *guest_upcalls;         // filled here: the entries into the guest image
    std::function<void(uint32_t)> broadcast; // lifecycle events (BSC_EVENT_*)
    std::function<bsc_status(bsc_control_request &)> control; // see Chain::control
    std::function<std::vector<std::pair<std::string, std::string>>(bsc_control_request &)>
        gather; // see Chain::gather
    std::vector<std::string> stack; // the extension specs, top first, as given
    // Installs where the extensions' own control requests go (Chain::set_control_requests).
    std::function<void(chain::ControlRequests)> accept_requests;
};

struct GuestProgram {
    std::string path;              // the image file
    std::vector<std::string> argv; // argv[0] included
    std::vector<std::string> envp;
    std::string working_directory; // what the guest is told it starts in ("": ours)
};

// Loads and runs a guest image (a native guest, or the Linux personality) on the chain;
// returns only by exiting the process with the guest's status. Throws LaunchError if
// the guest cannot be started.
[[noreturn]] void run_guest(const ChainEnds &chain, const GuestProgram &program);

// The command a child process (process_create) starts with: the `bascule` runtime at
// `bascule`, `run`, then `stack_options` (--manifest/--ext as given), so it gets the same stack.
std::vector<std::string> child_runtime_command(const std::string &bascule,
                                               const std::vector<std::string> &stack_options);

// A guest to resume from a checkpoint image.
struct RestoredGuest {
    std::string image;             // the image file
    uint64_t guest_upcalls = 0;    // where the guest image's upcall table is, as recorded
    uint64_t entry_page = 0;       // where the ABI entry page was, as recorded (0: unknown)
    std::vector<std::string> argv; // the program as recorded (for the next capture)
    bool allow_changed_files = false; // reopen files that changed since the capture
    bool lazy = false;                // resume before the memory is in (checkpoint's lazy)
    bool verbose = false;             // say what was restored, on stderr
    std::function<void(uint64_t done, uint64_t total)> progress; // of the memory restored
    // For a replay from the image: no handle is opened again (the replay layer answers
    // for them from the trace; checkpoint's as-captured restore).
    bool handles_as_captured = false;
    // Files removed once the image is read (an image received for this restore alone).
    std::vector<std::string> remove_after_restore{};
    // Print "resumed-unix-ns: N" (CLOCK_REALTIME) on stderr as the guest's threads are
    // given back: the time to its first instruction, for measurements.
    bool report_resume = false;
};

// Has the chain's checkpoint extension rebuild the guest from the image, then resumes
// its threads; returns only by exiting with the guest's status. Throws LaunchError.
[[noreturn]] void restore_guest(const ChainEnds &chain, const RestoredGuest &guest);

} // namespace bsc::runtime
