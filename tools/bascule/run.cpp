// SPDX-License-Identifier: MIT
// `bascule run`: compose the extension stack, then start the program on it.

#include <cstdlib>
#include <optional>

#include <fmt/core.h>

#include "install_layout.h"
#include "program_path.h"
#include "run.h"
#include "session.h"

extern char **environ;

namespace bsc::tools {
namespace {

std::vector<std::string> environment(const RunOptions &options) {
    if (options.environment)
        return *options.environment;
    std::vector<std::string> env;
    for (char **e = environ; *e; e++)
        env.emplace_back(*e);
    return env;
}

// The Linux personality's image: --libos, $BASCULE_LIBOS, else the one of the tree this
// executable lies in (install_layout.h: the build tree's or the install's).
std::string libos_image(const RunOptions &options) {
    if (!options.libos.empty())
        return options.libos;
    if (const char *path = std::getenv("BASCULE_LIBOS"))
        return path;
    return layout::libos_image().string();
}

// What to start: a native guest directly, anything else on the Linux personality, whose
// arguments are its own options, "--", the program's path and the program's argv. With
// --libos, the program goes to that personality as given: a replay reads no host file.
runtime::GuestProgram guest_for(const std::string &path, const RunOptions &options) {
    std::vector<std::string> program_argv = options.command;
    if (!options.argv0.empty())
        program_argv.front() = options.argv0;
    if (options.libos.empty() && runtime::is_native_guest(path))
        return {path, program_argv, environment(options), options.working_directory};
    std::vector<std::string> argv = {"libos"};
    if (options.verbose)
        argv.push_back("--verbose");
    if (options.strace)
        argv.push_back("--strace");
    if (options.syscall_path != "patch")
        argv.push_back("--syscall-path=" + options.syscall_path);
    argv.push_back("--");
    argv.push_back(path);
    argv.insert(argv.end(), program_argv.begin(), program_argv.end());
    return {libos_image(options), argv, environment(options), options.working_directory};
}

} // namespace

int run_command(const RunOptions &options) {
    auto path = options.libos.empty() ? find_program(options.command.front())
                                      : std::optional(options.command.front());
    if (!path) {
        fmt::print(stderr, "bascule: {}: command not found\n", options.command.front());
        return kExitNotFound;
    }
    try {
        runtime::Session session({options.extensions, options.manifest,
                                  options.runtime.empty() ? "/proc/self/exe" : options.runtime});
        if (options.verbose)
            fmt::print(stderr, "bascule: running {} on {} extension(s)\n", *path,
                       session.extension_count());
        session.run(guest_for(*path, options));
    } catch (const chain::ChainError &e) {
        fmt::print(stderr, "bascule: {}\n", e.what());
        return kExitUsage;
    } catch (const runtime::LaunchError &e) {
        fmt::print(stderr, "bascule: {}: {}\n", *path, e.what());
        return kExitCannotRun;
    }
}

} // namespace bsc::tools
