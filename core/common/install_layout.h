// SPDX-License-Identifier: MIT
// Where a tool finds what ships with it (the LibOS image, the extensions, the other tools):
// decided by where its own executable lies, so that an installed tree can be moved.
#pragma once

#include <filesystem>
#include <string_view>

namespace bsc::layout {

// The directory of this build tree's or this install's extensions: the build tree's if this
// executable lies inside the build tree, else <bindir>/../<libdir>/bascule/extensions from
// this executable's directory (never the build tree's, even if it still exists).
std::filesystem::path extension_directory();

// The Linux personality's image (libos.guest), chosen the same way.
std::filesystem::path libos_image();

// The tool NAME (bascule, bascule-snap, ...) beside this executable: the tools are built
// into one directory of the build tree and installed into one bindir.
std::filesystem::path sibling_tool(std::string_view name);

} // namespace bsc::layout
