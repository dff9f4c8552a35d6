// SPDX-License-Identifier: MIT
// A recorded call shown as the trace extension shows a live one (same names, styles and
// layout), its strings and outputs read from what the trace kept.
#pragma once

#include <string>

#include "call_memory.h"
#include "trace_events.h"
#include "trace_format.h"

namespace bsc::replay {

// One line (with '\n') for a recorded call, in text or JSON.
std::string recorded_call_text(const CallEvent &event, trace::Format format);

// A call being made now, with `args`, read from live guest memory (no status: "= ?").
std::string live_call_text(uint16_t slot, const CallArgs &args);

} // namespace bsc::replay
