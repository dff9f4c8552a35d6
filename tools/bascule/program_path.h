// SPDX-License-Identifier: MIT
// Finding the program to run the way a shell does.
#pragma once

#include <optional>
#include <string>

namespace bsc::tools {

// NAME with a slash is taken as is; otherwise the first executable file named NAME in a
// directory of $PATH. Nothing if there is none.
std::optional<std::string> find_program(const std::string &name);

} // namespace bsc::tools
