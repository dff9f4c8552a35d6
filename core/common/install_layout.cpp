// SPDX-License-Identifier: MIT
// Where a tool finds what ships with it: the build tree's files for an executable inside the
// build tree, else the install's, relative to the executable (BASCULE_DATADIR_FROM_BINDIR,
// "../lib/bascule" with GNUInstallDirs' defaults, fixed when the build is configured).
#include "install_layout.h"

#include <algorithm>

namespace bsc::layout {
namespace {

// This executable, its links resolved (as /proc gives it).
std::filesystem::path executable() { return std::filesystem::read_symlink("/proc/self/exe"); }

bool in_build_tree(const std::filesystem::path &file) {
    auto tree = std::filesystem::weakly_canonical(BASCULE_BUILD_DIR);
    return std::mismatch(tree.begin(), tree.end(), file.begin(), file.end()).first == tree.end();
}

// The installed <libdir>/bascule, from this executable's directory.
std::filesystem::path installed_data(const std::filesystem::path &self) {
    return (self.parent_path() / BASCULE_DATADIR_FROM_BINDIR).lexically_normal();
}

} // namespace

std::filesystem::path extension_directory() {
    auto self = executable();
    return in_build_tree(self) ? BASCULE_EXT_BUILD_DIR : installed_data(self) / "extensions";
}

std::filesystem::path libos_image() {
    auto self = executable();
    return in_build_tree(self) ? BASCULE_LIBOS_BUILD_PATH : installed_data(self) / "libos.guest";
}

std::filesystem::path sibling_tool(std::string_view name) {
    return executable().parent_path() / name;
}

} // namespace bsc::layout
