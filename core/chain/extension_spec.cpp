// SPDX-License-Identifier: MIT
// Parsing extension specs and manifests; every error names the spec and, for a manifest,
// the file and line.
#include "extension_spec.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "chain_error.h"

namespace bsc::chain {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

bool is_key_char(char c) { return is_name_char(c) || c == '.'; }

template <class Pred> bool all_of(std::string_view s, Pred pred) {
    for (char c : s)
        if (!pred(c))
            return false;
    return true;
}

[[noreturn]] void fail(std::string_view text, std::string_view problem) {
    throw ChainError(fmt::format("bad extension spec '{}': {}", text, problem));
}

// Splits the option list on commas that are not escaped, resolving `\,` and `\\`.
std::vector<std::string> split_options(std::string_view list) {
    std::vector<std::string> items(1);
    for (size_t i = 0; i < list.size(); i++) {
        char c = list[i];
        if (c == '\\' && i + 1 < list.size() && (list[i + 1] == ',' || list[i + 1] == '\\'))
            items.back() += list[++i];
        else if (c == ',')
            items.emplace_back();
        else
            items.back() += c;
    }
    return items;
}

ExtensionOption parse_option(std::string_view text, const std::string &item) {
    size_t eq = item.find('=');
    ExtensionOption option{item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1)};
    if (option.key.empty())
        fail(text, item.empty() ? "empty option" : fmt::format("option '{}' has no key", item));
    if (!all_of(option.key, is_key_char))
        fail(text, fmt::format("bad option key '{}' (use letters, digits, '-', '_', '.')",
                               option.key));
    return option;
}

std::string_view trim(std::string_view s) {
    const char *blanks = " \t\r";
    size_t first = s.find_first_not_of(blanks);
    if (first == std::string_view::npos)
        return {};
    return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

std::string escape_value(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == ',' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

} // namespace

ExtensionSpec parse_extension_spec(std::string_view text) {
    size_t colon = text.find(':');
    ExtensionSpec spec;
    spec.name = std::string(text.substr(0, colon));
    if (spec.name.empty())
        fail(text, "empty extension name");
    if (!all_of(spec.name, is_name_char))
        fail(text, fmt::format("bad extension name '{}' (use letters, digits, '-', '_')",
                               spec.name));
    if (colon == std::string_view::npos)
        return spec;
    for (const auto &item : split_options(text.substr(colon + 1))) {
        spec.options.push_back(parse_option(text, item));
    }
    return spec;
}

std::vector<ExtensionSpec> parse_manifest_text(std::string_view text, std::string_view source) {
    std::vector<ExtensionSpec> specs;
    size_t line_number = 0;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        line_number++;
        if (line.empty() || line.front() == '#')
            continue;
        std::string where = fmt::format("{}:{}", source, line_number);
        try {
            specs.push_back(parse_extension_spec(line));
        } catch (const ChainError &e) {
            throw ChainError(fmt::format("{}: {}", where, e.what()));
        }
        specs.back().source = std::move(where);
    }
    return specs;
}

std::vector<ExtensionSpec> parse_manifest(const std::string &path) {
    std::ifstream file(path);
    if (!file)
        throw ChainError(
            fmt::format("cannot read the manifest {}: {}", path, std::strerror(errno)));
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad())
        throw ChainError(fmt::format("cannot read the manifest {}", path));
    return parse_manifest_text(text.str(), path);
}

std::string to_string(const ExtensionSpec &spec) {
    std::string out = spec.name;
    for (size_t i = 0; i < spec.options.size(); i++) {
        const auto &option = spec.options[i];
        out += i == 0 ? ':' : ',';
        out += option.key;
        if (!option.value.empty())
            out += '=' + escape_value(option.value);
    }
    return out;
}

} // namespace bsc::chain
