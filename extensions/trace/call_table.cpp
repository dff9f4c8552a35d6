// SPDX-License-Identifier: MIT
// The tracer's call table, built once from BSC_DOWNCALLS and BSC_UPCALLS, and the few
// per-parameter formatting rules that types alone cannot tell.
#include "call_table.h"

#include <algorithm>

#include <fmt/format.h>

#include "bascule.h"

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

int index_of(const std::vector<ParamInfo> &params, std::string_view name) {
    for (size_t i = 0; i < params.size(); i++)
        if (params[i].name == name)
            return static_cast<int>(i);
    return -1;
}

constexpr ParamRule kRules[] = {
    // The address is a hint (or, with BSC_MAP_FIXED, the place) going in, the result
    // coming out.
    {"vm_alloc", "addr", [](ParamInfo &p, auto &) { p.in_out = true; }},
    {"stream_map", "addr", [](ParamInfo &p, auto &) { p.in_out = true; }},
    {"stream_open_pair", "ends", [](ParamInfo &p, auto &) { p.count = 2; }},
    {"socket_create_pair", "ends", [](ParamInfo &p, auto &) { p.count = 2; }},
    {"debug_print", "text",
     [](ParamInfo &p, auto &all) { p.length_param = index_of(all, "length"); }},
    // A guest array of `capacity` group ids, or null: shown as the count only.
    {"process_identity_query", "groups", [](ParamInfo &p, auto &) { p.hidden = true; }},
    {"start", "abi", [](ParamInfo &p, auto &) { p.hidden = true; }},
    {"start", "info", [](ParamInfo &p, auto &) { p.expansion = Expansion::start_info; }},
    {"exception", "exception", [](ParamInfo &p, auto &) { p.expansion = Expansion::exception; }},
};

// Calls that do not return when they succeed.
constexpr std::string_view kNoReturn[] = {"thread_exit", "process_exit", "thread_context_restore"};

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

template <size_t N> std::vector<CallInfo> build(const RawCall (&raw)[N], bool upcall) {
    const auto &names = families();
    std::vector<CallInfo> calls;
    for (const auto &r : raw) {
        CallInfo info{r.name, r.family, 0, upcall, false, parse_params(r.params)};
        info.family_index = static_cast<size_t>(
            std::find(names.begin(), names.end(), r.family) - names.begin());
        info.no_return = std::find(std::begin(kNoReturn), std::end(kNoReturn), r.name) !=
                         std::end(kNoReturn);
        apply_rules(r.name, info.params);
        calls.push_back(std::move(info));
    }
    return calls;
}

} // namespace

const std::vector<std::string_view> &families() {
    static const auto list = collect_families();
    return list;
}

const std::vector<CallInfo> &downcalls() {
    static const auto calls = build(kRawDowncalls, false);
    return calls;
}

const std::vector<CallInfo> &upcalls() {
    static const auto calls = build(kRawUpcalls, true);
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
