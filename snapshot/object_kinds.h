// SPDX-License-Identifier: MIT
// The kinds of objects an image holds besides memory regions, registered once: each is a
// record of image_schema.h (its fields named by visit_fields) and an entry here, and
// check_metadata, `bascule-snap inspect` and `bascule-snap diff` go through this table
// rather than naming the kinds. Every object is one the guest holds a handle to, so its
// key is that handle's number, unique across all the kinds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "image_schema.h"

namespace bsc::snapshot {

template <class Record> struct ObjectKind; // one specialisation per kind below

template <> struct ObjectKind<HandleRecord> {
    static constexpr std::string_view name = "handle"; // a stream: file, directory, pipe, stdio
    static constexpr auto records = &ImageMetadata::handles;
    static uint64_t key(const HandleRecord &record) { return record.number; }
};

template <> struct ObjectKind<EventRecord> {
    static constexpr std::string_view name = "event";
    static constexpr auto records = &ImageMetadata::events;
    static uint64_t key(const EventRecord &record) { return record.handle; }
};

template <> struct ObjectKind<SocketRecord> {
    static constexpr std::string_view name = "socket";
    static constexpr auto records = &ImageMetadata::sockets;
    static uint64_t key(const SocketRecord &record) { return record.number; }
};

template <> struct ObjectKind<ProcessRecord> {
    static constexpr std::string_view name = "process";
    static constexpr auto records = &ImageMetadata::processes;
    static uint64_t key(const ProcessRecord &record) { return record.handle; }
};

template <> struct ObjectKind<ThreadRecord> {
    static constexpr std::string_view name = "thread";
    static constexpr auto records = &ImageMetadata::threads;
    static uint64_t key(const ThreadRecord &record) { return record.handle; }
};

// Every kind, in the order inspect and diff show them and a restore makes them again (the
// threads last: they use the others).
using ObjectKinds =
    std::tuple<HandleRecord, EventRecord, SocketRecord, ProcessRecord, ThreadRecord>;

// Calls `visit(kind, records)` for each kind: `kind` is its ObjectKind<Record>, `records`
// the metadata's vector of them.
template <class Metadata, class Visit> void for_each_kind(Metadata &metadata, Visit &&visit) {
    [&]<class... Record>(std::tuple<Record...> *) {
        (visit(ObjectKind<Record>{}, metadata.*ObjectKind<Record>::records), ...);
    }(static_cast<ObjectKinds *>(nullptr));
}

// A kind's name for several of them: "handles", "processes".
inline std::string plural(std::string_view name) {
    return std::string(name) + (name.ends_with('s') ? "es" : "s");
}

// "3 handles, 1 event, 2 sockets, 1 thread": how many objects of each kind.
template <class Metadata> std::string object_counts(const Metadata &metadata) {
    std::string text;
    for_each_kind(metadata, [&](auto kind, const auto &records) {
        text += (text.empty() ? "" : ", ") + std::to_string(records.size()) + " " +
                (records.size() == 1 ? std::string(kind.name) : plural(kind.name));
    });
    return text;
}

} // namespace bsc::snapshot
