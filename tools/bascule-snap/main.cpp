// SPDX-License-Identifier: MIT
// `bascule-snap`: capture a running guest to an image, restore it, and read images.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "commands.h"

int main(int argc, char **argv) {
    using namespace bsc::snap;
    CLI::App app{"bascule-snap: checkpoint images of Bascule guests"};
    app.set_version_flag("--version", std::string("bascule-snap ") + BASCULE_VERSION);
    app.require_subcommand(1);

    CaptureOptions capture;
    auto *capture_cmd = app.add_subcommand(
        "capture", "Capture the guest of a running `bascule run --ext checkpoint` process");
    capture_cmd->add_option("pid", capture.pid, "The bascule process")->required();
    capture_cmd->add_option("-o,--output", capture.image, "The image file to write")->required();
    capture_cmd->add_option("--parent", capture.parent,
                            "Write an incremental image: only pages that differ from this one");
    capture_cmd->add_flag("--leave-running", capture.leave_running,
                          "Let the guest run on (by default it stops after a complete capture)");
    capture_cmd->add_flag("--stats", capture.stats, "Print how long the guest was frozen");

    RestoreOptions restore;
    auto *restore_cmd = app.add_subcommand("restore", "Resume a guest from an image, in this process");
    restore_cmd->add_option("image", restore.image, "The image file")->required();
    restore_cmd->add_option("--ext", restore.extensions,
                            "Extension stack to use instead of the recorded one (repeatable)")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    restore_cmd->add_flag("--allow-changed-files", restore.allow_changed_files,
                          "Reopen files that changed since the capture");
    restore_cmd->add_flag("--lazy", restore.lazy,
                          "Resume at once and fill the memory as the guest touches it");
    restore_cmd->add_flag("-v,--verbose", restore.verbose, "Say what is restored");

    std::string image, other;
    bool json = false;
    auto *inspect_cmd = app.add_subcommand("inspect", "Describe an image");
    inspect_cmd->add_option("image", image, "The image file")->required();
    inspect_cmd->add_flag("--json", json, "Print JSON");
    auto *diff_cmd = app.add_subcommand("diff", "Compare two images");
    diff_cmd->add_option("a", image, "The first image")->required();
    diff_cmd->add_option("b", other, "The second image")->required();
    diff_cmd->add_flag("--json", json, "Print JSON");
    auto *verify_cmd = app.add_subcommand("verify", "Check an image's checksums and parent chain");
    verify_cmd->add_option("image", image, "The image file")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (*capture_cmd)
        return capture_command(capture);
    if (*restore_cmd)
        return restore_command(restore);
    if (*inspect_cmd)
        return inspect_command(image, json);
    if (*diff_cmd)
        return diff_command(image, other, json);
    return verify_command(image);
}
