// SPDX-License-Identifier: MIT
// How this extension captures and restores each kind of object an image holds besides
// memory (snapshot/object_kinds.h): one specialisation per kind, its capture in
// capture.cpp and its restore in restore.cpp, or both in a file of its own. capture() and restore() go through every
// kind of the snapshot's table alike, so a kind added there without hooks here does not
// build.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bascule_extension.h"
#include "object_kinds.h"

namespace bsc::checkpoint {

// The open descriptions a restore made again, by their ids (HandleRecord::description):
// the handles below that the guest's handles of each description stand for.
using Descriptions = std::map<uint64_t, bsc_handle>;

// What restoring a kind may need from the restore request.
struct RestoreRequest {
    std::vector<bsc_handle> stdio;     // the restoring process's standard streams
    bool allow_changed_files = false;  // --allow-changed-files
    bool as_captured = false;          // every handle keeps its number below (a replay's)
    Descriptions descriptions;         // unless as_captured (restore.cpp)
};

// For each kind's Record:
//   static std::string capture(std::vector<Record> &out);
//     the frozen guest's objects of the kind; "" or why the guest cannot be captured.
//   static void restore(const std::vector<Record> &records, const RestoreRequest &request);
//     each made again (or, as_captured, adopted under its number) and known to the
//     registry under its old number; throws RestoreFailure.
template <class Record> struct KindHooks;

template <> struct KindHooks<snapshot::HandleRecord> {
    static std::string capture(std::vector<snapshot::HandleRecord> &out);
    static void restore(const std::vector<snapshot::HandleRecord> &records,
                        const RestoreRequest &request);
};

template <> struct KindHooks<snapshot::EventRecord> {
    static std::string capture(std::vector<snapshot::EventRecord> &out);
    static void restore(const std::vector<snapshot::EventRecord> &records,
                        const RestoreRequest &request);
};

template <> struct KindHooks<snapshot::ThreadRecord> {
    static std::string capture(std::vector<snapshot::ThreadRecord> &out);
    // Recorded for resume(), which starts them.
    static void restore(const std::vector<snapshot::ThreadRecord> &records,
                        const RestoreRequest &request);
};

template <> struct KindHooks<snapshot::ProcessRecord> { // capture.cpp, tree_restore.cpp
    static std::string capture(std::vector<snapshot::ProcessRecord> &out);
    // Children are forked again with the tree (tree_restore.h) before the kinds are
    // restored; this opens the others again.
    static void restore(const std::vector<snapshot::ProcessRecord> &records,
                        const RestoreRequest &request);
};

template <> struct KindHooks<snapshot::SocketRecord> { // socket_hooks.cpp
    static std::string capture(std::vector<snapshot::SocketRecord> &out);
    static void restore(const std::vector<snapshot::SocketRecord> &records,
                        const RestoreRequest &request);
};

// A restore that cannot go on: the status and what failed.
struct RestoreFailure {
    bsc_status status;
    std::string message;
};

// For restore hooks: throws RestoreFailure with `what` unless the status is BSC_OK.
void check(bsc_status status, const std::string &what);
// A handle number from the image (the ABI's handles are 32-bit), or RestoreFailure.
bsc_handle handle_number(uint64_t number);
// Writes all of `bytes` to a stream (a pipe refilled, a socket's unread bytes sent again),
// or RestoreFailure with `what`.
void write_all(bsc_handle handle, const std::vector<uint8_t> &bytes, const std::string &what);

} // namespace bsc::checkpoint
