// SPDX-License-Identifier: MIT
// `bascule-snap`: capture a running guest to an image, restore it, and read images.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "commands.h"
#include "extension_option.h"

int main(int argc, char **argv) {
    using namespace bsc::snap;
    CLI::App app{"bascule-snap: checkpoint images of Bascule guests"};
    app.set_version_flag("--version", std::string("bascule-snap ") + BASCULE_VERSION);
    app.require_subcommand(1);

    CaptureOptions capture;
    auto *capture_cmd = app.add_subcommand(
        "capture", "Capture the guest of a running `bascule run --ext checkpoint` process");
    capture_cmd->add_option("pid", capture.pid, "The bascule process")->required();
    capture_cmd->add_option("-o,--output", capture.image, "The image file to write");
    capture_cmd->add_option("--to", capture.to,
                            "Send the image to tcp://HOST:PORT, where `bascule-snap receive` "
                            "listens (-o keeps a copy here)");
    capture_cmd->add_option("--parent", capture.parent,
                            "Write an incremental image: only pages that differ from this one");
    capture_cmd->add_flag("--pre-copy", capture.pre_copy,
                          "With --to: send the memory in rounds while the guest runs, and "
                          "freeze it only for the pages changed since the last");
    capture_cmd->add_flag("--leave-running", capture.leave_running,
                          "Let the guest run on (by default it stops after a complete capture)");
    capture_cmd->add_flag("--stats", capture.stats, "Print how long the guest was frozen");

    RestoreOptions restore;
    auto *restore_cmd = app.add_subcommand("restore", "Resume a guest from an image, in this process");
    restore_cmd->add_option("image", restore.image, "The image file");
    restore_cmd->add_option("--from", restore.from,
                            "Receive the image first: listen on tcp://[HOST]:PORT for one "
                            "`bascule-snap capture --to`");
    bsc::tools::add_extension_option(*restore_cmd, restore.extensions,
                                     "Extension NAME[:key=value,...] of a stack to use instead "
                                     "of the recorded one, repeatable, top first");
    restore_cmd->add_flag("--allow-changed-files", restore.allow_changed_files,
                          "Reopen files that changed since the capture");
    restore_cmd->add_flag("--lazy", restore.lazy,
                          "Resume at once and fill the memory as the guest touches it");
    restore_cmd->add_flag("-v,--verbose", restore.verbose, "Say what is restored");
    restore_cmd->add_flag("--stats", restore.stats,
                          "Print resumed-unix-ns: (CLOCK_REALTIME) on stderr once the guest "
                          "has resumed (each process of a tree), for measurements");

    std::string image, other, listen;
    bool json = false;
    auto *receive_cmd = app.add_subcommand("receive", "Receive an image sent by `capture --to`");
    receive_cmd->add_option("--listen", listen, "The port (or tcp://HOST:PORT) to listen on")
        ->required();
    receive_cmd->add_option("-o,--output", image, "The image file to write")->required();
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
    if (*capture_cmd && capture.image.empty() && capture.to.empty()) {
        fmt::print(stderr, "bascule-snap: capture needs -o IMAGE, --to tcp://HOST:PORT, or both\n");
        return kExitUsage;
    }
    if (*capture_cmd && capture.pre_copy && (capture.to.empty() || !capture.image.empty() ||
                                             !capture.parent.empty())) {
        fmt::print(stderr, "bascule-snap: --pre-copy needs --to, and neither -o nor --parent\n");
        return kExitUsage;
    }
    if (*capture_cmd && !capture.parent.empty() && capture.image.empty()) {
        fmt::print(stderr, "bascule-snap: an incremental capture needs -o IMAGE, beside its "
                           "parent (the chain is sent from one directory)\n");
        return kExitUsage;
    }
    if (*restore_cmd && restore.image.empty() == restore.from.empty()) {
        fmt::print(stderr, "bascule-snap: restore needs an image file or --from, not both\n");
        return kExitUsage;
    }
    if (*capture_cmd)
        return capture_command(capture);
    if (*restore_cmd)
        return restore_command(restore);
    if (*receive_cmd)
        return receive_command(listen, image);
    if (*inspect_cmd)
        return inspect_command(image, json);
    if (*diff_cmd)
        return diff_command(image, other, json);
    return verify_command(image);
}
