// SPDX-License-Identifier: MIT
// A runtime session: the one owner, per process, of the host's set-up, the composed
// extension chain and the guest's start. The tools (bascule run, bascule-snap restore)
// make one and hand it the guest; a process forked from it (process_fork) is a copy of it
// and goes on using its copy.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "chain.h"
#include "guest_image.h"
#include "launch.h"

namespace bsc::runtime {

struct SessionOptions {
    std::vector<std::string> extensions; // extension specs (NAME[:KEY=VALUE,...]), top first
    std::string manifest;                // a manifest whose stack goes above them, or ""
    std::string runtime; // the `bascule` executable a child process (process_create) runs
};

class Session {
public:
    // Initialises the host, then composes the chain. Throws chain::ChainError if the
    // stack cannot be built. One per process: the host and the chain's control requests
    // are the process's.
    explicit Session(const SessionOptions &options);
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // The number of extensions in the chain.
    size_t extension_count() const { return chain_.size(); }

    // Runs a guest image (a native guest, or the Linux personality) on the chain; returns
    // only by exiting the process with the guest's status. Throws LaunchError if the
    // guest cannot be started.
    [[noreturn]] void run(const GuestProgram &program);

    // Has the chain's checkpoint extension rebuild the guest from its image, then resumes
    // its threads; returns only by exiting with the guest's status. Throws LaunchError.
    [[noreturn]] void restore(const RestoredGuest &guest);

private:
    // Constructed first: the host is set up before the chain's extensions start.
    struct HostSetUp {
        HostSetUp();
    };

    HostSetUp host_;
    std::vector<chain::ExtensionSpec> specs_; // the manifest's, then the --ext ones
    chain::Chain chain_;
    ChainEnds ends_;
};

} // namespace bsc::runtime
