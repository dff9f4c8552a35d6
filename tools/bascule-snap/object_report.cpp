// SPDX-License-Identifier: MIT
#include "object_report.h"

#include <map>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "checksum.h"
#include "object_kinds.h"

namespace bsc::snap {
namespace {

using nlohmann::ordered_json;
namespace snapshot = bsc::snapshot;

// A field's value as reported: enums by name, some integers in hex, bytes by their count
// and xxh3 (so that a diff sees other bytes of the same length).
template <class Value> ordered_json value_json(const Value &value, snapshot::Shown shown) {
    if constexpr (snapshot::NamedEnum<Value>)
        return std::string(snapshot::to_string(value));
    else if constexpr (std::is_same_v<Value, snapshot::SocketAddressRecord>)
        return snapshot::to_string(value);
    else if constexpr (std::is_same_v<Value, std::vector<uint8_t>>)
        return value.empty() ? std::string()
                             : fmt::format("{} bytes, xxh3 {:016x}", value.size(),
                                           snapshot::xxh3(std::as_bytes(std::span(value))));
    else if constexpr (std::is_integral_v<Value> && !std::is_same_v<Value, bool>)
        return shown == snapshot::Shown::hex ? ordered_json(fmt::format("{:#x}", value))
                                             : ordered_json(value);
    else
        return value;
}

template <class Record> ordered_json record_json(const Record &record) {
    ordered_json out = ordered_json::object();
    snapshot::visit_fields(record, [&](const char *name, const auto &value, snapshot::Shown shown) {
        out[name] = value_json(value, shown);
    });
    return out;
}

// The fields that differ between two objects of a kind, as {name: {from, to}}.
ordered_json changed_fields(const ordered_json &was, const ordered_json &now) {
    ordered_json out = ordered_json::object();
    for (const auto &[name, value] : now.items())
        if (was.at(name) != value)
            out[name] = {{"from", was.at(name)}, {"to", value}};
    return out;
}

} // namespace

ordered_json objects_json(const snapshot::ImageMetadata &metadata) {
    ordered_json out = ordered_json::object();
    snapshot::for_each_kind(metadata, [&](auto kind, const auto &records) {
        ordered_json list = ordered_json::array();
        for (const auto &record : records)
            list.push_back(record_json(record));
        out[std::string(kind.name)] = std::move(list);
    });
    return out;
}

ordered_json object_differences(const snapshot::ImageMetadata &a,
                                const snapshot::ImageMetadata &b) {
    ordered_json out = ordered_json::object();
    snapshot::for_each_kind(b, [&](auto kind, const auto &now) {
        using Kind = decltype(kind);
        std::map<uint64_t, const typename std::remove_cvref_t<decltype(now)>::value_type *> before;
        for (const auto &record : a.*Kind::records)
            before[Kind::key(record)] = &record;
        ordered_json changes = ordered_json::array();
        for (const auto &record : now) {
            uint64_t key = Kind::key(record);
            auto match = before.find(key);
            if (match == before.end()) {
                changes.push_back({{"key", key}, {"change", "added"}, {"object", record_json(record)}});
                continue;
            }
            auto fields = changed_fields(record_json(*match->second), record_json(record));
            before.erase(match);
            if (!fields.empty())
                changes.push_back({{"key", key}, {"change", "changed"}, {"fields", fields}});
        }
        for (const auto &[key, record] : before)
            changes.push_back({{"key", key}, {"change", "removed"}, {"object", record_json(*record)}});
        out[std::string(kind.name)] = std::move(changes);
    });
    return out;
}

ordered_json default_objects_json() {
    ordered_json out = ordered_json::object();
    snapshot::ImageMetadata defaults;
    snapshot::for_each_kind(defaults, [&](auto kind, auto &records) {
        out[std::string(kind.name)] = record_json(typename std::remove_cvref_t<decltype(records)>::value_type{});
    });
    return out;
}

std::string fields_text(const ordered_json &object, const ordered_json &defaults) {
    std::string text;
    for (const auto &[name, value] : object.items()) {
        if (defaults.contains(name) && defaults[name] == value)
            continue;
        text += fmt::format("{}{}={}", text.empty() ? "" : " ", name,
                            value.is_string() && value.get<std::string>().find(' ') == std::string::npos
                                ? value.get<std::string>()
                                : value.dump());
    }
    return text;
}

} // namespace bsc::snap
