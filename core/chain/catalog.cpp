// SPDX-License-Identifier: MIT
// Listing the extensions on the search path by opening each and copying its descriptor.
#include "catalog.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "chain_error.h"
#include "loader.h"

namespace bsc::chain {
namespace {

std::string text(const char *s) { return s ? s : ""; }

std::vector<std::string> names(const char *const *list) {
    std::vector<std::string> out;
    for (auto *entry = list; entry && *entry; entry++)
        out.emplace_back(*entry);
    return out;
}

DescriptorInfo copy_descriptor(const bsc_extension_descriptor &d) {
    DescriptorInfo info{text(d.name), text(d.version), d.abi_version, text(d.summary),
                        names(d.must_be_below), names(d.must_be_above), {}};
    for (auto *option = d.options; option && option->key; option++)
        info.options.push_back({option->key, text(option->help)});
    return info;
}

AvailableExtension describe(const std::string &name, const std::string &file) {
    AvailableExtension entry{name, file, std::nullopt, ""};
    try {
        ObjectFile object(file);
        const auto *descriptor = exported_descriptor(object);
        // Fields past the first two are only read from a descriptor large enough (one
        // of ABI 1.0 lacks `control`, which the listing does not read).
        if (descriptor && descriptor_readable(*descriptor))
            entry.descriptor = copy_descriptor(*descriptor);
        entry.problem = descriptor_problem(descriptor, name, file).value_or("");
    } catch (const ChainError &e) {
        entry.problem = e.what();
    }
    return entry;
}

// Extension names in one directory, with their files; a missing directory is empty.
std::map<std::string, std::string> files_in(const std::string &directory) {
    std::map<std::string, std::string> found;
    std::error_code error;
    std::filesystem::directory_iterator it(directory, error), end;
    for (; !error && it != end; it.increment(error)) {
        auto name = extension_name_of(it->path().filename().string());
        std::error_code ignored;
        if (name && it->is_regular_file(ignored))
            found.emplace(*name, it->path().string());
    }
    return found;
}

} // namespace

std::vector<AvailableExtension> list_extensions(const SearchPath &path) {
    std::map<std::string, std::string> chosen; // name -> file, first directory wins
    for (const auto &directory : path.directories())
        for (auto &[name, file] : files_in(directory))
            chosen.emplace(name, file);
    std::vector<AvailableExtension> list;
    for (const auto &[name, file] : chosen)
        list.push_back(describe(name, file));
    return list;
}

} // namespace bsc::chain
