// SPDX-License-Identifier: MIT
// Turning one traced call into one line of text or JSON. Kept apart from the extension
// so the unit tests can check the format on a made-up call.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "arg_value.h"
#include "bascule.h"
#include "call_table.h"

namespace bsc::trace {

enum class Format { text, json };

// Which moment of a call a line describes.
enum class Phase {
    completed, // a downcall that returned: arguments, status, out-parameters, duration
    upcall,    // an upcall, logged as it passes (upcalls never return)
    before,    // a downcall that does not return on success, logged before it is made
    returned,  // such a downcall that returned after all (it failed)
};

struct CallRecord {
    const CallInfo *call;
    std::span<const ArgValue> args; // in parameter order
    uint64_t seq = 0;
    int64_t pid = 0; // the host process: the guest's processes each have one
    int64_t tid = 0;
    Phase phase = Phase::completed;
    bsc_status status = BSC_OK;
    uint64_t ns = 0;
};

// "text" or "json".
bool parse_format(std::string_view name, Format &format);

// Reads the in-out values (such as vm_alloc's *addr) before the call changes them.
void capture_inputs(const CallInfo &call, std::span<ArgValue> args);

// Appends one line, '\n' included. Every guest pointer is read safely: a bad one is shown
// as <bad 0x...>. Out-parameters are shown only when the call returned BSC_OK (the ABI
// writes them only then).
//
//   text: #12 t4711 stream_read(handle=3, offset=AT_POSITION, buffer=0x200000010000,
//         size=4096) = BSC_OK done=13 [812 ns]
//   json: {"seq":12,"tid":4711,"kind":"downcall","call":"stream_read","family":"stream",
//         "args":{...},"status":"BSC_OK","out":{"done":13},"ns":812}
void format_record(fmt::memory_buffer &out, Format format, const CallRecord &record);
std::string format_record(Format format, const CallRecord &record);

} // namespace bsc::trace
