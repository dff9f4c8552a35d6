// SPDX-License-Identifier: MIT
// `bascule-replay`: record a program's nondeterministic inputs at the ABI into a trace,
// replay it, and read traces (replay/README.md).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "commands.h"
#include "extension_option.h"

int main(int argc, char **argv) {
    using namespace bsc::replay_tool;
    CLI::App app{"bascule-replay: record and replay Bascule guests"};
    app.set_version_flag("--version", std::string("bascule-replay ") + BASCULE_VERSION);
    app.require_subcommand(1);

    RecordOptions record;
    auto *record_cmd = app.add_subcommand("record", "Run PROGRAM ARGS and record it into a trace");
    record_cmd->add_option("-o,--output", record.trace, "The trace to write (must not exist)")
        ->required();
    bsc::tools::add_extension_option(*record_cmd, record.extensions,
                                     "Extension NAME[:key=value,...] above the recording, "
                                     "repeatable, top first");
    record_cmd->add_option("--content-store", record.content_store,
                           "Keep mapped files' content in this directory, shared by every "
                           "recording (default $BASCULE_CONTENT_STORE, else "
                           "$XDG_CACHE_HOME/bascule/content or ~/.cache/bascule/content); "
                           "\"none\": in the trace itself");
    record_cmd->add_option("command", record.command, "PROGRAM and its arguments")->required();
    record_cmd->footer("Usage: bascule-replay record -o TRACE [--ext ...] -- PROGRAM [ARGS...]");

    ReplayOptions replay;
    auto *replay_cmd = app.add_subcommand("replay", "Re-run a recorded program from its trace");
    replay_cmd->add_option("trace", replay.trace, "The trace")->required();
    replay_cmd->add_flag("--quiet", replay.quiet, "Do not show what the guest writes");
    auto *to = replay_cmd->add_option("--to", replay.to, "Stop after call N");
    replay_cmd
        ->add_option("--capture", replay.capture,
                     "With --to: capture a checkpoint image there, which `bascule-snap restore` "
                     "resumes live")
        ->needs(to);
    replay_cmd->add_option("--from", replay.from,
                           "Start from IMAGE, captured while recording the trace (checkpoint "
                           "above record)")
        ->excludes("--capture");
    auto *gdb = replay_cmd->add_option(
        "--gdb", replay.gdb,
        "Wait for gdb on [HOST:]PORT (this machine only without HOST) and let it debug the "
        "replay: `target remote :PORT`");
    auto *gdb_stdio = replay_cmd->add_flag(
        "--gdb-stdio", replay.gdb_stdio,
        "Serve gdb on stdin and stdout (`target remote | bascule-replay replay --gdb-stdio "
        "TRACE`); the guest's output goes to stderr");
    gdb->excludes(gdb_stdio)->excludes("--capture")->excludes(to);
    gdb_stdio->excludes("--capture")->excludes(to);
    // A replay gdb took backwards starts again with these (replay/debugger.h): not for people.
    replay_cmd->add_option("--gdb-fds", replay.gdb_fds)->group("");
    replay_cmd->add_option("--gdb-plan", replay.gdb_plan)->group("");
    replay_cmd->add_option("--stop-at", replay.stop_at,
                           "With --gdb: stop first before call N (else at the program's first "
                           "instruction)")
        ->check(CLI::PositiveNumber);
    replay_cmd->add_flag("--allow-divergence", replay.allow_divergence,
                         "With --gdb: let gdb change memory and registers; the replay goes on "
                         "from what it made to the first call that differs from the recording, "
                         "and cannot go backwards after");
    replay_cmd->add_option("--checkpoint-every", replay.checkpoint_every,
                           "With --gdb: keep a checkpoint of the replay (a parked copy of its "
                           "process) every N events, for going back; 0: none, going back "
                           "replays from the start")
        ->capture_default_str();

    DumpOptions dump;
    auto *dump_cmd = app.add_subcommand("dump", "Print a trace's calls, one a line");
    dump_cmd->add_option("trace", dump.trace, "The trace")->required();
    dump_cmd->add_flag("--json", dump.json, "One JSON object a line");
    dump_cmd->add_option("--from", dump.from, "From call N");
    dump_cmd->add_option("--to", dump.to, "To call M");
    dump_cmd->add_option("--thread", dump.thread, "Only thread T's calls");

    std::string trace;
    bool json = false;
    auto *stats_cmd = app.add_subcommand("stats", "Summarise a trace");
    stats_cmd->add_option("trace", trace, "The trace")->required();
    stats_cmd->add_flag("--json", json, "Print JSON");
    auto *verify_cmd = app.add_subcommand("verify", "Check a trace's checksums and structure");
    verify_cmd->add_option("trace", trace, "The trace")->required();
    std::string packed;
    auto *pack_cmd = app.add_subcommand(
        "pack", "Copy a trace into one that holds its mapped content itself (no content store)");
    pack_cmd->add_option("trace", trace, "The trace")->required();
    pack_cmd->add_option("-o,--output", packed, "The trace to write (must not exist)")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (*record_cmd)
        return record_command(record);
    if (*replay_cmd) {
        bool debugged = !replay.gdb.empty() || replay.gdb_stdio || !replay.gdb_fds.empty();
        for (auto [option, given] : {std::pair{"--stop-at", replay.stop_at != 0},
                                     std::pair{"--allow-divergence", replay.allow_divergence},
                                     std::pair{"--checkpoint-every",
                                               replay_cmd->count("--checkpoint-every") > 0}})
            if (given && !debugged) {
                fmt::print(stderr, "bascule-replay: {} needs --gdb or --gdb-stdio\n", option);
                return kExitUsage;
            }
        return replay_command(replay);
    }
    if (*dump_cmd)
        return dump_command(dump);
    if (*stats_cmd)
        return stats_command(trace, json);
    if (*pack_cmd)
        return pack_command(trace, packed);
    return verify_command(trace);
}
