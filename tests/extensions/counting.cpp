// SPDX-License-Identifier: MIT
// Test extension counting: interposes on every downcall and upcall, counts them in the
// test's probe, and notes its lifecycle events there under its label.
#include "test_extension.h"
#include "test_probe.h"

#include <algorithm>
#include <string_view>

namespace {

// Per instance (the chain loads a private copy for every further instance).
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;
TestProbe *probe;
const char *label = "counting";

template <auto Slot, class Fn> struct Down;
template <auto Slot, class... Args> struct Down<Slot, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        probe->downcalls++;
        return (below->*Slot)(args...);
    }
};

template <auto Slot, class Fn> struct Up;
template <auto Slot, class... Args> struct Up<Slot, void (*)(Args...)> {
    static void call(Args... args) {
        probe->upcalls++;
        (upcalls_above->*Slot)(args...);
    }
};

const char *event_name(uint32_t event) {
    switch (event) {
    case BSC_EVENT_START: return "start";
    case BSC_EVENT_EXIT: return "exit";
    case BSC_EVENT_BEFORE_CHECKPOINT: return "before-checkpoint";
    case BSC_EVENT_RESUME: return "resume";
    case BSC_EVENT_RESTORE: return "restore";
    case BSC_EVENT_BEFORE_RESTORE: return "before-restore";
    default: return "unknown";
    }
}

TestProbe fallback; // when no probe is given (e.g. in a real run)

bsc_status init(const bsc_extension_context *context, void **, char *, size_t) {
    below = context->below;
    upcalls_above = context->upcalls_above;
    const char *given = test_extension::option(context, "probe");
    probe = given ? probe_from(given) : &fallback;
    if (const char *name = test_extension::option(context, "label"))
        label = name;
    probe->note(label, "init");
#define COUNT_DOWNCALL(family, name, params) \
    context->above->name = Down<&bsc_downcalls::name, decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(COUNT_DOWNCALL)
#undef COUNT_DOWNCALL
#define COUNT_UPCALL(name, params) \
    context->upcalls_below->name = Up<&bsc_upcalls::name, decltype(bsc_upcalls::name)>::call;
    BSC_UPCALLS(COUNT_UPCALL)
#undef COUNT_UPCALL
    return BSC_OK;
}

void on_event(void *, uint32_t event) { probe->note(label, event_name(event)); }
void fini(void *) { probe->note(label, "fini"); }

// Serves the control command "label": notes it and replies with the label.
bsc_status control(void *, const bsc_control_request *request) {
    if (std::string_view(request->command) != "label")
        return BSC_E_NOT_SUPPORTED;
    probe->note(label, "control");
    std::string_view text(label);
    size_t n = std::min(text.size(), request->reply_size - 1);
    text.copy(request->reply, n);
    request->reply[n] = '\0';
    return BSC_OK;
}

const bsc_option_spec accepted[] = {
    {"probe", "address of the test's TestProbe"},
    {"label", "the name its events are noted under"},
    {nullptr, nullptr},
};

constexpr bsc_extension_descriptor make() {
    auto d = test_extension::descriptor("counting");
    d.options = accepted;
    d.init = init;
    d.on_event = on_event;
    d.fini = fini;
    d.control = control;
    return d;
}

} // namespace

TEST_EXTENSION = make();
