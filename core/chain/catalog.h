// SPDX-License-Identifier: MIT
// The extensions available on the search path, with their descriptors (`bascule exts`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search_path.h"

namespace bsc::chain {

struct OptionInfo {
    std::string key;
    std::string help;
};

// A descriptor copied out of its object file, so it outlives the file being unloaded.
struct DescriptorInfo {
    std::string name;
    std::string version;
    uint32_t abi_version = 0; // BSC_ABI_VERSION layout: major << 16 | minor
    std::string summary;
    std::vector<std::string> must_be_below;
    std::vector<std::string> must_be_above;
    std::vector<OptionInfo> options;
};

struct AvailableExtension {
    std::string name; // from the file name
    std::string file;
    std::optional<DescriptorInfo> descriptor; // absent if the file could not be read
    std::string problem; // why this runtime cannot use it, or "" if it can
};

// Every extension on `path`, sorted by name. When several directories hold the same
// name, only the one the loader would pick (the first) is listed. Loading each file
// runs its static constructors, nothing else.
std::vector<AvailableExtension> list_extensions(const SearchPath &path = SearchPath::from_environment());

} // namespace bsc::chain
