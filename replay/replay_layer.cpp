// SPDX-License-Identifier: MIT
// The replay layer: the bottom of the chain during a replay, standing for the host the
// recording ran on. It answers every downcall from the trace, writing back what the host
// wrote then, and makes for real only what builds the guest's own machine: its memory
// (at the recorded addresses, a mapped stream's content copied from the trace), its
// registers and the end of the process. No host file, clock, socket or random source is
// touched. A call that differs from the recording is a divergence (exit code 3, with a
// report). See README.md.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "bascule_extension.h"
#include "call_memory.h"
#include "call_roles.h"
#include "call_text.h"
#include "checksum.h"
#include "guest_memory.h"
#include "trace_file.h"

namespace {

using namespace bsc;
using namespace bsc::replay;

constexpr int kExitDivergence = 3;
constexpr uint64_t kPage = 4096;
constexpr size_t kRecentCalls = 10;

// Per instance: the chain loads a private copy of this object for every further one.
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;

struct Replay {
    std::string path;
    Trace trace;
    size_t next = 0;            // the next event to replay
    bool quiet = false;         // the guest's output is not shown
    uint64_t stop_after = 0;    // --to N: the last call replayed (0: all)
    bsc_handle stdio[3] = {};   // the recorded runtime's stdin, stdout, stderr
    bsc_handle thread = 0;      // the initial thread, to raise interrupts in
    std::deque<const CallEvent *> recent;
};
std::unique_ptr<Replay> state;
thread_local bool interrupt_expected;

[[noreturn]] void leave(int code) {
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(code);
}

[[noreturn]] void diverge(const std::string &what, const std::string &actual) {
    Replay &r = *state;
    uint64_t number = r.recent.empty() ? 1 : r.recent.back()->number + 1;
    fmt::print(stderr, "bascule-replay: the replay diverged from the recording at call {} "
                       "(thread 0): {}\n", number, what);
    if (r.next < r.trace.events.size())
        if (const auto *expected = std::get_if<CallEvent>(&r.trace.events[r.next]))
            fmt::print(stderr, "  expected: {}", recorded_call_text(*expected, trace::Format::text));
    if (!actual.empty())
        fmt::print(stderr, "  actual:   {}", actual);
    fmt::print(stderr, "  the last {} calls before it:\n", r.recent.size());
    for (const CallEvent *call : r.recent)
        fmt::print(stderr, "    {}", recorded_call_text(*call, trace::Format::text));
    leave(kExitDivergence);
}

[[noreturn]] void trace_ends() {
    Replay &r = *state;
    uint64_t last = r.recent.empty() ? 0 : r.recent.back()->number;
    fmt::print(stderr, "bascule-replay: {} ends after call {}: its recording was cut (killed "
                       "before it ended); the replay stops there\n", r.path, last);
    leave(0);
}

// The recorded call the guest must be making now, checked against it.
const CallEvent &expect(roles::Slot slot, const CallArgs &args) {
    Replay &r = *state;
    auto actual = [&] { return live_call_text(static_cast<uint16_t>(slot), args); };
    if (r.next >= r.trace.events.size())
        trace_ends();
    const auto *call = std::get_if<CallEvent>(&r.trace.events[r.next]);
    if (!call)
        diverge(std::holds_alternative<EndEvent>(r.trace.events[r.next])
                    ? "the recorded process had ended"
                    : "an interrupt was recorded before this call",
                actual());
    if (call->slot != static_cast<uint16_t>(slot))
        diverge("another call", actual());
    // Values are compared; what a pointer points at is compared through the input hash,
    // as the runtime's own calls point into its heap, which moves from run to run.
    const bsc_call_roles &roles = roles::of(slot);
    for (size_t i = 0; i < roles.param_count; i++)
        if (!roles::reads_or_writes_through(roles.params[i].kind) && call->args[i] != args[i])
            diverge(fmt::format("argument {} differs ({:#x}, recorded {:#x})", i + 1, args[i],
                                call->args[i]),
                    actual());
    if (call->input_hash != input_hash(roles, args))
        diverge("what it reads (its strings, structures or data) differs", actual());
    r.next++;
    r.recent.push_back(call);
    if (r.recent.size() > kRecentCalls)
        r.recent.pop_front();
    return *call;
}

// After call `number`: the interrupts recorded there, then --to's stop.
void after_call(uint64_t number) {
    Replay &r = *state;
    while (r.next < r.trace.events.size()) {
        const auto *interrupt = std::get_if<InterruptEvent>(&r.trace.events[r.next]);
        if (!interrupt || interrupt->after_call != number)
            break;
        r.next++;
        interrupt_expected = true;
        below->thread_interrupt(r.thread); // delivered as this call returns
    }
    if (r.stop_after && number >= r.stop_after) {
        fmt::print(stderr, "bascule-replay: stopped after call {} (--to)\n", number);
        leave(0);
    }
}

void check_real(bsc_status real, const CallEvent &call) {
    if (real != call.status)
        diverge(fmt::format("the host answered {} where the recording had {}", real, call.status),
                "");
}

uint64_t page_up(uint64_t size) { return (size + kPage - 1) / kPage * kPage; }

// What each call does during a replay: by default, nothing but the recorded answer.
template <roles::Slot Name> struct Serve {
    static void call(const CallEvent &, const CallArgs &) {}
};

// Memory is made for real where the recording had it.
template <> struct Serve<roles::Slot::vm_alloc> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        uint64_t address = recorded_value(c, 0);
        uint32_t flags = static_cast<uint32_t>(a[3]);
        if (!(flags & BSC_MAP_FIXED))
            flags |= BSC_MAP_FIXED_NOREPLACE;
        check_real(below->vm_alloc(&address, a[1], static_cast<uint32_t>(a[2]), flags), c);
    }
};
template <> struct Serve<roles::Slot::vm_free> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_free(a[0], a[1]), c);
    }
};
template <> struct Serve<roles::Slot::vm_protect> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_protect(a[0], a[1], static_cast<uint32_t>(a[2])), c);
    }
};
template <> struct Serve<roles::Slot::vm_reset> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_reset(a[0], a[1]), c);
    }
};
template <> struct Serve<roles::Slot::thread_set_segment> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->thread_set_segment(static_cast<uint32_t>(a[0]), a[1]), c);
    }
};

