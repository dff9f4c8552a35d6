// SPDX-License-Identifier: MIT
// The trace extension: logs every downcall and upcall that passes it (or those of the
// chosen families), one line per call, in text or JSON.
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "bascule_extension.h"
#include "trace_format.h"
#include "guest_memory.h"

namespace {

using namespace bsc::trace;

enum DowncallIndex : size_t {
#define TRACE_DOWNCALL_INDEX(family, name, params) index_##name,
    BSC_DOWNCALLS(TRACE_DOWNCALL_INDEX)
#undef TRACE_DOWNCALL_INDEX
};

enum UpcallIndex : size_t {
#define TRACE_UPCALL_INDEX(name, params) upcall_index_##name,
    BSC_UPCALLS(TRACE_UPCALL_INDEX)
#undef TRACE_UPCALL_INDEX
};

// The parameter names come from the stringified lists; check they match the types.
template <class Fn> struct Arity;
template <class R, class... Args> struct Arity<R (*)(Args...)> {
    static constexpr size_t value = sizeof...(Args);
};
#define TRACE_CHECK_DOWNCALL(family, name, params)                                          \
    static_assert(parameter_count(#params) == Arity<decltype(bsc_downcalls::name)>::value, \
                  "cannot parse the parameter list of " #name);
BSC_DOWNCALLS(TRACE_CHECK_DOWNCALL)
#undef TRACE_CHECK_DOWNCALL
#define TRACE_CHECK_UPCALL(name, params)                                                   \
    static_assert(parameter_count(#params) == Arity<decltype(bsc_upcalls::name)>::value, \
                  "cannot parse the parameter list of " #name);
BSC_UPCALLS(TRACE_CHECK_UPCALL)
#undef TRACE_CHECK_UPCALL

struct Settings {
    Format format = Format::text;
    int fd = STDERR_FILENO;
    bool own_fd = false;
    uint32_t families = ~0u;
};

// Per instance: the chain loads a private copy of this object for every further one.
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;
Settings settings;
std::atomic<uint64_t> sequence{0};

uint64_t now_ns() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// One write(2) per line on an O_APPEND descriptor: lines of different threads (and of
// the processes the guest creates, which run the same stack) never interleave. Nothing
// is buffered, so there is nothing to flush at exit or before process_exit.
void emit(const CallRecord &record) {
    fmt::memory_buffer line;
    format_record(line, settings.format, record);
    const char *data = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = ::write(settings.fd, data, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // a trace that cannot be written must not disturb the guest
        data += n;
        left -= static_cast<size_t>(n);
    }
}

// The process's id, kept for speed and renewed in a child process_fork made.
pid_t process_id() {
    static pid_t pid = [] {
        ::pthread_atfork(nullptr, nullptr, [] { pid = ::getpid(); });
        return ::getpid();
    }();
    return pid;
}

CallRecord record_of(const CallInfo &call, std::span<const ArgValue> args, Phase phase) {
    return {&call,      args,     sequence.fetch_add(1, std::memory_order_relaxed) + 1,
            process_id(), ::gettid(), phase};
}

template <class Call>
bsc_status traced(const CallInfo &call, std::span<ArgValue> args, Call &&make_call) {
    if (call.no_return) {
        // On success the call never comes back: log it first.
        CallRecord record = record_of(call, args, Phase::before);
        emit(record);
        uint64_t start = now_ns();
        record.status = make_call();
        record.ns = now_ns() - start;
        record.phase = Phase::returned;
        emit(record);
        return record.status;
    }
    capture_inputs(call, args);
    CallRecord record = record_of(call, args, Phase::completed);
    uint64_t start = now_ns();
    record.status = make_call();
    record.ns = now_ns() - start;
    record.pid = process_id(); // process_fork returns in a new process too
    record.tid = ::gettid();
    emit(record);
    return record.status;
}

// One wrapper per downcall slot, generated from its function-pointer type.
template <auto Slot, size_t Index, class Fn> struct Down;
template <auto Slot, size_t Index, class... Args>
struct Down<Slot, Index, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        std::array<ArgValue, sizeof...(Args)> values{describe(args)...};
        return traced(downcalls()[Index], values, [&] { return (below->*Slot)(args...); });
    }
};

// Upcalls never return: they are logged as they pass.
template <auto Slot, size_t Index, class Fn> struct Up;
template <auto Slot, size_t Index, class... Args> struct Up<Slot, Index, void (*)(Args...)> {
    static void call(Args... args) {
        std::array<ArgValue, sizeof...(Args)> values{describe(args)...};
        emit(record_of(upcalls()[Index], values, Phase::upcall));
        (upcalls_above->*Slot)(args...);
    }
};

// ---- Joining the chain -----------------------------------------------------------------

template <class... T>
bsc_status refuse(char *error, size_t size, fmt::format_string<T...> message, T &&...args) {
    auto end = fmt::format_to_n(error, size - 1, message, std::forward<T>(args)...).out;
    *end = '\0';
    return BSC_E_INVALID;
}

bsc_status apply_option(const bsc_option &option, Settings &s, char *error, size_t size) {
    std::string_view key = option.key, value = option.value;
    std::string problem;
    if (key == "format" && !parse_format(value, s.format))
        return refuse(error, size, "format must be text or json, not '{}'", value);
    if (key == "families" && !parse_families(value, s.families, problem))
        return refuse(error, size, "{}", problem);
    if (key == "file") {
        if (value.empty())
            return refuse(error, size, "file needs a path");
        int fd = ::open(option.value, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
            return refuse(error, size, "cannot open {}: {}", value, std::strerror(errno));
        if (s.own_fd)
            ::close(s.fd);
        s.fd = fd;
        s.own_fd = true;
    }
    return BSC_OK;
}

bool selected(const CallInfo &call) { return settings.families & (1u << call.family_index); }

void install(const bsc_extension_context *context) {
#define TRACE_INSTALL_DOWNCALL(family, name, params)                                       \
    if (selected(downcalls()[index_##name]))                                               \
        context->above->name =                                                             \
            Down<&bsc_downcalls::name, index_##name, decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(TRACE_INSTALL_DOWNCALL)
#undef TRACE_INSTALL_DOWNCALL
#define TRACE_INSTALL_UPCALL(name, params)                                                  \
    if (selected(upcalls()[upcall_index_##name]))                                           \
        context->upcalls_below->name = Up<&bsc_upcalls::name, upcall_index_##name,          \
                                          decltype(bsc_upcalls::name)>::call;
    BSC_UPCALLS(TRACE_INSTALL_UPCALL)
#undef TRACE_INSTALL_UPCALL
}

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t size) {
    bsc::adopt_guest_copy(context); // before anything reads guest memory
    Settings s;
    for (size_t i = 0; i < context->option_count; i++) {
        if (bsc_status status = apply_option(context->options[i], s, error, size)) {
            if (s.own_fd)
                ::close(s.fd);
            return status;
        }
    }
    settings = s;
    below = context->below;
    upcalls_above = context->upcalls_above;
    install(context);
    return BSC_OK;
}

void fini(void *) {
    if (settings.own_fd)
        ::close(settings.fd);
    settings = {};
}

const char *const no_names[] = {nullptr};
// Built when the object is loaded (before the chain reads the descriptor), from the
// families the ABI's X-macro declares.
const std::string families_help = fmt::format(
    "trace only these families, joined with + or |: {} (default: all)", fmt::join(families(), ", "));
const bsc_option_spec options[] = {
    {"file", "append the trace to this file (default: stderr)"},
    {"format", "text (default) or json: one JSON object per line"},
    {"families", families_help.c_str()},
    {nullptr, nullptr},
};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "trace",
        .version = "1.0",
        .summary = "logs every downcall and upcall with arguments, status and duration",
        .must_be_below = no_names,
        .must_be_above = no_names,
        .options = options,
        .init = init,
        .on_event = nullptr,
        .fini = fini,
        .control = nullptr,
};
