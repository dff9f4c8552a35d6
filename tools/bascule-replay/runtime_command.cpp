// SPDX-License-Identifier: MIT
// `bascule-replay record` and `replay`: each runs the `bascule` runtime with the record
// extension, or the replay layer, at the bottom of the stack.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "call_roles.h"
#include "commands.h"
#include "extension_spec.h"
#include "gdb_connection.h"
#include "remote_packets.h"
#include "image_error.h"
#include "image_reader.h"
#include "install_layout.h"
#include "run.h"
#include "session.h"
#include "trace_file.h"

namespace bsc::replay_tool {
namespace {

using gdb::to_hex;

// The Linux personality image the recording loaded: the first stream the runtime opened.
std::optional<std::string> recorded_image(replay::TraceReader &trace) {
    for (uint64_t i = 0; i < trace.size(); i++) {
        auto event = trace.at(i);
        const auto *call = std::get_if<replay::CallEvent>(event.get());
        if (!call || call->slot != static_cast<uint16_t>(roles::Slot::stream_open))
            continue;
        for (const auto &read : call->reads)
            if (read.param == 0) {
                std::string uri(read.bytes.begin(), read.bytes.end() - 1);
                if (uri.rfind("file:", 0) == 0)
                    return uri.substr(5);
            }
        return std::nullopt;
    }
    return std::nullopt;
}

// The name of an extension spec, NAME[:OPTIONS].
std::string name_of(const std::string &spec) { return chain::parse_extension_spec(spec).name; }

// Whether `stack` (extension specs) holds the extension `name`.
bool stack_has(const std::vector<std::string> &stack, std::string_view name) {
    return std::any_of(stack.begin(), stack.end(),
                       [&](const std::string &spec) { return name_of(spec) == name; });
}

// The checkpoint extension's options all say when to capture (at=, signal=, image=,
// leave-running): a replay does not capture again where the recording did; what those
// captures did to the guest (the interrupts that stopped it) is in the trace.
std::string without_capture_triggers(const std::string &spec) {
    return name_of(spec) == "checkpoint" ? "checkpoint" : spec;
}

// The record extension's place in the trace, as an image captured while recording keeps
// it ("trace=PATH,event=E,order=O,call=C,thread=T,switch-points=S": an extension's options),
// by key; empty if it keeps none.
std::map<std::string, std::string> record_place(const snapshot::ImageMetadata &meta) {
    std::map<std::string, std::string> place;
    auto blob = meta.extension_blobs.find("record");
    if (blob == meta.extension_blobs.end())
        return place;
    try {
        auto spec = chain::parse_extension_spec("record:" +
                                                std::string(blob->second.begin(), blob->second.end()));
        for (const auto &option : spec.options)
            place[option.key] = option.value;
    } catch (const chain::ChainError &) {
        place.clear();
    }
    return place;
}

// `replay --from IMAGE`: this process restores the image, taken while recording, on the
// recorded stack with the replay layer below, which goes on from the image's place in the
// trace (`layer` holds the layer's other options).
int replay_from_image(const ReplayOptions &options, const replay::TraceHeader &header,
                      std::string layer) {
    auto image = std::filesystem::absolute(options.from).string();
    snapshot::ImageMetadata meta;
    try {
        meta = snapshot::read_image_metadata(image);
    } catch (const snapshot::ImageError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        return kExitUsage;
    }
    auto place = record_place(meta);
    std::error_code error;
    if (place.empty() || !std::filesystem::equivalent(place["trace"], options.trace, error)) {
        fmt::print(stderr, "bascule-replay: {} was not captured while recording {}{}\n", image,
                   options.trace, place.empty() ? "" : " (it names " + place["trace"] + ")");
        return kExitUsage;
    }
    if (meta.threads.size() != 1) {
        fmt::print(stderr, "bascule-replay: {} holds {} threads: a replay starts from an image of "
                           "one\n", image, meta.threads.size());
        return kExitUsage;
    }
    if (uint64_t call = std::strtoull(place["call"].c_str(), nullptr, 10);
        options.stop_at && options.stop_at <= call) {
        fmt::print(stderr, "bascule-replay: --stop-at {}: {} was captured after call {}; a "
                           "replay from it stops at a later call\n",
                   options.stop_at, image, call);
        return kExitUsage;
    }
    for (const char *key : {"event", "order", "call", "thread", "switch-points"})
        layer += fmt::format(",{}={}", std::string_view(key) == "event" ? "from" : key, place[key]);
    if (place.contains("entry-stack")) // for gdb: where the program's auxiliary vector is
        layer += ",entry-stack=" + place["entry-stack"];
    std::vector<std::string> stack;
    for (const auto &spec : header.stack)
        stack.push_back(without_capture_triggers(spec));
    if (!stack_has(stack, "checkpoint"))
        stack.insert(stack.begin(), "checkpoint");
    stack.push_back(layer);
    try {
        runtime::Session session({stack, "", layout::sibling_tool("bascule").string()});
        session.restore({.image = image, .guest_upcalls = meta.guest_upcalls,
                         .entry_page = meta.entry_page_address, .argv = meta.program.argv,
                         .allow_changed_files = false, .lazy = false, .verbose = false, .progress = {},
                         .handles_as_captured = true});
    } catch (const chain::ChainError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        return kExitUsage;
    } catch (const runtime::LaunchError &e) {
        fmt::print(stderr, "bascule-replay: cannot start from {}: {}\n", image, e.what());
        return kExitBadTrace;
    }
}

} // namespace

namespace {

// The content store's directory, made if it is not there: `given`, else
// $BASCULE_CONTENT_STORE, else the user's cache; "" for none ("none", or no place for it).
std::string content_store(const std::string &given) {
    std::filesystem::path store = given;
    const char *cache = std::getenv("XDG_CACHE_HOME"), *home = std::getenv("HOME");
    if (const char *chosen = std::getenv("BASCULE_CONTENT_STORE"); store.empty() && chosen)
        store = chosen;
    if (store.empty() && cache && *cache)
        store = std::filesystem::path(cache) / "bascule" / "content";
    if (store.empty() && home && *home)
        store = std::filesystem::path(home) / ".cache" / "bascule" / "content";
    if (store.empty() || store == "none")
        return "";
    std::error_code error;
    if (std::filesystem::create_directories(store, error)) // what it keeps is the user's alone
        std::filesystem::permissions(store, std::filesystem::perms::owner_all, error);
    if (!std::filesystem::is_directory(store, error)) {
        fmt::print(stderr, "bascule-replay: no content store at {}: the trace holds the mapped "
                           "content\n", store.string());
        return "";
    }
    return std::filesystem::absolute(store).string();
}

// This program's file (empty if /proc does not say).
std::filesystem::path self_path() {
    std::error_code error;
    auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    return error ? std::filesystem::path() : self;
}

// The command that replays the trace again from the start, in this process (exec), on
// the connection to gdb it has: NUL-separated, for the replay layer (going backwards).
std::string restart_arguments(const std::string &trace, const GdbConnection &gdb,
                              const ReplayOptions &options) {
    std::string command = fmt::format("{}{}replay{}{}{}--gdb-fds{}{}:{}", self_path().string(),
                                      '\0', '\0', trace, '\0', '\0', gdb.in, gdb.out);
    for (auto [flag, set] : {std::pair{"--quiet", options.quiet},
                             std::pair{"--allow-divergence", options.allow_divergence}})
        if (set)
            command += std::string(1, '\0') + flag;
    if (!options.from.empty()) // the image is where the replay starts again
        command += fmt::format("{}--from{}{}", '\0', '\0',
                               std::filesystem::absolute(options.from).string());
    command += fmt::format("{}--checkpoint-every{}{}", '\0', '\0', options.checkpoint_every);
    return command;
}

} // namespace

int record_command(const RecordOptions &options) {
    auto store = content_store(options.content_store);
    for (const auto &path : {options.trace, store})
        if (path.find(',') != std::string::npos) {
            fmt::print(stderr, "bascule-replay: {}: a path given to an extension cannot hold a "
                               "comma\n", path);
            return kExitUsage;
        }
    std::string stack;
    for (const auto &spec : options.extensions)
        stack += (stack.empty() ? "" : "\n") + spec;
    std::string record = "record:trace=" + options.trace;
    if (!store.empty())
        record += ",store=" + store;
    if (!stack.empty())
        record += ",stack=" + to_hex(stack);
    tools::RunOptions run;
    run.extensions = options.extensions;
    run.extensions.push_back(record);
    run.command = options.command;
    run.runtime = layout::sibling_tool("bascule").string();
    return tools::run_command(run);
}

int replay_command(const ReplayOptions &options) {
    std::optional<replay::TraceReader> trace;
    std::optional<std::string> image;
    try {
        trace.emplace(options.trace);
        if (auto reason = replay::why_not_replayable(*trace); !reason.empty()) {
            fmt::print(stderr, "bascule-replay: {}\n", reason);
            return kExitBadTrace;
        }
        image = recorded_image(*trace);
    } catch (const replay::TraceError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        return kExitBadTrace;
    }
    const auto &header = trace->header();
    auto dashes = std::find(header.argv.begin(), header.argv.end(), "--");
    if (!image || header.argv.end() - dashes < 3) { // "--", the path, argv[0]
        fmt::print(stderr, "bascule-replay: {}: not a recording of a Linux program\n",
                   options.trace);
        return kExitBadTrace;
    }
    auto path = std::filesystem::absolute(options.trace).string();
    auto image_path = options.capture.empty()
                          ? std::string()
                          : std::filesystem::absolute(options.capture).string();
    for (const auto &given : {path, image_path})
        if (given.find(',') != std::string::npos) {
            fmt::print(stderr, "bascule-replay: {}: a path given to an extension cannot hold a "
                               "comma\n", given);
            return kExitUsage;
        }
    if (trace->end() == replay::TraceEnd::cut)
        fmt::print(stderr, "bascule-replay: {}: the recording was cut (it has no end); it "
                           "replays up to its last whole block\n", options.trace);
    std::string layer = "replay:trace=" + path + ",checked"; // by the reader above
    if (options.quiet)
        layer += ",quiet";
    if (options.to)
        layer += fmt::format(",to={}", options.to);
    if (!options.gdb.empty() || options.gdb_stdio || !options.gdb_fds.empty()) {
        auto gdb = !options.gdb_fds.empty() ? taken_over_gdb(options.gdb_fds)
                   : options.gdb_stdio      ? std::optional(gdb_on_stdio())
                                            : accept_gdb(options.gdb);
        if (!gdb)
            return kExitBadTrace;
        layer += fmt::format(",gdb={}:{},gdb-restart={}", gdb->in, gdb->out,
                             to_hex(restart_arguments(path, *gdb, options)));
        if (options.stop_at)
            layer += fmt::format(",stop-at={}", options.stop_at);
        if (options.allow_divergence)
            layer += ",gdb-changes";
        if (options.gdb_plan >= 0)
            layer += fmt::format(",gdb-plan={}", options.gdb_plan);
        layer += fmt::format(",checkpoint-every={}", options.checkpoint_every);
    }
    if (!options.from.empty())
        return replay_from_image(options, header, layer);
    // The program's path, then its argv: argv[0] given apart, as it may be another name.
    tools::RunOptions run;
    run.libos = *image;
    run.working_directory = header.working_directory;
    run.argv0 = dashes[2];
    run.command.assign(dashes + 1, header.argv.end());
    run.command.erase(run.command.begin() + 1); // argv[0], given apart
    run.environment = header.envp;
    run.runtime = layout::sibling_tool("bascule").string();
    for (auto option = header.argv.begin() + 1; option != dashes; ++option) {
        if (*option == "--verbose" || *option == "--strace")
            (*option == "--verbose" ? run.verbose : run.strace) = true;
        else if (*option == "--syscall-path=trap")
            run.syscall_path = "trap";
        else {
            fmt::print(stderr, "bascule-replay: {}: the recording's Linux personality had an "
                               "option this one does not know: {}\n", options.trace, *option);
            return kExitBadTrace;
        }
    }
    // A capture needs the checkpoint extension on top; it only watches until it captures,
    // so the calls reaching the replay layer are the recorded ones.
    if (!image_path.empty() && !stack_has(header.stack, "checkpoint"))
        run.extensions.push_back("checkpoint");
    for (const auto &spec : header.stack)
        run.extensions.push_back(without_capture_triggers(spec));
    if (!image_path.empty())
        layer += ",capture=" + image_path;
    run.extensions.push_back(layer);
    return tools::run_command(run);
}

} // namespace bsc::replay_tool
