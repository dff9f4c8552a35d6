// SPDX-License-Identifier: MIT
// What the tracer knows about each call: its name, family and parameters, taken from the
// ABI's X-macros (the parameter names come from the stringified parameter lists).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bsc::trace {

// How an integer parameter is shown. Chosen by parameter name (see call_table.cpp).
enum class Style : uint8_t {
    decimal,
    hex,     // addresses, flags, protections
    octal,   // permission bits
    offset,  // a stream offset: BSC_AT_POSITION is shown by name
    timeout, // BSC_WAIT_FOREVER is shown by name
};

// Fields read out of a guest structure in place of the pointer to it.
enum class Expansion : uint8_t {
    none,
    start_info, // bsc_start_info: argc
    exception,  // bsc_exception: kind, code, address, rip
};

struct ParamInfo {
    std::string name;
    Style style = Style::decimal;
    bool in_out = false;      // a pointed-to value that is read before and after the call
    bool hidden = false;      // not shown at all, going in or coming out
    uint8_t count = 1;        // pointed-to integers written by the call (an array if > 1)
    int length_param = -1;    // for a text buffer: the index of the parameter with its length
    Expansion expansion = Expansion::none;
};

struct CallInfo {
    std::string_view name;
    std::string_view family; // "upcall" for upcalls
    size_t family_index = 0; // index into families(); upcalls have their own bit
    bool upcall = false;
    bool no_return = false; // logged before it is made: on success it does not return
    std::vector<ParamInfo> params;
};

// Downcalls in table order (index = slot), and upcalls in table order.
const std::vector<CallInfo> &downcalls();
const std::vector<CallInfo> &upcalls();

// The downcall families in order of first appearance in BSC_DOWNCALLS, then "upcall".
const std::vector<std::string_view> &families();

// The call named `name`, or nullptr.
const CallInfo *find_call(std::string_view name);

// Parses a family list (`stream+memory`, `stream|memory`, or `stream,memory`) into a
// mask of bits 1 << family_index. Returns false and sets `error` for an unknown family.
bool parse_families(std::string_view list, uint32_t &mask, std::string &error);

// The number of parameters a stringified parameter list declares ("(void)" has none).
constexpr size_t parameter_count(std::string_view list) {
    size_t commas = 0;
    bool any = false;
    for (char c : list) {
        commas += c == ',';
        any = any || (c != '(' && c != ')' && c != ' ');
    }
    return list == "(void)" || !any ? 0 : commas + 1;
}

} // namespace bsc::trace
