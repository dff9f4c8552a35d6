// SPDX-License-Identifier: MIT
#include "temporary_directory.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fmt/core.h>

namespace bsc::snap {

TemporaryDirectory::TemporaryDirectory(const std::string &prefix) {
    auto base = std::filesystem::temp_directory_path();
    std::string pattern = (base / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error(fmt::format("cannot make a directory in {}: {}", base.string(),
                                             std::strerror(errno)));
    path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
    if (!kept_) {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
}

} // namespace bsc::snap
