// SPDX-License-Identifier: MIT
// Lexical path operations on canonical absolute paths.
#include "paths.h"

namespace bsc::fs_translate {

std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            i++;
        size_t end = path.find('/', i);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > i)
            out.push_back(path.substr(i, end - i));
        i = end;
    }
    return out;
}

bool is_within(std::string_view path, std::string_view prefix) {
    if (prefix == "/")
        return !path.empty() && path[0] == '/';
    return path.substr(0, prefix.size()) == prefix &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string rebase(std::string_view path, std::string_view from, std::string_view to) {
    std::string_view rest = from == "/" ? path : path.substr(from.size());
    if (rest == "/" || rest.empty())
        return std::string(to);
    return to == "/" ? std::string(rest) : std::string(to) + std::string(rest);
}

std::string lexically_canonical(std::string_view path, std::string_view base) {
    std::vector<std::string> names;
    if (path.empty() || path[0] != '/')
        for (auto name : components(base))
            names.emplace_back(name);
    for (auto name : components(path)) {
        if (name == "..") {
            if (!names.empty())
                names.pop_back();
        } else if (name != ".") {
            names.emplace_back(name);
        }
    }
    return join(names);
}

std::string join(const std::vector<std::string> &names) {
    if (names.empty())
        return "/";
    std::string out;
    for (const auto &name : names)
        out += '/' + name;
    return out;
}

} // namespace bsc::fs_translate
