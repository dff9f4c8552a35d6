// SPDX-License-Identifier: MIT
// Opening an image for the read-only subcommands, and the texts they share.
#pragma once

#include <optional>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "image_chain.h"
#include "image_error.h"

namespace bsc::snap {

// The image and its parents, checked; nullopt after printing why not.
std::optional<snapshot::ImageChain> open_chain(const std::string &path);

// The images of the other processes of a tree whose first process `first` is, each checked
// as open_chain checks one. Throws ImageError.
std::vector<snapshot::ImageChain> member_chains(const snapshot::ImageChain &first);

// Prints a report as JSON, or as text through `print_text`.
template <class Json>
void print_report(const Json &report, bool as_json, void (*print_text)(const Json &)) {
    if (as_json)
        fmt::print("{}\n", report.dump(2));
    else
        print_text(report);
}

// "rw-", "r-x", ... for BSC_PROT_* bits.
std::string protection_text(uint32_t protection);

} // namespace bsc::snap
