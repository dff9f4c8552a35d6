// SPDX-License-Identifier: MIT
#include "call_text.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <type_traits>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "arg_value.h"
#include "call_roles.h"
#include "guest_memory.h"

namespace bsc::replay {
namespace {

template <class T> T from_raw(uint64_t bits) {
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<T>(bits);
    else
        return static_cast<T>(bits);
}

// The arguments of a call as the trace formatter takes them, typed by its prototype.
template <class Fn> struct Describe;
template <class... A> struct Describe<bsc_status (*)(A...)> {
    static std::vector<trace::ArgValue> args(const CallArgs &raw) {
        size_t i = 0;
        return {trace::describe(from_raw<A>(raw[i++]))...};
    }
};

using DescribeFn = std::vector<trace::ArgValue> (*)(const CallArgs &);
constexpr DescribeFn kDescribe[] = {
#define REPLAY_DESCRIBE(family, name, params) Describe<decltype(bsc_downcalls::name)>::args,
    BSC_DOWNCALLS(REPLAY_DESCRIBE)
#undef REPLAY_DESCRIBE
};

// While a recorded call is formatted, "guest memory" is what the trace kept of it: what
// it read, while its inputs are taken, then what it wrote (and its strings).
const std::vector<MemoryWrite> *shown[2];

// A read that begins in a kept piece gets what the piece has, then zeros: a string is
// read in chunks that may reach past its NUL.
size_t copy_from_trace(void *dst, const void *src, size_t size) {
    auto from = reinterpret_cast<uint64_t>(src);
    for (const auto *list : shown)
        for (const auto &piece : *list)
            if (from >= piece.address && from < piece.address + piece.bytes.size()) {
                size_t have = std::min<size_t>(size, piece.address + piece.bytes.size() - from);
                std::memcpy(dst, piece.bytes.data() + (from - piece.address), have);
                std::memset(static_cast<char *>(dst) + have, 0, size - have);
                return 0;
            }
    return size;
}

std::string format(uint16_t slot, const CallArgs &raw, trace::Phase phase, bsc_status status,
                   uint64_t number, uint32_t thread, trace::Format fmt,
                   const std::function<void()> &between = [] {}) {
    auto args = kDescribe[slot](raw);
    const trace::CallInfo &info = trace::downcalls()[slot];
    trace::capture_inputs(info, args);
    between();
    trace::CallRecord record{&info, args, number, 0, thread, phase, status, 0};
    return trace::format_record(fmt, record);
}

} // namespace

std::string recorded_call_text(const CallEvent &event, trace::Format fmt) {
    if (event.slot >= std::size(kDescribe))
        return "(a call the ABI does not have)\n";
    shown[0] = &event.reads, shown[1] = &event.writes;
    GuestCopy live = installed_guest_copy();
    set_guest_copy(copy_from_trace);
    std::string text = format(event.slot, event.args,
                              event.returned ? trace::Phase::completed : trace::Phase::before,
                              event.status, event.number, event.thread, fmt,
                              [&] { shown[0] = &event.writes, shown[1] = &event.reads; });
    set_guest_copy(live);
    return text;
}

std::string event_text(const Event &event, trace::Format fmt) {
    bool json = fmt == trace::Format::json;
    struct Describe {
        bool json;
        std::string operator()(const CallEvent &call) const {
            return recorded_call_text(call, json ? trace::Format::json : trace::Format::text);
        }
        std::string operator()(const InterruptEvent &e) const {
            return json ? fmt::format("{{\"kind\":\"interrupt\",\"thread\":{},\"after_call\":{}}}\n",
                                      e.thread, e.after_call)
                        : fmt::format("-- interrupt to thread {} after call {}\n", e.thread,
                                      e.after_call);
        }
        std::string operator()(const ThreadStartEvent &e) const {
            return json ? fmt::format("{{\"kind\":\"thread_start\",\"thread\":{}}}\n", e.thread)
                        : fmt::format("-- thread {} starts\n", e.thread);
        }
        std::string operator()(const SwitchEvent &e) const {
            return json ? fmt::format("{{\"kind\":\"switch\",\"thread\":{},\"switch_point\":{}}}\n",
                                      e.thread, e.exception)
                        : fmt::format("-- thread {} lets the others run at its switch point {}\n",
                                      e.thread, e.exception);
        }
        std::string operator()(const TurnEvent &e) const {
            return json ? fmt::format("{{\"kind\":\"turn\",\"thread\":{}}}\n", e.thread)
                        : fmt::format("-- thread {} ran and lets the others run\n", e.thread);
        }
        std::string operator()(const EndEvent &e) const {
            return json ? fmt::format("{{\"kind\":\"end\",\"status\":{}}}\n", e.status)
                        : fmt::format("-- the process ends with status {}\n", e.status);
        }
    };
    return std::visit(Describe{json}, event);
}

std::string live_call_text(uint16_t slot, const CallArgs &args, uint32_t thread) {
    return format(slot, args, trace::Phase::before, BSC_OK, 0, thread, trace::Format::text);
}

} // namespace bsc::replay
