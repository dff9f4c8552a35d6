// SPDX-License-Identifier: MIT
// The subcommands of `bascule-replay`, each in its own file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bsc::replay_tool {

inline constexpr int kExitBadTrace = 1; // a trace that cannot be read, or a bad command
inline constexpr int kExitUsage = 2;

struct RecordOptions {
    std::string trace;
    std::string content_store; // a directory, "none" (into the trace), or "" (the default)
    std::vector<std::string> extensions; // above record, top first
    std::vector<std::string> command;
};

struct ReplayOptions {
    std::string trace;
    bool quiet = false;
    uint64_t to = 0; // stop after this call (0: until the exit)
    std::string capture; // with `to`: the image to capture there, which restores live
    std::string from;    // an image captured while recording: the replay starts there
    std::string gdb;     // [HOST:]PORT to serve gdb on
    bool gdb_stdio = false; // serve gdb on stdin and stdout
    uint64_t stop_at = 0;   // with gdb: the first stop is before this call
    std::string gdb_fds;    // IN:OUT: a restarted replay's connection to gdb
    int gdb_plan = -1;      // a restarted replay's plan (going backwards)
    bool allow_divergence = false; // with gdb: gdb may change memory and registers
    uint64_t checkpoint_every = 1000; // with gdb: events between checkpoints (0: none)
};

struct DumpOptions {
    std::string trace;
    bool json = false;
    uint64_t from = 0, to = 0; // call numbers (0: no bound)
    int64_t thread = -1;       // -1: every thread
};

int record_command(const RecordOptions &options);
int replay_command(const ReplayOptions &options);
int dump_command(const DumpOptions &options);
int stats_command(const std::string &trace, bool json);
int verify_command(const std::string &trace);
int pack_command(const std::string &trace, const std::string &output);

} // namespace bsc::replay_tool
