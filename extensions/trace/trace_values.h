// SPDX-License-Identifier: MIT
// The shown values of a traced call, independent of the output format: what each
// argument and out-parameter reads as, with every guest pointer read safely.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "trace_format.h"

namespace bsc::trace {

struct Value {
    enum Kind {
        number, // a decimal integer: bare in both formats
        token,  // a word such as 0x1000, AT_POSITION or <bad 0x10>: bare in text, a JSON string
        text,   // bytes from the guest: quoted and escaped in both formats
        list,   // items
    };
    Kind kind = number;
    std::string repr;
    std::vector<Value> items;
};

struct Field {
    std::string_view name;
    Value value;
};

// The fields shown inside the parentheses (the inputs).
std::vector<Field> input_fields(const CallRecord &record);

// The out-parameters, read after a successful call.
std::vector<Field> output_fields(const CallRecord &record);

} // namespace bsc::trace
