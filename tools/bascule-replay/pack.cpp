// SPDX-License-Identifier: MIT
// `bascule-replay pack`: a copy of a trace (and of its forked processes' traces) that holds
// what its program mapped itself, in content records, and the bytes it read in its calls,
// instead of naming the content store's objects: a trace to replay on another machine.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "call_memory.h"
#include "commands.h"
#include "trace_file.h"

namespace bsc::replay_tool {
namespace {

// The files written so far, each under a temporary name and the name it gets once all are.
using Written = std::vector<std::pair<std::filesystem::path, std::filesystem::path>>;

void pack(const std::filesystem::path &from, const std::filesystem::path &to, Written &written) {
    replay::TraceReader in(from);
    std::filesystem::path temporary = to.string() + ".packing";
    written.emplace_back(temporary, to);
    replay::TraceWriter out(temporary);
    out.write_header(in.header());
    std::vector<uint64_t> children;
    in.for_each([&](const replay::Event &event) {
        replay::Event copy = event;
        if (auto *call = std::get_if<replay::CallEvent>(&copy)) {
            if (call->content.length) {
                auto bytes = in.content(call->content);
                auto out_of_line = std::find_if(call->writes.begin(), call->writes.end(),
                                                [](const auto &w) { return w.bytes.empty(); });
                if (out_of_line != call->writes.end()) { // a stream's bytes: back in the call
                    auto *first = reinterpret_cast<const uint8_t *>(bytes.data());
                    out_of_line->bytes.assign(first, first + bytes.size());
                    call->content = {};
                } else {
                    call->content = out.add_content(reinterpret_cast<uint64_t>(bytes.data()),
                                                    bytes.size());
                }
            }
            if (replay::forked_a_child(*call))
                children.push_back(replay::recorded_value(*call, 1));
        }
        out.add(std::move(copy));
    });
    out.flush();
    for (uint64_t child : children)
        pack(replay::child_trace_path(from, child), replay::child_trace_path(to, child), written);
}

} // namespace

int pack_command(const std::string &trace, const std::string &output) {
    Written written;
    try {
        if (std::filesystem::exists(output))
            throw replay::TraceError(output + ": exists already: a trace is never overwritten");
        pack(trace, output, written);
        for (const auto &[temporary, final_name] : written)
            std::filesystem::rename(temporary, final_name);
    } catch (const std::exception &e) { // a trace error, or one of the file system's
        for (const auto &[temporary, final_name] : written)
            std::filesystem::remove(temporary);
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        return kExitBadTrace;
    }
    fmt::print("{}: {} trace(s) holding their mapped content\n", output, written.size());
    return 0;
}

} // namespace bsc::replay_tool
