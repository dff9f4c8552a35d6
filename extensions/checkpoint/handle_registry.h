// SPDX-License-Identifier: MIT
// Every handle the layers above hold, with what re-creating it needs (the image's record
// of its kind), and the numbering they see. Before a restore the numbers are the host's own; a restored guest keeps its
// old numbers, each standing for the host handle made again in the new process.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bascule.h"
#include "object_kinds.h"

namespace bsc::checkpoint {

// A new id for what the processes of a guest's tree share once one forks another (an open
// description, a shared memory region), unique in the tree: random, since the processes
// make them independently. The child's copy of the registry (or region map) keeps the
// ids, so the handles of a tree with one id are one description (README.md, "Trees of
// processes").
uint64_t new_shared_id();

// A thread's handle: its record is made from its parked state (freezer.h) at capture.
struct ThreadHandle {};

// A handle an image cannot hold (one that came in a message, a pair of a URI scheme no
// restore makes again): a capture refuses it, naming its URI.
struct UncapturedHandle {
    std::string uri;
};

// What the registry holds for a handle of a kind of object_kinds.h: its record, but a
// thread's.
template <class Record> struct TrackedAs { using type = Record; };
template <> struct TrackedAs<snapshot::ThreadRecord> { using type = ThreadHandle; };
template <class Kinds> struct TrackedObjects;
template <class... Record> struct TrackedObjects<std::tuple<Record...>> {
    using type = std::variant<typename TrackedAs<Record>::type..., UncapturedHandle>;
};

// What a handle is, as an image records it: the schema record of its kind, one
// alternative for each kind of snapshot/object_kinds.h (every one is held by a handle),
// filled in by the calls that make and change the handle (interpose.cpp). A capture
// completes a copy with what only the frozen guest can tell (a position, buffered bytes,
// a socket's addresses).
using TrackedObject = TrackedObjects<snapshot::ObjectKinds>::type;

struct HandleEntry {
    bsc_handle below = BSC_NO_HANDLE; // the handle in the table below
    TrackedObject object;
    // Made again by a restore: what only the first open knew (whether it created the
    // file, stream_control's BSC_CONTROL_CREATED) is not the new handle's to tell.
    bool restored = false;
};

// The URI a stream was opened by ("" for a handle of another kind).
std::string stream_uri(const HandleEntry &entry);

// What the registry keeps of an object a restore made again: its record, less what a
// capture asks the host again (a position and a file's identity, a pipe's or a socket's
// unread bytes, how a child ended), which the registry never holds.
HandleEntry restored_entry(bsc_handle below, TrackedObject object);

class HandleRegistry {
public:
    // The handle below that the number above stands for. An unknown number stands for
    // itself while the numbering is the host's, for nothing (BSC_NO_HANDLE) after a
    // restore.
    bsc_handle below(bsc_handle above) const;
    // Records a handle the table below returned; returns the number to give above.
    bsc_handle publish(HandleEntry entry);
    // Records an existing number above (a restored handle) standing for entry.below.
    void adopt(bsc_handle above, HandleEntry entry);
    std::optional<HandleEntry> find(bsc_handle above) const;
    // Forgets a number; the other end of its pair, if any, has no partner from now on.
    void remove(bsc_handle above);
    // Makes `partner` the other end of the pair `above` is an end of (BSC_NO_HANDLE: none
    // in this process any more, though its description stays known).
    void set_partner(bsc_handle above, bsc_handle partner);
    // Changes a known number's record if it is an `Object` (change(Object &)).
    template <class Object, class Change> void update(bsc_handle above, Change change) {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(above); it != entries_.end())
            if (auto *object = std::get_if<Object>(&it->second.object))
                change(*object);
    }
    // In a child of process_fork: the processes its parent forked are not its children.
    void disown_children();
    // Lets a number stand for another handle below (a pipe end made again).
    void replace_below(bsc_handle above, bsc_handle below);
    // Makes numbers above independent of the host's from now on (at restore).
    void start_renumbering();
    std::map<bsc_handle, HandleEntry> list() const;
    // Held across process_fork, so that the child's copy is whole.
    std::mutex &mutex() const { return mutex_; }

private:
    void set_partner_locked(bsc_handle above, bsc_handle partner);

    mutable std::mutex mutex_;
    std::map<bsc_handle, HandleEntry> entries_; // by the number above
    bool renumbered_ = false;
    bsc_handle next_ = 1;
};

} // namespace bsc::checkpoint
