// SPDX-License-Identifier: MIT
// Opening an image for the read-only subcommands, and the texts they share.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "image_chain.h"
#include "image_error.h"

namespace bsc::snap {

// The image and its parents, checked; nullopt after printing why not.
std::optional<snapshot::ImageChain> open_chain(const std::string &path);

// Prints a report as JSON, or as text through `print_text`.
void print_report(const nlohmann::json &report, bool as_json,
                  void (*print_text)(const nlohmann::json &));

// "rw-", "r-x", ... for BSC_PROT_* bits.
std::string protection_text(uint32_t protection);

} // namespace bsc::snap
