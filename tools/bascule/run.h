// SPDX-License-Identifier: MIT
// `bascule run`, which bascule-replay also runs in its own process for a record or replay.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace bsc::tools {

// Exit codes shared by the subcommands.
inline constexpr int kExitUsage = 2;         // a bad command line or extension stack
inline constexpr int kExitCannotRun = 126;   // the program exists but cannot be run
inline constexpr int kExitNotFound = 127;    // the program does not exist

struct RunOptions {
    std::vector<std::string> extensions; // specs, top to bottom
    std::string manifest;
    bool verbose = false;
    bool strace = false;
    // How a Linux program's system calls reach the LibOS: "patch" (its sites rewritten
    // where safe, the rest trapped) or "trap" (every one trapped).
    std::string syscall_path = "patch";
    std::string libos;             // the Linux personality's image, if not the usual one
    std::string working_directory; // what the guest is told it starts in, if not ours
    std::string argv0;             // the program's argv[0], if not the name given
    std::vector<std::string> command; // program and arguments
    std::optional<std::vector<std::string>> environment; // the guest's, if not ours
    // The runtime that processes the guest starts run (`bascule`), if not this one.
    std::string runtime;
};

// Runs the program and exits with its status; returns only on failure, with an exit code.
int run_command(const RunOptions &options);

} // namespace bsc::tools
