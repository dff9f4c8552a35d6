// SPDX-License-Identifier: MIT
// `bascule`: run a program on a stack of extensions, or list the extensions there are.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char **argv) {
    using namespace bsc::tools;
    CLI::App app{"Bascule: run a program on a library OS with a run-time stack of extensions"};
    app.set_version_flag("--version", std::string("bascule ") + BASCULE_VERSION);
    app.require_subcommand(1);

    RunOptions run;
    auto *run_cmd = app.add_subcommand("run", "Run PROGRAM ARGS under the chosen extensions");
    run_cmd->add_option("--ext", run.extensions,
                        "Extension NAME[:key=value,...], repeatable, listed top to bottom");
    run_cmd->add_option("--manifest", run.manifest,
                        "File listing extensions, one NAME[:key=value,...] a line, top first")
        ->check(CLI::ExistingFile);
    run_cmd->add_flag("-v,--verbose", run.verbose,
                      "Say what the runtime does; name unsupported system calls");
    run_cmd->add_flag("--strace", run.strace, "Log every system call of a Linux program");
    run_cmd->add_option("command", run.command, "PROGRAM and its arguments (after --)")
        ->required();

    bool json = false;
    auto *exts_cmd = app.add_subcommand("exts", "List the extensions found on the search path");
    exts_cmd->add_flag("--json", json, "Print JSON");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (*run_cmd)
        return run_command(run);
    return exts_command(json);
}
