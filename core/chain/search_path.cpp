// SPDX-License-Identifier: MIT
// The extension search path: $BASCULE_EXT_PATH, then the extension directory of the tree this
// executable belongs to (install_layout.h: the build tree's or the install's), like $PATH
// (the first match wins).
#include "search_path.h"

#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "install_layout.h"

namespace bsc::chain {
namespace {

constexpr std::string_view kPrefix = "bascule-ext-";
constexpr std::string_view kSuffix = ".so";

std::vector<std::string> split_path_list(std::string_view list) {
    std::vector<std::string> entries;
    while (true) {
        size_t colon = list.find(':');
        if (colon != 0 && !list.empty())
            entries.emplace_back(list.substr(0, colon));
        if (colon == std::string_view::npos)
            return entries;
        list.remove_prefix(colon + 1);
    }
}

} // namespace

std::string extension_file_name(std::string_view name) {
    return fmt::format("{}{}{}", kPrefix, name, kSuffix);
}

std::optional<std::string> extension_name_of(std::string_view file_name) {
    if (file_name.size() <= kPrefix.size() + kSuffix.size() || !file_name.starts_with(kPrefix) ||
        !file_name.ends_with(kSuffix))
        return std::nullopt;
    file_name.remove_prefix(kPrefix.size());
    file_name.remove_suffix(kSuffix.size());
    return std::string(file_name);
}

SearchPath::SearchPath(std::vector<std::string> directories)
    : directories_(std::move(directories)) {}

SearchPath SearchPath::from_environment() {
    std::vector<std::string> directories;
    if (const char *list = std::getenv("BASCULE_EXT_PATH"))
        directories = split_path_list(list);
    directories.push_back(layout::extension_directory().string());
    return SearchPath(std::move(directories));
}

SearchPath SearchPath::with_first(std::string directory) const {
    std::vector<std::string> directories{std::move(directory)};
    directories.insert(directories.end(), directories_.begin(), directories_.end());
    return SearchPath(std::move(directories));
}

std::optional<std::string> SearchPath::find(std::string_view name) const {
    for (const auto &directory : directories_) {
        std::string file = fmt::format("{}/{}", directory, extension_file_name(name));
        if (::access(file.c_str(), F_OK) == 0)
            return file;
    }
    return std::nullopt;
}

std::string SearchPath::describe() const { return fmt::format("{}", fmt::join(directories_, ", ")); }

} // namespace bsc::chain
