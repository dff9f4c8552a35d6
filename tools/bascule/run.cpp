// SPDX-License-Identifier: MIT
// `bascule run`: compose the extension stack, then start the program on it.
#include <unistd.h>

#include <fmt/core.h>

#include "chain.h"
#include "commands.h"
#include "guest_image.h"
#include "host.h"
#include "launch.h"
#include "process.h"
#include "program_path.h"

extern char **environ;

namespace bsc::tools {
namespace {

std::vector<chain::ExtensionSpec> stack_from(const RunOptions &options) {
    std::vector<chain::ExtensionSpec> specs;
    if (!options.manifest.empty())
        specs = chain::parse_manifest(options.manifest);
    for (const auto &text : options.extensions)
        specs.push_back(chain::parse_extension_spec(text));
    return specs;
}

// How a child process (process_create) starts: this runtime with the same stack.
std::vector<std::string> child_command(const RunOptions &options) {
    std::vector<std::string> prefix = {"/proc/self/exe", "run"};
    if (!options.manifest.empty())
        prefix.insert(prefix.end(), {"--manifest", options.manifest});
    for (const auto &text : options.extensions)
        prefix.insert(prefix.end(), {"--ext", text});
    return prefix;
}

std::vector<std::string> environment() {
    std::vector<std::string> env;
    for (char **e = environ; *e; e++)
        env.emplace_back(*e);
    return env;
}

} // namespace

int run_command(const RunOptions &options) {
    auto path = find_program(options.command.front());
    if (!path) {
        fmt::print(stderr, "bascule: {}: command not found\n", options.command.front());
        return kExitNotFound;
    }
    if (!runtime::is_native_guest(*path)) {
        fmt::print(stderr,
                   "bascule: {}: not a native guest image (exporting {}); Linux programs "
                   "need the Linux personality\n",
                   *path, BSC_GUEST_UPCALLS_SYMBOL);
        return kExitCannotRun;
    }
    try {
        host::initialise();
        chain::Chain stack(stack_from(options), host::downcalls());
        if (options.verbose)
            fmt::print(stderr, "bascule: running {} on {} extension(s)\n", *path, stack.size());
        host::set_process_command(child_command(options));
        runtime::ChainEnds ends{&stack.top(), &stack.host_upcalls(), &stack.guest_upcalls(),
                                [&stack](uint32_t event) { stack.broadcast(event); }};
        runtime::GuestProgram program{*path, options.command, environment()};
        runtime::run_native_guest(ends, program);
    } catch (const chain::ChainError &e) {
        fmt::print(stderr, "bascule: {}\n", e.what());
        return kExitUsage;
    } catch (const runtime::LaunchError &e) {
        fmt::print(stderr, "bascule: {}: {}\n", *path, e.what());
        return kExitCannotRun;
    }
}

} // namespace bsc::tools
