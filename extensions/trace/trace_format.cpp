// SPDX-License-Identifier: MIT
// Rendering a traced call as one line of text or one JSON object.
#include "trace_format.h"

#include <iterator>

#include "trace_values.h"

namespace bsc::trace {
namespace {

using Buffer = fmt::memory_buffer;

void append(Buffer &out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

// Guest text in the text format: C-style escapes for quotes, backslashes and control
// bytes; other bytes (UTF-8 names) as they are.
void quote_text(Buffer &out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        if (c == '"' || c == '\\')
            fmt::format_to(std::back_inserter(out), "\\{}", static_cast<char>(c));
        else if (c == '\n')
            append(out, "\\n");
        else if (c == '\t')
            append(out, "\\t");
        else if (c < 0x20 || c == 0x7f)
            fmt::format_to(std::back_inserter(out), "\\x{:02x}", c);
        else
            out.push_back(static_cast<char>(c));
    }
    out.push_back('"');
}

// The length of the valid UTF-8 sequence starting at s[i], or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t length = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    if (c >= 0xf5 || length == 0 || i + length > s.size())
        return 0;
    for (size_t k = 1; k < length; k++)
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80)
            return 0;
    return length;
}

// A JSON string. Bytes that are not valid UTF-8 become \u00XX, so every line stays
// valid JSON whatever the guest passed.
void quote_json(Buffer &out, std::string_view s) {
    out.push_back('"');
    for (size_t i = 0; i < s.size(); i++) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            append(out, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (size_t n = utf8_sequence(s, i)) {
            append(out, s.substr(i, n));
            i += n - 1;
        } else {
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        }
    }
    out.push_back('"');
}

void render(Buffer &out, Format format, const Value &value) {
    switch (value.kind) {
    case Value::number:
        return append(out, value.repr);
    case Value::token:
        return format == Format::json ? quote_json(out, value.repr) : append(out, value.repr);
    case Value::text:
        return format == Format::json ? quote_json(out, value.repr) : quote_text(out, value.repr);
    case Value::list:
        out.push_back('[');
        for (size_t i = 0; i < value.items.size(); i++) {
            if (i)
                append(out, format == Format::json ? "," : ", ");
            render(out, format, value.items[i]);
        }
        out.push_back(']');
        return;
    }
}

// name=value, name=value (text) or {"name":value,...} (JSON).
void render_fields(Buffer &out, Format format, const std::vector<Field> &fields,
                   std::string_view separator) {
    if (format == Format::json)
        out.push_back('{');
    for (size_t i = 0; i < fields.size(); i++) {
        if (i)
            append(out, format == Format::json ? "," : separator);
        if (format == Format::json) {
            quote_json(out, fields[i].name);
            out.push_back(':');
        } else {
            append(out, fields[i].name);
            out.push_back('=');
        }
        render(out, format, fields[i].value);
    }
    if (format == Format::json)
        out.push_back('}');
}

// The status by name; a code the ABI does not define also shows its number.
std::string status_text(bsc_status status) {
    std::string_view name = bsc_status_name(status);
    return name == "BSC_E_UNKNOWN" ? fmt::format("BSC_E_UNKNOWN({})", status) : std::string(name);
}

void text_line(Buffer &out, const CallRecord &r) {
    auto it = std::back_inserter(out);
    fmt::format_to(it, "#{} p{} t{} {}{}", r.seq, r.pid, r.tid,
                   r.phase == Phase::upcall ? "upcall " : "", r.call->name);
    if (r.phase == Phase::returned) {
        fmt::format_to(it, " ... = {} [{} ns]\n", status_text(r.status), r.ns);
        return;
    }
    out.push_back('(');
    render_fields(out, Format::text, input_fields(r), ", ");
    out.push_back(')');
    if (r.phase == Phase::before)
        append(out, " ...");
    if (r.phase == Phase::completed) {
        fmt::format_to(it, " = {}", status_text(r.status));
        for (const auto &field : output_fields(r)) {
            out.push_back(' ');
            render_fields(out, Format::text, {field}, "");
        }
        fmt::format_to(it, " [{} ns]", r.ns);
    }
    out.push_back('\n');
}

std::string_view json_kind(Phase phase) {
    switch (phase) {
    case Phase::upcall:
        return "upcall";
    case Phase::returned:
        return "return";
    case Phase::completed:
    case Phase::before:
        break;
    }
    return "downcall";
}

void json_line(Buffer &out, const CallRecord &r) {
    auto it = std::back_inserter(out);
    fmt::format_to(it, R"({{"seq":{},"pid":{},"tid":{},"kind":"{}","call":"{}","family":"{}")",
                   r.seq, r.pid, r.tid, json_kind(r.phase), r.call->name, r.call->family);
    if (r.phase != Phase::returned) {
        append(out, R"(,"args":)");
        render_fields(out, Format::json, input_fields(r), ",");
    }
    if (r.phase == Phase::completed || r.phase == Phase::returned)
        fmt::format_to(it, R"(,"status":"{}")", status_text(r.status));
    if (r.phase == Phase::completed) {
        append(out, R"(,"out":)");
        render_fields(out, Format::json, output_fields(r), ",");
    }
    if (r.phase == Phase::completed || r.phase == Phase::returned)
        fmt::format_to(it, R"(,"ns":{})", r.ns);
    append(out, "}\n");
}

} // namespace

bool parse_format(std::string_view name, Format &format) {
    if (name == "text")
        format = Format::text;
    else if (name == "json")
        format = Format::json;
    else
        return false;
    return true;
}

void format_record(fmt::memory_buffer &out, Format format, const CallRecord &record) {
    if (format == Format::json)
        json_line(out, record);
    else
        text_line(out, record);
}

std::string format_record(Format format, const CallRecord &record) {
    fmt::memory_buffer out;
    format_record(out, format, record);
    return fmt::to_string(out);
}

} // namespace bsc::trace
