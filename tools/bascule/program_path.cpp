// SPDX-License-Identifier: MIT
// Program lookup on $PATH.
#include "program_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace bsc::tools {
namespace {

bool executable_file(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> find_program(const std::string &name) {
    if (name.find('/') != std::string::npos)
        return ::access(name.c_str(), F_OK) == 0 ? std::optional(name) : std::nullopt;
    const char *path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (executable_file(candidate))
            return candidate;
    }
    return std::nullopt;
}

} // namespace bsc::tools
