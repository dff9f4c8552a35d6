// SPDX-License-Identifier: MIT
// `bascule exts`: the extensions on the search path with their descriptors, as text or
// JSON.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "bascule.h"
#include "catalog.h"
#include "commands.h"

namespace bsc::tools {
namespace {

std::string abi_text(uint32_t version) {
    return fmt::format("{}.{}", BSC_ABI_VERSION_MAJOR(version), BSC_ABI_VERSION_MINOR(version));
}

std::string json_string(const std::string &text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\')
            out += {'\\', static_cast<char>(c)};
        else if (c < 0x20)
            out += fmt::format("\\u{:04x}", c);
        else
            out += static_cast<char>(c);
    }
    return out + "\"";
}

std::string json_list(const std::vector<std::string> &items) {
    std::vector<std::string> quoted;
    for (const auto &item : items)
        quoted.push_back(json_string(item));
    return fmt::format("[{}]", fmt::join(quoted, ", "));
}

void print_text(const chain::AvailableExtension &ext) {
    if (!ext.descriptor) {
        fmt::print("{} (unreadable: {})\n    file: {}\n", ext.name, ext.problem, ext.file);
        return;
    }
    const auto &d = *ext.descriptor;
    fmt::print("{} {} (ABI {}) - {}\n", d.name, d.version, abi_text(d.abi_version), d.summary);
    fmt::print("    file: {}\n", ext.file);
    if (!d.must_be_below.empty())
        fmt::print("    must be below: {}\n", fmt::join(d.must_be_below, ", "));
    if (!d.must_be_above.empty())
        fmt::print("    must be above: {}\n", fmt::join(d.must_be_above, ", "));
    for (const auto &option : d.options)
        fmt::print("    option {}: {}\n", option.key, option.help);
    if (!ext.problem.empty())
        fmt::print("    unusable: {}\n", ext.problem);
}

std::string json_object(const chain::AvailableExtension &ext) {
    std::string out = fmt::format("{{\"name\": {}, \"file\": {}, \"usable\": {}",
                                  json_string(ext.name), json_string(ext.file),
                                  ext.problem.empty() ? "true" : "false");
    if (!ext.problem.empty())
        out += fmt::format(", \"problem\": {}", json_string(ext.problem));
    if (ext.descriptor) {
        const auto &d = *ext.descriptor;
        std::vector<std::string> options;
        for (const auto &o : d.options)
            options.push_back(fmt::format("{{\"key\": {}, \"help\": {}}}", json_string(o.key),
                                          json_string(o.help)));
        out += fmt::format(", \"version\": {}, \"abi\": {}, \"summary\": {}, "
                           "\"must_be_below\": {}, \"must_be_above\": {}, \"options\": [{}]",
                           json_string(d.version), json_string(abi_text(d.abi_version)),
                           json_string(d.summary), json_list(d.must_be_below),
                           json_list(d.must_be_above), fmt::join(options, ", "));
    }
    return out + "}";
}

} // namespace

int exts_command(bool json) {
    auto extensions = chain::list_extensions();
    if (!json) {
        for (const auto &ext : extensions)
            print_text(ext);
        if (extensions.empty())
            fmt::print("no extensions found in {}\n", chain::SearchPath::from_environment().describe());
        return 0;
    }
    std::vector<std::string> objects;
    for (const auto &ext : extensions)
        objects.push_back(json_object(ext));
    fmt::print("[{}]\n", fmt::join(objects, ",\n "));
    return 0;
}

} // namespace bsc::tools
