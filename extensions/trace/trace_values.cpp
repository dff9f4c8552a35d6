// SPDX-License-Identifier: MIT
// Reading a traced call's arguments and results out of guest memory and deciding how
// each is shown (decimal, hex, names for special values, strings).
#include "trace_values.h"

#include <optional>

#include "bascule.h"
#include "guest_memory.h"

namespace bsc::trace {
namespace {

constexpr size_t kMaxText = 256;   // debug_print text shown
constexpr size_t kMaxStrings = 32; // entries of a string list shown

Value token(std::string repr) { return {Value::token, std::move(repr), {}}; }
Value number(std::string repr) { return {Value::number, std::move(repr), {}}; }
Value bad(uint64_t address) { return token(fmt::format("<bad {:#x}>", address)); }

Value integer(uint64_t bits, bool is_signed, Style style) {
    switch (style) {
    case Style::hex:
        return token(fmt::format("{:#x}", bits));
    case Style::octal:
        return token(fmt::format("{:#o}", bits));
    case Style::offset:
        if (bits == BSC_AT_POSITION)
            return token("AT_POSITION");
        break;
    case Style::timeout:
        if (static_cast<int64_t>(bits) == BSC_WAIT_FOREVER)
            return token("FOREVER");
        break;
    case Style::decimal:
        break;
    }
    return number(is_signed ? fmt::format("{}", static_cast<int64_t>(bits))
                            : fmt::format("{}", bits));
}

// The integer of `width` bytes at a guest address, sign-extended if it is signed.
std::optional<uint64_t> read_integer(uint64_t address, size_t width, bool is_signed) {
    uint64_t raw = 0;
    if (width > sizeof raw ||
        copy_from_guest(&raw, reinterpret_cast<const void *>(address), width) != BSC_OK)
        return std::nullopt;
    if (is_signed && width < sizeof raw) {
        unsigned shift = 64 - 8 * static_cast<unsigned>(width);
        raw = static_cast<uint64_t>(static_cast<int64_t>(raw << shift) >> shift);
    }
    return raw;
}

Value guest_string(uint64_t address) {
    if (address == 0)
        return token("NULL");
    std::string text;
    bsc_status status = read_guest_string(reinterpret_cast<const char *>(address), text);
    if (status == BSC_E_NAME_TOO_LONG)
        text += "...";
    else if (status != BSC_OK)
        return bad(address);
    return {Value::text, std::move(text), {}};
}

// A buffer of `length` bytes shown as text, cut at kMaxText.
Value guest_text(uint64_t address, uint64_t length) {
    std::string text(std::min<uint64_t>(length, kMaxText), '\0');
    if (copy_from_guest(text.data(), reinterpret_cast<const void *>(address), text.size()))
        return bad(address);
    if (length > kMaxText)
        text += "...";
    return {Value::text, std::move(text), {}};
}

Value guest_string_list(uint64_t address) {
    if (address == 0)
        return token("NULL");
    Value list{Value::list, "", {}};
    for (size_t i = 0;; i++) {
        auto entry = read_integer(address + 8 * i, 8, false);
        if (!entry)
            return bad(address + 8 * i);
        if (*entry == 0)
            return list;
        if (i == kMaxStrings) {
            list.items.push_back(token("..."));
            return list;
        }
        list.items.push_back(guest_string(*entry));
    }
}

// Replaces a pointer to a guest structure with the few fields worth showing.
void expand(Expansion expansion, uint64_t address, std::string_view name,
            std::vector<Field> &fields) {
    if (expansion == Expansion::start_info) {
        bsc_start_info info;
        if (read_guest(reinterpret_cast<const bsc_start_info *>(address), info) != BSC_OK)
            return fields.push_back({name, bad(address)});
        fields.push_back({"argc", integer(info.argc, false, Style::decimal)});
    } else if (expansion == Expansion::exception) {
        bsc_exception ex;
        if (read_guest(reinterpret_cast<const bsc_exception *>(address), ex) != BSC_OK)
            return fields.push_back({name, bad(address)});
        fields.push_back({"kind", integer(ex.kind, false, Style::decimal)});
        fields.push_back({"code", integer(ex.code, false, Style::decimal)});
        fields.push_back({"address", integer(ex.address, false, Style::hex)});
        fields.push_back({"rip", integer(ex.context.rip, false, Style::hex)});
    }
}

bool is_out(ArgType type) { return type == ArgType::out_unsigned || type == ArgType::out_signed; }

Value pointed_to(const ParamInfo &param, const ArgValue &arg) {
    bool is_signed = arg.type == ArgType::out_signed;
    Value list{Value::list, "", {}};
    for (size_t i = 0; i < param.count; i++) {
        auto value = read_integer(arg.bits + i * arg.width, arg.width, is_signed);
        if (!value)
            return bad(arg.bits);
        list.items.push_back(integer(*value, is_signed, param.style));
    }
    return param.count == 1 ? std::move(list.items.front()) : list;
}

Value input(const CallRecord &record, const ParamInfo &param, const ArgValue &arg) {
    switch (arg.type) {
    case ArgType::unsigned_int:
    case ArgType::signed_int:
        return integer(arg.bits, arg.type == ArgType::signed_int, param.style);
    case ArgType::string:
        if (param.length_param >= 0)
            return guest_text(arg.bits, record.args[param.length_param].bits);
        return guest_string(arg.bits);
    case ArgType::string_list:
        return guest_string_list(arg.bits);
    case ArgType::out_unsigned:
    case ArgType::out_signed:
        if (!arg.before_ok)
            return bad(arg.bits);
        return integer(arg.before, arg.type == ArgType::out_signed, param.style);
    case ArgType::pointer:
        break;
    }
    return integer(arg.bits, false, Style::hex);
}

} // namespace

void capture_inputs(const CallInfo &call, std::span<ArgValue> args) {
    for (size_t i = 0; i < args.size() && i < call.params.size(); i++) {
        if (!call.params[i].in_out || !is_out(args[i].type))
            continue;
        auto value = read_integer(args[i].bits, args[i].width, args[i].type == ArgType::out_signed);
        args[i].before_ok = value.has_value();
        args[i].before = value.value_or(0);
    }
}

std::vector<Field> input_fields(const CallRecord &record) {
    std::vector<Field> fields;
    const auto &params = record.call->params;
    for (size_t i = 0; i < params.size() && i < record.args.size(); i++) {
        const ParamInfo &param = params[i];
        const ArgValue &arg = record.args[i];
        if (param.hidden || (is_out(arg.type) && !param.in_out))
            continue;
        if (param.expansion != Expansion::none)
            expand(param.expansion, arg.bits, param.name, fields);
        else
            fields.push_back({param.name, input(record, param, arg)});
    }
    return fields;
}

std::vector<Field> output_fields(const CallRecord &record) {
    std::vector<Field> fields;
    if (record.phase != Phase::completed || record.status != BSC_OK)
        return fields;
    const auto &params = record.call->params;
    for (size_t i = 0; i < params.size() && i < record.args.size(); i++)
        if (is_out(record.args[i].type) && !params[i].hidden)
            fields.push_back({params[i].name, pointed_to(params[i], record.args[i])});
    return fields;
}

} // namespace bsc::trace
