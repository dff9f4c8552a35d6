// SPDX-License-Identifier: MIT
// libFuzzer target: whatever bytes the trace reader gets, it refuses them with a
// TraceError or reads them, and then every call it read can be shown as `dump` shows it;
// any other outcome (a crash, a sanitizer report, another exception) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "call_text.h"
#include "trace_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::vector<std::byte> bytes(size);
    if (size)
        std::memcpy(bytes.data(), data, size);
    try {
        auto trace = bsc::replay::parse_trace(std::move(bytes), "fuzz-input");
        for (const auto &event : trace.events)
            if (const auto *call = std::get_if<bsc::replay::CallEvent>(&event))
                bsc::replay::recorded_call_text(*call, bsc::trace::Format::json);
    } catch (const bsc::replay::TraceError &) {
        // the usual outcome for mutated bytes
    }
    return 0;
}
