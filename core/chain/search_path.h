// SPDX-License-Identifier: MIT
// Where extensions are found: the directories searched, in order, for bascule-ext-NAME.so.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bsc::chain {

// The file an extension named NAME lives in: "bascule-ext-NAME.so".
std::string extension_file_name(std::string_view name);

// The extension name of such a file name, or nullopt if it is not one.
std::optional<std::string> extension_name_of(std::string_view file_name);

class SearchPath {
public:
    explicit SearchPath(std::vector<std::string> directories);

    // Every entry of $BASCULE_EXT_PATH (colon-separated; empty entries are skipped, they
    // do not mean the current directory), then the extension directory of the tree this
    // executable lies in: the build tree's, or the install's found relative to it.
    static SearchPath from_environment();

    // The same path with `directory` searched first (tests put their own extensions here).
    SearchPath with_first(std::string directory) const;

    const std::vector<std::string> &directories() const { return directories_; }

    // The first existing file for the extension `name`, or nullopt.
    std::optional<std::string> find(std::string_view name) const;

    // "dir1, dir2, ..." for messages.
    std::string describe() const;

private:
    std::vector<std::string> directories_;
};

} // namespace bsc::chain
