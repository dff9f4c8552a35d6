// SPDX-License-Identifier: MIT
// `bascule-snap diff A B [--json]`: how B differs from A — per region (matched by address)
// the pages whose contents changed, regions only one has, and handles added, removed or
// moved (same number, another object or offset).
#include <map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "image_summary.h"

namespace bsc::snap {
namespace {

using nlohmann::json;
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

json handle_differences(const snap::ImageMetadata &a, const snap::ImageMetadata &b) {
    std::map<uint64_t, const snap::HandleRecord *> in_a;
    for (const auto &h : a.handles)
        in_a[h.number] = &h;
    json out = json::array();
    for (const auto &h : b.handles) {
        auto match = in_a.find(h.number);
        if (match == in_a.end()) {
            out.push_back({{"number", h.number}, {"change", "added"}, {"uri", h.uri}});
            continue;
        }
        const auto &old = *match->second;
        in_a.erase(match);
        if (old.uri != h.uri || old.offset != h.offset)
            out.push_back({{"number", h.number}, {"change", "moved"}, {"uri", h.uri},
                           {"from_uri", old.uri}, {"from_offset", old.offset},
                           {"offset", h.offset}});
    }
    for (const auto &[number, h] : in_a)
        out.push_back({{"number", number}, {"change", "removed"}, {"uri", h->uri}});
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
    fmt::print("handles: {} differ\n", d["handles"].size());
    for (const auto &h : d["handles"]) {
        fmt::print("  {:>4} {} {}", h["number"].get<uint64_t>(), h["change"].get<std::string>(),
                   h["uri"].get<std::string>());
        if (h["change"] == "moved")
            fmt::print(" (was {} at {}, now at {})", h["from_uri"].get<std::string>(),
                       h["from_offset"].get<uint64_t>(), h["offset"].get<uint64_t>());
        fmt::print("\n");
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
              {"handles", handle_differences(first->top().metadata(), second->top().metadata())}};
    print_report(d, as_json, print_text);
    return 0;
}

} // namespace bsc::snap
