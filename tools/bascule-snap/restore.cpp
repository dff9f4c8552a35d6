// SPDX-License-Identifier: MIT
// `bascule-snap restore IMAGE`: this process becomes the guest again. The image's metadata
// names the extension stack to build (unless --ext gives another); then the checkpoint
// extension opens the image and its parent chain, checking their structure (sections,
// metadata, page index, links) before it maps anything, and each block of pages as it
// reads it, before the guest runs again (snapshot/README.md). With --from, the image is
// first received from a `bascule-snap capture --to` (receive.cpp), and removed once read.
#include <unistd.h>

#include <filesystem>

#include <fmt/core.h>

#include "commands.h"
#include "image_error.h"
#include "image_reader.h"
#include "install_layout.h"
#include "progress_bar.h"
#include "session.h"
#include "temporary_directory.h"

namespace bsc::snap {
namespace {

bool has_checkpoint(const std::vector<std::string> &stack) {
    for (const auto &text : stack)
        if (chain::parse_extension_spec(text).name == "checkpoint")
            return true;
    return false;
}

// Receives the image restore --from names, in a directory of its own; the files to remove
// once it is read (the directory last).
std::vector<std::string> receive_for_restore(const std::string &from, std::string &path) {
    TemporaryDirectory directory("bascule-receive");
    std::vector<std::string> files;
    for (const auto &file : receive_images(from, (directory / "received.img").string()))
        files.push_back(file.string());
    directory.keep(); // until the restore has read it
    path = files.back();
    files.push_back(directory.path().string());
    return files;
}

void remove_files(const std::vector<std::string> &files) {
    for (const auto &file : files) {
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
    }
}

// Restores from `path`; returns only if that fails. `received`: files to remove once the
// image is read.
int restore_image(const RestoreOptions &options, const std::string &path,
                  const std::vector<std::string> &received) {
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
        runtime::Session session({stack, "", layout::sibling_tool("bascule").string()});
        ProgressBar bar("restoring");
        runtime::RestoredGuest guest{path, meta.guest_upcalls, meta.entry_page_address,
                                     meta.program.argv, options.allow_changed_files, options.lazy,
                                     options.verbose,
                                     [&bar](uint64_t done, uint64_t total) { bar.update(done, total); },
                                     false, received, options.stats};
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

} // namespace

int restore_command(const RestoreOptions &options) {
    std::string path;
    std::vector<std::string> received;
    if (!options.from.empty()) {
        if (options.lazy) {
            fmt::print(stderr, "bascule-snap: a lazy restore reads its image while the guest "
                               "runs: receive it first (bascule-snap receive)\n");
            return kExitUsage;
        }
        try {
            received = receive_for_restore(options.from, path);
        } catch (const std::exception &e) {
            fmt::print(stderr, "bascule-snap: {}\n", e.what());
            return kExitFailed;
        }
    } else {
        path = std::filesystem::absolute(options.image).string();
    }
    int status = restore_image(options, path, received);
    remove_files(received); // restore_image returns only if the restore failed
    return status;
}

} // namespace bsc::snap
