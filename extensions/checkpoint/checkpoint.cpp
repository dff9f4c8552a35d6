// SPDX-License-Identifier: MIT
// The checkpoint extension: records every region, handle and thread that crosses the ABI
// at its position (interpose.cpp), and captures and restores the guest on request of the
// runtime (control commands) or of its own timer (at=SECONDS).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "operations.h"
#include "tracked_state.h"
#include "guest_memory.h"

namespace bsc::checkpoint {

TrackedState &tracked() {
    static TrackedState state;
    return state;
}

Arguments::Arguments(const bsc_control_request &request) : request_(request) {}

std::optional<std::string> Arguments::value(const std::string &key) const {
    for (size_t i = 0; i < request_.argument_count; i++)
        if (key == request_.arguments[i].key)
            return request_.arguments[i].value;
    return std::nullopt;
}

std::vector<std::string> Arguments::all(const std::string &key) const {
    std::vector<std::string> values;
    for (size_t i = 0; i < request_.argument_count; i++)
        if (key == request_.arguments[i].key)
            values.emplace_back(request_.arguments[i].value);
    return values;
}

bool Arguments::flag(const std::string &key) const {
    auto v = value(key);
    return v && *v != "0";
}

namespace {

constexpr auto kFreezeTimeout = std::chrono::seconds(10);

// Options, as given with --ext checkpoint:KEY=VALUE.
struct Options {
    double at_seconds = 0;    // capture this long after the start
    std::string signal;       // capture whenever the process receives this signal
    std::string image;        // where at= and signal= write their image
    bool leave_running = false;
};
Options options;
const bsc_extension_context *context;

bsc_status fail(char *error, size_t size, const std::string &message) {
    std::snprintf(error, size, "%s", message.c_str());
    return BSC_E_INVALID;
}

bsc_status init(const bsc_extension_context *given, void **, char *error, size_t error_size) {
    bsc::adopt_guest_copy(given); // before anything reads guest memory
    context = given;
    tracked().below = given->below;
    tracked().upcalls_above = given->upcalls_above;
    for (size_t i = 0; i < given->option_count; i++) {
        std::string key = given->options[i].key, value = given->options[i].value;
        if (key == "at") {
            char *end = nullptr;
            options.at_seconds = std::strtod(value.c_str(), &end);
            if (value.empty() || *end || options.at_seconds <= 0)
                return fail(error, error_size, "at= needs a positive number of seconds");
        } else if (key == "signal") {
            options.signal = value;
        } else if (key == "image") {
            options.image = value;
        } else if (key == "leave-running") {
            options.leave_running = value != "0";
        }
    }
    bool triggered = options.at_seconds > 0 || !options.signal.empty();
    if (triggered && options.image.empty())
        return fail(error, error_size, "at= and signal= need image=PATH, where the image goes");
    if (triggered && given->size <= offsetof(bsc_extension_context, request_control))
        return fail(error, error_size, "this runtime takes no capture requests (ABI 1.0)");
    interpose(*given);
    return BSC_OK;
}

// Asks the runtime to run `command` with the image options, as bascule-snap would.
bsc_status request(const char *command) {
    bsc_option arguments[] = {{"image", options.image.c_str()},
                              {"leave-running", options.leave_running ? "1" : "0"},
                              {"signal", options.signal.c_str()}};
    return context->request_control(command, arguments, std::size(arguments));
}

void on_event(void *, uint32_t event) {
    if (event != BSC_EVENT_START && event != BSC_EVENT_RESTORE)
        return;
    // The runtime names the signals it may watch; the guest has not run yet, and does not
    // run without the trigger it was asked for (exit status 2, as a refused stack).
    if (!options.signal.empty() && request("watch-signal") == BSC_E_INVALID) {
        fmt::print(stderr, "bascule: checkpoint: signal={} is not a signal the runtime can "
                           "watch (USR1, USR2, HUP, ...)\n", options.signal);
        std::fflush(stderr);
        tracked().below->process_exit(2);
    }
    if (options.at_seconds > 0 && event == BSC_EVENT_START)
        std::thread([] {
            std::this_thread::sleep_for(std::chrono::duration<double>(options.at_seconds));
            request("capture");
        }).detach();
}

void reply(const bsc_control_request &request, const std::string &message) {
    if (request.reply_size == 0)
        return;
    size_t n = std::min(message.size(), request.reply_size - 1);
    std::memcpy(request.reply, message.data(), n);
    request.reply[n] = '\0';
}

bsc_status control(void *, const bsc_control_request *request) {
    std::string command = request->command;
    Arguments arguments(*request);
    Progress progress{request->progress, request->cookie};
    Outcome outcome;
    if (command == "prepare-capture")
        outcome = prepare_capture(arguments);
    else if (command == "freeze")
        outcome = freeze(arguments);
    else if (command == "capture")
        outcome = capture(arguments, progress);
    else if (command == "thaw")
        outcome = thaw();
    else if (command == "restore")
        outcome = restore(arguments, progress);
    else if (command == "resume")
        outcome = resume();
    else
        return BSC_E_NOT_SUPPORTED;
    reply(*request, outcome.message);
    return outcome.status;
}

const bsc_option_spec accepted_options[] = {
    {"at", "capture this many seconds after the guest starts (needs image=)"},
    {"signal", "capture whenever the process receives this signal (USR1, USR2, ...)"},
    {"image", "the image file at= and signal= captures write"},
    {"leave-running", "let the guest run on after an at= or signal= capture (default: it stops)"},
    {nullptr, nullptr},
};
const char *const no_names[] = {nullptr};

// Whether the guest has started (its start upcall passed, or a restore resumed it),
// waiting for it up to `limit`: a capture asked for as soon as a restored guest's control
// socket is there comes before its threads are given back.
bool wait_until_started(std::chrono::steady_clock::duration limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!tracked().started) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace

Outcome freeze(const Arguments &) {
    auto &state = tracked();
    if (!wait_until_started(kFreezeTimeout))
        return {BSC_E_BUSY, "the guest has not started (waited 10 s)"};
    // A layer below that cannot interrupt the guest's threads (record, with several of
    // them; a replay not capturing) says so: the freeze ends there, not after the timeout.
    std::optional<Outcome> refused;
    auto interrupt = [&](bsc_handle handle) {
        bsc_status status = state.below->thread_interrupt(state.handles.below(handle));
        if (status == BSC_E_NOT_SUPPORTED)
            refused = Outcome{BSC_E_BUSY, fmt::format("the layers below cannot interrupt "
                                                      "thread {} now (see above)", handle)};
        return !refused;
    };
    if (!state.freezer.freeze(interrupt, kFreezeTimeout))
        return refused ? *refused : Outcome{BSC_E_TIMED_OUT, "a guest thread did not stop within 10 s"};
    return {BSC_OK, "frozen"};
}

Outcome thaw() {
    tracked().freezer.thaw();
    return {BSC_OK, "thawed"};
}

} // namespace bsc::checkpoint

extern "C" __attribute__((visibility("default")))
const bsc_extension_descriptor bascule_extension = {
    .size = sizeof(bsc_extension_descriptor),
    .abi_version = BSC_ABI_VERSION,
    .name = "checkpoint",
    .version = "1.0",
    .summary = "captures the guest's regions, handles and threads to an image, and restores it",
    .must_be_below = bsc::checkpoint::no_names,
    .must_be_above = bsc::checkpoint::no_names,
    .options = bsc::checkpoint::accepted_options,
    .init = bsc::checkpoint::init,
    .on_event = bsc::checkpoint::on_event,
    .fini = nullptr,
    .control = bsc::checkpoint::control,
};
