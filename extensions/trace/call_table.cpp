// SPDX-License-Identifier: MIT
// The tracer's call table, built once from BSC_DOWNCALLS and BSC_UPCALLS: what each
// downcall reads and writes comes from its parameter roles (abi/bascule_roles.h); the
// rest are formatting rules.
#include "call_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "bascule.h"
#include "call_roles.h"

namespace bsc::trace {
namespace {

struct RawCall {
    std::string_view family;
    std::string_view name;
    std::string_view params;
};

constexpr RawCall kRawDowncalls[] = {
#define TRACE_RAW_DOWNCALL(family, name, params) {#family, #name, #params},
    BSC_DOWNCALLS(TRACE_RAW_DOWNCALL)
#undef TRACE_RAW_DOWNCALL
};

constexpr RawCall kRawUpcalls[] = {
#define TRACE_RAW_UPCALL(name, params) {"upcall", #name, #params},
    BSC_UPCALLS(TRACE_RAW_UPCALL)
#undef TRACE_RAW_UPCALL
};

// ---- Formatting rules: the only per-call knowledge, kept as tables ----------------

// By parameter name, in every call.
struct StyleRule {
    std::string_view param;
    Style style;
};
constexpr StyleRule kStyles[] = {
    {"addr", Style::hex},     {"base", Style::hex},        {"argument", Style::hex},
    {"prot", Style::hex},     {"flags", Style::hex},       {"options", Style::hex},
    {"which", Style::hex},    {"how", Style::hex},    {"mode", Style::octal},      {"offset", Style::offset},
    {"timeout_ns", Style::timeout},
};

// By call and parameter.
struct ParamRule {
    std::string_view call;
    std::string_view param;
    void (*apply)(ParamInfo &param, const std::vector<ParamInfo> &all);
};

// Upcalls have no roles: what to show of their structures.
constexpr ParamRule kRules[] = {
    {"start", "abi", [](ParamInfo &p, auto &) { p.hidden = true; }},
    {"start", "info", [](ParamInfo &p, auto &) { p.expansion = Expansion::start_info; }},
    {"exception", "exception", [](ParamInfo &p, auto &) { p.expansion = Expansion::exception; }},
};

// What a downcall's roles say about showing a parameter: a value read before and after
// the call, how many values it writes (an array whose length another parameter holds is
// left out), and the length of a text it reads.
void apply_role(ParamInfo &param, const bsc_param_role &role) {
    param.in_out = role.kind == BSC_ROLE_IN_OUT;
    bool writes = role.kind == BSC_ROLE_OUT || role.kind == BSC_ROLE_HANDLES_OUT;
    if (writes && role.count_param != BSC_ROLE_NONE)
        param.hidden = true;
    else if (writes)
        param.count = static_cast<uint8_t>(role.count);
    if (role.kind == BSC_ROLE_BYTES_IN)
        param.length_param = role.length;
}

// ---- Parsing ----------------------------------------------------------------------

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

// The name a declaration such as "const char *const *argv" declares: its last identifier.
std::string declared_name(std::string_view declaration) {
    size_t end = declaration.size();
    while (end > 0 && !is_identifier_char(declaration[end - 1]))
        end--;
    size_t begin = end;
    while (begin > 0 && is_identifier_char(declaration[begin - 1]))
        begin--;
    return std::string(declaration.substr(begin, end - begin));
}

std::vector<ParamInfo> parse_params(std::string_view list) {
    std::vector<ParamInfo> params;
    if (parameter_count(list) == 0)
        return params;
    list = list.substr(1, list.size() - 2); // the parentheses
    while (true) {
        size_t comma = list.find(',');
        params.push_back({declared_name(list.substr(0, comma))});
        if (comma == std::string_view::npos)
            return params;
        list.remove_prefix(comma + 1);
    }
}

void apply_rules(std::string_view call, std::vector<ParamInfo> &params) {
    for (auto &param : params) {
        for (const auto &rule : kStyles)
            if (rule.param == param.name)
                param.style = rule.style;
        for (const auto &rule : kRules)
            if (rule.call == call && rule.param == param.name)
                rule.apply(param, params);
    }
}

std::vector<std::string_view> collect_families() {
    std::vector<std::string_view> list;
    for (const auto &raw : kRawDowncalls)
        if (std::find(list.begin(), list.end(), raw.family) == list.end())
            list.push_back(raw.family);
    list.push_back("upcall");
    return list;
}

CallInfo make_call(const RawCall &raw, bool upcall) {
    const auto &names = families();
    CallInfo info{raw.name, raw.family, 0, upcall, false, parse_params(raw.params)};
    info.family_index = static_cast<size_t>(
        std::find(names.begin(), names.end(), raw.family) - names.begin());
    apply_rules(raw.name, info.params);
    return info;
}

std::vector<CallInfo> build_downcalls() {
    std::vector<CallInfo> calls;
    for (size_t slot = 0; slot < std::size(kRawDowncalls); slot++) {
        CallInfo info = make_call(kRawDowncalls[slot], false);
        const bsc_call_roles &roles = roles::kDowncalls[slot];
        info.no_return = roles.flags & BSC_CALL_NO_RETURN;
        for (size_t i = 0; i < info.params.size(); i++)
            apply_role(info.params[i], roles.params[i]);
        calls.push_back(std::move(info));
    }
    return calls;
}

std::vector<CallInfo> build_upcalls() {
    std::vector<CallInfo> calls;
    for (const auto &raw : kRawUpcalls)
        calls.push_back(make_call(raw, true));
    return calls;
}

} // namespace

const std::vector<std::string_view> &families() {
    static const auto list = collect_families();
    return list;
}

const std::vector<CallInfo> &downcalls() {
    static const auto calls = build_downcalls();
    return calls;
}

const std::vector<CallInfo> &upcalls() {
    static const auto calls = build_upcalls();
    return calls;
}

const CallInfo *find_call(std::string_view name) {
    for (const auto *list : {&downcalls(), &upcalls()})
        for (const auto &call : *list)
            if (call.name == name)
                return &call;
    return nullptr;
}

bool parse_families(std::string_view list, uint32_t &mask, std::string &error) {
    const auto &names = families();
    mask = 0;
    while (!list.empty()) {
        size_t end = list.find_first_of("+|,");
        std::string_view name = list.substr(0, end);
        list = end == std::string_view::npos ? std::string_view{} : list.substr(end + 1);
        if (name.empty())
            continue;
        auto found = std::find(names.begin(), names.end(), name);
        if (found == names.end()) {
            error = fmt::format("unknown family '{}'; families: {}", name, fmt::join(names, ", "));
            return false;
        }
        mask |= 1u << (found - names.begin());
    }
    if (mask == 0)
        error = fmt::format("no family given; families: {}", fmt::join(names, ", "));
    return mask != 0;
}

} // namespace bsc::trace
