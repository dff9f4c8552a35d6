// SPDX-License-Identifier: MIT
// `bascule-snap diff A B [--json]`: how B differs from A — per region (matched by address)
// the pages whose contents changed, regions only one has, and every object of each kind
// (snapshot/object_kinds.h) added, removed or changed, with the fields that changed.
#include <map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "image_summary.h"
#include "object_report.h"

namespace bsc::snap {
namespace {

using json = nlohmann::ordered_json;
namespace snap = bsc::snapshot;

json region_differences(const snap::ImageReader &a, const snap::ImageReader &b) {
    std::map<uint64_t, size_t> in_a;
    for (size_t i = 0; i < a.metadata().regions.size(); i++)
        in_a[a.metadata().regions[i].address] = i;
    json out = json::array();
    for (size_t j = 0; j < b.metadata().regions.size(); j++) {
        const auto &region = b.metadata().regions[j];
        json entry = {{"address", fmt::format("{:#x}", region.address)}, {"size", region.size}};
        auto match = in_a.find(region.address);
        if (match == in_a.end()) {
            entry["change"] = "added";
            out.push_back(entry);
            continue;
        }
        auto old_hashes = a.page_hashes(match->second), new_hashes = b.page_hashes(j);
        in_a.erase(match);
        uint64_t changed = 0;
        for (size_t p = 0; p < new_hashes.size(); p++)
            changed += p >= old_hashes.size() || old_hashes[p] != new_hashes[p];
        if (changed == 0 && old_hashes.size() == new_hashes.size())
            continue;
        entry["change"] = "changed";
        entry["pages_changed"] = changed;
        entry["pages"] = new_hashes.size();
        out.push_back(entry);
    }
    for (const auto &[address, i] : in_a)
        out.push_back({{"address", fmt::format("{:#x}", address)},
                       {"size", a.metadata().regions[i].size},
                       {"change", "removed"}});
    return out;
}

void print_text(const json &d) {
    fmt::print("regions: {} differ\n", d["regions"].size());
    for (const auto &r : d["regions"]) {
        std::string change = r["change"];
        fmt::print("  {} {:>10} KiB  {}", r["address"].get<std::string>(),
                   r["size"].get<uint64_t>() / 1024, change);
        if (change == "changed")
            fmt::print(": {} of {} pages", r["pages_changed"].get<uint64_t>(),
                       r["pages"].get<uint64_t>());
        fmt::print("\n");
    }
    auto defaults = default_objects_json();
    for (const auto &[kind, changes] : d["objects"].items()) {
        fmt::print("{}s: {} differ\n", kind, changes.size());
        for (const auto &c : changes) {
            fmt::print("  {} {} {}", kind, c["key"].get<uint64_t>(), c["change"].get<std::string>());
            if (c.contains("object"))
                fmt::print(": {}", fields_text(c["object"], defaults[kind]));
            if (c.contains("fields"))
                for (const auto &[name, field] : c["fields"].items())
                    fmt::print(" {} {} -> {}", name, field["from"].dump(), field["to"].dump());
            fmt::print("\n");
        }
    }
}

} // namespace

int diff_command(const std::string &a, const std::string &b, bool as_json) {
    auto first = open_chain(a), second = open_chain(b);
    if (!first || !second)
        return kExitFailed;
    json d = {{"a", a},
              {"b", b},
              {"regions", region_differences(first->top(), second->top())},
              {"objects", object_differences(first->top().metadata(), second->top().metadata())}};
    print_report(d, as_json, print_text);
    return 0;
}

} // namespace bsc::snap
