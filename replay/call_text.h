// SPDX-License-Identifier: MIT
// A recorded call shown as the trace extension shows a live one (same names, styles and
// layout), its strings and outputs read from what the trace kept; the other events too.
#pragma once

#include <string>

#include "call_memory.h"
#include "trace_events.h"
#include "trace_format.h"

namespace bsc::replay {

// One line (with '\n') for a recorded call, in text or JSON.
std::string recorded_call_text(const CallEvent &event, trace::Format format);

// One line (with '\n') for any event: a call as above, the others in words or JSON.
std::string event_text(const Event &event, trace::Format format = trace::Format::text);

// A call thread `thread` is making now, with `args`, read from live guest memory (no
// status: "= ?").
std::string live_call_text(uint16_t slot, const CallArgs &args, uint32_t thread);

} // namespace bsc::replay
