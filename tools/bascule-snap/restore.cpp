// SPDX-License-Identifier: MIT
// `bascule-snap restore IMAGE`: this process becomes the guest again. The image's metadata
// names the extension stack to build (unless --ext gives another); then the checkpoint
// extension opens the image and its parent chain, checking their structure (sections,
// metadata, page index, links) before it maps anything, and each block of pages as it
// reads it, before the guest runs again (snapshot/README.md).
#include <unistd.h>

#include <filesystem>

#include <fmt/core.h>

#include "commands.h"
#include "image_error.h"
#include "image_reader.h"
#include "progress_bar.h"
#include "session.h"

namespace bsc::snap {
namespace {

bool has_checkpoint(const std::vector<std::string> &stack) {
    for (const auto &text : stack)
        if (chain::parse_extension_spec(text).name == "checkpoint")
            return true;
    return false;
}

// A child process (process_create) runs on the `bascule` beside this tool.
std::string bascule_beside() {
    return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "bascule").string();
}

} // namespace

int restore_command(const RestoreOptions &options) {
    std::string path = std::filesystem::absolute(options.image).string();
    bsc::snapshot::ImageMetadata meta;
    try {
        meta = bsc::snapshot::read_image_metadata(path);
    } catch (const bsc::snapshot::ImageError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitFailed;
    }
    std::vector<std::string> stack =
        options.extensions.empty() ? meta.extension_stack : options.extensions;
    if (!has_checkpoint(stack)) {
        fmt::print(stderr, "bascule-snap: the stack must include the checkpoint extension\n");
        return kExitUsage;
    }
    try {
        runtime::Session session({stack, "", bascule_beside()});
        ProgressBar bar("restoring");
        runtime::RestoredGuest guest{path, meta.guest_upcalls, meta.entry_page_address,
                                     meta.program.argv, options.allow_changed_files, options.lazy,
                                     options.verbose,
                                     [&bar](uint64_t done, uint64_t total) { bar.update(done, total); }};
        if (options.verbose)
            fmt::print(stderr, "bascule-snap: restoring {} on {} extension(s)\n", path,
                       session.extension_count());
        session.restore(guest);
    } catch (const chain::ChainError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitUsage;
    } catch (const runtime::LaunchError &e) {
        fmt::print(stderr, "bascule-snap: cannot restore {}: {}\n", path, e.what());
        return kExitFailed;
    }
}

} // namespace bsc::snap
