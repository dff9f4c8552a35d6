// SPDX-License-Identifier: MIT
// `bascule`: run a program on a stack of extensions, list the extensions there are, or
// say what this machine allows.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <string_view>

#include "commands.h"
#include "extension_option.h"

int main(int argc, char **argv) {
    using namespace bsc::tools;
    CLI::App app{"Bascule: run a program on a library OS with a run-time stack of extensions"};
    app.set_version_flag("--version", std::string("bascule ") + BASCULE_VERSION);
    app.require_subcommand(1);

    RunOptions run;
    auto *run_cmd = app.add_subcommand("run", "Run PROGRAM ARGS under the chosen extensions");
    bsc::tools::add_extension_option(
        *run_cmd, run.extensions, "Extension NAME[:key=value,...], repeatable, listed top to bottom");
    run_cmd->add_option("--manifest", run.manifest,
                        "File listing extensions, one NAME[:key=value,...] a line, top first")
        ->check(CLI::ExistingFile);
    run_cmd->add_flag("-v,--verbose", run.verbose,
                      "Say what the runtime does; name unsupported system calls");
    run_cmd->add_flag("--strace", run.strace, "Log every system call of a Linux program");
    run_cmd
        ->add_option("--syscall-path", run.syscall_path,
                     "How a Linux program's system calls reach the LibOS: patch (sites proven "
                     "safe rewritten into calls, the rest trapped) or trap (all trapped)")
        ->check(CLI::IsMember({"patch", "trap"}));
    run_cmd->add_option("--libos", run.libos,
                        "The Linux personality's image to use; PROGRAM is then given to it "
                        "as is, not looked up");
    run_cmd->add_option("--argv0", run.argv0,
                        "The name the program gets as argv[0] (as exec -a), not PROGRAM");
    run_cmd->add_option("--working-directory", run.working_directory,
                        "The directory the guest is told it starts in (this one by default); "
                        "bascule-replay gives the recorded one");
    run_cmd->add_option("command", run.command, "PROGRAM and its arguments");
    run_cmd->footer("Usage: bascule run [OPTIONS] -- PROGRAM [ARGS...]");

    bool json = false;
    auto *exts_cmd = app.add_subcommand("exts", "List the extensions found on the search path");
    exts_cmd->add_flag("--json", json, "Print JSON");
    auto *host_cmd = app.add_subcommand(
        "host", "Say what this machine's CPU and kernel let the runtime do, where machines differ");
    host_cmd->add_flag("--json", json, "Print JSON");

    // Everything after the "--" that follows `run` belongs to the program, options and all;
    // CLI11 sees only what comes before it.
    int cli_argc = argc;
    for (int i = 1; i < argc; i++)
        if (std::string_view(argv[i]) == "--" && i > 1) {
            run.command.assign(argv + i + 1, argv + argc);
            cli_argc = i;
            break;
        }
    try {
        app.parse(cli_argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (*run_cmd) {
        if (run.command.empty()) {
            fmt::print(stderr, "bascule run: no PROGRAM given\n{}", run_cmd->help());
            return kExitUsage;
        }
        return run_command(run);
    }
    if (*host_cmd)
        return host_command(json);
    return exts_command(json);
}