// A mapped stream: fresh memory at the recorded address holding the recorded content.
template <> struct Serve<roles::Slot::stream_map> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        uint64_t address = recorded_value(c, 1), size = page_up(a[3]);
        uint32_t flags = static_cast<uint32_t>(a[5]) & BSC_MAP_FIXED ? BSC_MAP_FIXED
                                                                     : BSC_MAP_FIXED_NOREPLACE;
        check_real(below->vm_alloc(&address, size, BSC_PROT_READ | BSC_PROT_WRITE, flags), c);
        apply_writes(c.writes, c.args, a);
        check_real(below->vm_protect(address, size, static_cast<uint32_t>(a[4])), c);
    }
};
template <> struct Serve<roles::Slot::stream_unmap> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status == BSC_OK)
            check_real(below->vm_free(a[0], page_up(a[1])), c);
    }
};

// The guest's output to the runtime's stdout and stderr is shown.
template <> struct Serve<roles::Slot::stream_write> {
    static void call(const CallEvent &c, const CallArgs &a) {
        Replay &r = *state;
        int fd = a[0] == r.stdio[1] ? 1 : a[0] == r.stdio[2] ? 2 : -1;
        if (fd < 0 || r.quiet || c.status != BSC_OK)
            return;
        uint64_t done = recorded_value(c, 4);
        auto bytes = readable_prefix(a[2], std::min(done, a[3]));
        for (size_t at = 0; at < bytes.size();) {
            ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
            if (n <= 0)
                break;
            at += static_cast<size_t>(n);
        }
    }
};

template <auto Slot, roles::Slot Name, class Fn> struct Replayed;
template <auto Slot, roles::Slot Name, class... Args>
struct Replayed<Slot, Name, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        CallArgs values{arg_bits(args)...};
        if constexpr (roles::of(Name).flags & BSC_CALL_NO_RETURN) {
            (below->*Slot)(args...); // it returned: it failed, as recorded
        }
        const CallEvent &call = expect(Name, values);
        Serve<Name>::call(call, values);
        if (!(roles::of(Name).flags & BSC_CALL_MAPS) && !apply_writes(call.writes, call.args, values))
            diverge("the guest memory the call wrote is gone", "");
        after_call(call.number);
        return call.status;
    }
};

