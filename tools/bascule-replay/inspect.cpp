// SPDX-License-Identifier: MIT
// `bascule-replay dump`, `stats` and `verify`: reading a trace without running anything.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "call_text.h"
#include "commands.h"
#include "trace_file.h"

namespace bsc::replay_tool {
namespace {

using nlohmann::json;

// The trace, or a message and nullopt.
std::optional<replay::Trace> load(const std::string &path) {
    try {
        return replay::read_trace(path);
    } catch (const replay::TraceError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        return std::nullopt;
    }
}

// The bytes of the content store's objects the trace names.
uint64_t stored_bytes(const replay::Trace &trace) {
    uint64_t total = 0;
    for (const auto &object : trace.store_objects)
        total += object.length;
    return total;
}

std::string end_text(const replay::Trace &trace) {
    return trace.end == replay::TraceEnd::complete ? "complete" : "cut (the recording was killed)";
}

} // namespace

int dump_command(const DumpOptions &options) {
    auto trace = load(options.trace);
    if (!trace)
        return kExitBadTrace;
    uint64_t last = 0;
    for (const auto &event : trace->events) {
        const auto *call = std::get_if<replay::CallEvent>(&event);
        uint64_t number = call ? call->number : last;
        last = number;
        if ((options.from && number < options.from) || (options.to && number > options.to))
            continue;
        uint32_t thread = replay::thread_of(event);
        if (options.thread >= 0 && thread != replay::kNoThread &&
            thread != static_cast<uint32_t>(options.thread))
            continue;
        fmt::print("{}", replay::event_text(event, options.json ? trace::Format::json
                                                                : trace::Format::text));
    }
    return 0;
}

int stats_command(const std::string &path, bool as_json) {
    auto trace = load(path);
    if (!trace)
        return kExitBadTrace;
    std::map<std::string, std::pair<uint64_t, uint64_t>> per_call; // count, bytes written
    uint64_t calls = 0, interrupts = 0, switches = 0, bytes = 0, ended_ns = 0;
    std::map<uint32_t, uint64_t> threads;
    int64_t previous_thread = -1;
    for (const auto &event : trace->events) {
        if (uint32_t thread = replay::thread_of(event); thread != replay::kNoThread) {
            switches += previous_thread >= 0 && previous_thread != thread;
            previous_thread = thread;
        }
        if (const auto *call = std::get_if<replay::CallEvent>(&event)) {
            uint64_t written = call->content.length;
            for (const auto &w : call->writes)
                written += w.bytes.size();
            auto &entry = per_call[std::string(trace::downcalls()[call->slot].name)];
            entry.first++, entry.second += written;
            calls++, bytes += written;
            threads[call->thread]++;
        } else if (std::holds_alternative<replay::InterruptEvent>(event)) {
            interrupts++;
        } else if (const auto *end = std::get_if<replay::EndEvent>(&event)) {
            ended_ns = end->ended_ns;
        }
    }
    double seconds = ended_ns > trace->header.started_ns
                         ? static_cast<double>(ended_ns - trace->header.started_ns) / 1e9
                         : 0;
    // Of the events: the mapped content is stored as it was, page-aligned.
    uint64_t event_bytes = trace->file_bytes - trace->content_bytes;
    double ratio = event_bytes ? static_cast<double>(trace->raw_bytes) /
                                     static_cast<double>(event_bytes)
                               : 0;
    if (as_json) {
        json out{{"calls", calls},          {"interrupts", interrupts},
                 {"threads", threads.size()}, {"switches", switches},
                 {"bytes_written", bytes},  {"file_bytes", trace->file_bytes},
                 {"raw_bytes", trace->raw_bytes}, {"content_bytes", trace->content_bytes},
                 {"store_objects", trace->store_objects.size()},
                 {"store_bytes", stored_bytes(*trace)},
                 {"compression", ratio},
                 {"seconds", seconds},      {"end", end_text(*trace)}};
        for (const auto &[name, entry] : per_call)
            out["per_call"][name] = {{"count", entry.first}, {"bytes_written", entry.second}};
        fmt::print("{}\n", out.dump(2));
        return 0;
    }
    fmt::print("{}: {} calls, {} interrupts, {} thread(s), {} switches between threads; {}\n",
               path, calls, interrupts, threads.size(), switches, end_text(*trace));
    fmt::print("  recorded {:.3f} s; the file has {} bytes: events {} ({} before compression, "
               "{:.1f}x), mapped content {}; {} bytes in {} content store objects\n",
               seconds, trace->file_bytes, event_bytes, trace->raw_bytes, ratio,
               trace->content_bytes, stored_bytes(*trace), trace->store_objects.size());
    fmt::print("  {:<36} {:>10} {:>14}\n", "call", "count", "bytes written");
    for (const auto &[name, entry] : per_call)
        fmt::print("  {:<36} {:>10} {:>14}\n", name, entry.first, entry.second);
    return 0;
}

int verify_command(const std::string &path) {
    auto trace = load(path);
    if (!trace)
        return kExitBadTrace;
    fmt::print("{}: a valid trace: {} events in {} blocks, {} bytes of mapped content in the "
               "trace and {} in {} content store objects, every checksum matches; {}{}\n", path,
               trace->events.size(), trace->blocks, trace->content_bytes, stored_bytes(*trace),
               trace->store_objects.size(), end_text(*trace),
               trace->dropped_bytes
                   ? fmt::format(" ({} bytes of a partial last block left out)", trace->dropped_bytes)
                   : "");
    return 0;
}

} // namespace bsc::replay_tool
