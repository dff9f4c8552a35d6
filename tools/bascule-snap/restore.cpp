// SPDX-License-Identifier: MIT
// `bascule-snap restore IMAGE`: this process becomes the guest again. The image's metadata
// names the extension stack to build (unless --ext gives another); then the checkpoint
// extension opens the image and its parent chain, checking their structure (sections,
// metadata, page index, links) before it maps anything, and each block of pages as it
// reads it, before the guest runs again (snapshot/README.md).
#include <unistd.h>

#include <filesystem>

#include <fmt/core.h>

#include "chain.h"
#include "commands.h"
#include "gate.h"
#include "host.h"
#include "guest_image.h"
#include "image_reader.h"
#include "image_error.h"
#include "launch.h"
#include "process.h"
#include "progress_bar.h"

namespace bsc::snap {
namespace {

bool has_checkpoint(const std::vector<std::string> &stack) {
    for (const auto &text : stack)
        if (chain::parse_extension_spec(text).name == "checkpoint")
            return true;
    return false;
}

// A child process (process_create) runs on the `bascule` beside this tool, same stack.
std::vector<std::string> child_command(const std::vector<std::string> &stack) {
    auto bascule = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "bascule";
    std::vector<std::string> options;
    for (const auto &text : stack)
        options.insert(options.end(), {"--ext", text});
    return runtime::child_runtime_command(bascule.string(), options);
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
        host::initialise();
        if (host::entry_page().base != meta.entry_page_address && meta.entry_page_address) {
            fmt::print(stderr, "bascule-snap: {}: the ABI entry page was at {:#x}, this host "
                               "puts it at {:#x}\n",
                       path, meta.entry_page_address, host::entry_page().base);
            return kExitFailed;
        }
        std::vector<chain::ExtensionSpec> specs;
        for (const auto &text : stack)
            specs.push_back(chain::parse_extension_spec(text));
        chain::Chain chain(specs, host::downcalls());
        host::set_process_command(child_command(stack));
        runtime::ChainEnds ends{&chain.top(), &chain.host_upcalls(), &chain.guest_upcalls(),
                                [&chain](uint32_t event) { chain.broadcast(event); },
                                [&chain](bsc_control_request &r) { return chain.control(r); },
                                stack, chain::Chain::set_control_requests};
        ProgressBar bar("restoring");
        runtime::RestoredGuest guest{path, meta.guest_upcalls, meta.program.argv, {}, {}};
        if (options.allow_changed_files)
            guest.extra.emplace_back("allow-changed-files", "1");
        guest.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
        if (options.verbose)
            fmt::print(stderr, "bascule-snap: restoring {} on {} extension(s)\n", path, chain.size());
        runtime::restore_guest(ends, guest);
    } catch (const chain::ChainError &e) {
        fmt::print(stderr, "bascule-snap: {}\n", e.what());
        return kExitUsage;
    } catch (const runtime::LaunchError &e) {
        fmt::print(stderr, "bascule-snap: cannot restore {}: {}\n", path, e.what());
        return kExitFailed;
    }
}

} // namespace bsc::snap