// The process ends where the recorded one ended.
bsc_status process_exit(int32_t status) {
    expect(roles::Slot::process_exit, CallArgs{arg_bits(status)});
    std::fflush(stdout);
    return below->process_exit(status);
}

// The guest is told the handles the recorded host gave it (its calls on them are answered
// from the trace); the layer keeps the real thread handle to raise interrupts with.
void start(const bsc_downcalls *abi, const bsc_start_info *info) {
    Replay &r = *state;
    bsc_start_info copy{};
    if (read_guest(info, copy) == BSC_OK) {
        auto image = readable_prefix(copy.image_base, copy.image_size);
        if (snapshot::xxh3({reinterpret_cast<const std::byte *>(image.data()), image.size()}) !=
            r.trace.header.image_hash)
            diverge("the guest image loaded is not the recorded one", "");
        r.thread = copy.thread;
        std::copy(r.trace.header.stdio.begin(), r.trace.header.stdio.end(), copy.stdio);
        copy.thread = r.trace.header.thread;
        write_guest(const_cast<bsc_start_info *>(info), copy);
    }
    std::copy(r.trace.header.stdio.begin(), r.trace.header.stdio.end(), r.stdio);
    upcalls_above->start(abi, info);
}

// Interrupts reach the guest only where the recording had them; the replaying process's
// own signals (its children ending, the terminal) are not the guest's.
void exception(bsc_exception *ex) {
    bsc_exception copy{};
    if (read_guest(ex, copy) == BSC_OK && copy.kind == BSC_EXCEPTION_INTERRUPT) {
        if (!interrupt_expected)
            below->thread_context_restore(&ex->context);
        interrupt_expected = false;
    }
    upcalls_above->exception(ex);
}

// Threads: this version replays traces of one thread (init refuses the others).
void thread_start(uint64_t argument) { upcalls_above->thread_start(argument); }

void install(const bsc_extension_context *context) {
#define REPLAY_DOWNCALL(family, name, params)                                                \
    context->above->name = Replayed<&bsc_downcalls::name, roles::Slot::name,                 \
                                    decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(REPLAY_DOWNCALL)
#undef REPLAY_DOWNCALL
    context->above->process_exit = process_exit;
    context->upcalls_below->start = start;
    context->upcalls_below->thread_start = thread_start;
    context->upcalls_below->exception = exception;
}

bsc_status refuse(char *error, size_t size, const std::string &message) {
    fmt::format_to_n(error, size - 1, "{}{}", message, '\0');
    return BSC_E_INVALID;
}

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t size) {
    auto r = std::make_unique<Replay>();
    for (size_t i = 0; i < context->option_count; i++) {
        std::string key = context->options[i].key, value = context->options[i].value;
        if (key == "trace")
            r->path = value;
        else if (key == "quiet")
            r->quiet = true;
        else if (key == "to")
            r->stop_after = std::strtoull(value.c_str(), nullptr, 10);
    }
    if (r->path.empty())
        return refuse(error, size, "needs trace=FILE");
    try {
        r->trace = read_trace(r->path);
    } catch (const TraceError &e) {
        return refuse(error, size, e.what());
    }
    if (auto reason = why_not_replayable(r->trace, r->path); !reason.empty())
        return refuse(error, size, reason);
    state = std::move(r);
    below = context->below;
    upcalls_above = context->upcalls_above;
    install(context);
    return BSC_OK;
}

const char *const below_every_other[] = {"*", nullptr};
const char *const no_names[] = {nullptr};
const bsc_option_spec options[] = {
    {"trace", "the trace to replay"},
    {"quiet", "do not show what the guest writes to stdout and stderr"},
    {"to", "stop after call N"},
    {nullptr, nullptr},
};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "replay",
        .version = "1.0",
        .summary = "stands for the host during bascule-replay: answers every call from a trace",
        .must_be_below = below_every_other,
        .must_be_above = no_names,
        .options = options,
        .init = init,
        .on_event = nullptr,
        .fini = nullptr,
        .control = nullptr,
};
