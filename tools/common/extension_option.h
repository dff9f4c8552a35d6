// SPDX-License-Identifier: MIT
// The --ext option of every command that builds an extension stack (run, restore, record):
// one spec per occurrence, repeatable, top of the stack first. One value each, so that the
// command's positional arguments (an image, a program) may follow it.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bsc::tools {

inline CLI::Option *add_extension_option(CLI::App &command, std::vector<std::string> &specs,
                                         const std::string &help) {
    return command.add_option("--ext", specs, help)
        ->expected(1)
        ->allow_extra_args(false) // without it, a vector option takes the words that follow
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

} // namespace bsc::tools
