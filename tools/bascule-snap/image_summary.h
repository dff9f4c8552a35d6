// SPDX-License-Identifier: MIT
// Opening an image for the read-only subcommands, and the texts they share.
#pragma once

#include <optional>
#include <string>

#include "image_chain.h"
#include "image_error.h"

namespace bsc::snap {

// The image and its parents, checked; nullopt after printing why not.
std::optional<snapshot::ImageChain> open_chain(const std::string &path);

// "rw-", "r-x", ... for BSC_PROT_* bits.
std::string protection_text(uint32_t protection);

} // namespace bsc::snap
