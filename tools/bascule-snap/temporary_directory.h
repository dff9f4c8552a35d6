// SPDX-License-Identifier: MIT
// A directory of its own in the temporary directory (TMPDIR), for images only passing
// through: those a capture sends, those a restore receives. Removed with what it holds
// unless kept (a send that failed keeps its images: nothing is lost).
#pragma once

#include <filesystem>
#include <string>

namespace bsc::snap {

class TemporaryDirectory {
public:
    // PREFIX-XXXXXX; throws std::runtime_error if it cannot be made.
    explicit TemporaryDirectory(const std::string &prefix);
    ~TemporaryDirectory();
    TemporaryDirectory(const TemporaryDirectory &) = delete;
    TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;

    std::filesystem::path operator/(const std::string &name) const { return path_ / name; }
    const std::filesystem::path &path() const { return path_; }
    void keep() { kept_ = true; }

private:
    std::filesystem::path path_;
    bool kept_ = false;
};

} // namespace bsc::snap
