// SPDX-License-Identifier: MIT
// Every handle the layers above hold, with what re-creating it needs, and the numbering
// they see. Before a restore the numbers are the host's own; a restored guest keeps its
// old numbers, each standing for the host handle made again in the new process.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bascule.h"

namespace bsc::checkpoint {

enum class HandleKind : uint32_t {
    stream, pipe_read, pipe_write, stdio, event, thread, socket, process, other
};

// A new id for what the processes of a guest's tree share once one forks another (an open
// description, a shared memory region), unique in the tree: random, since the processes
// make them independently. The child's copy of the registry (or region map) keeps the
// ids, so the handles of a tree with one id are one description (README.md, "Trees of
// processes").
uint64_t new_shared_id();

struct HandleEntry {
    bsc_handle below = BSC_NO_HANDLE; // the handle in the table below
    HandleKind kind = HandleKind::other;
    std::string uri{};
    uint32_t access = 0, mode = 0, create = 0, options = 0; // as stream_open got them
    uint32_t event_flags = 0;
    int32_t stdio_slot = -1;
    bsc_handle partner = BSC_NO_HANDLE; // the other end of a pipe or socket pair, by the number above
    // Sockets: what the host cannot be asked again at capture time.
    uint32_t backlog = 0;   // as socket_listen got it
    uint32_t shutdown = 0;  // the BSC_SHUTDOWN_* asked so far
    bool connected = false; // made connected (a pair, an accept, a connect), even if the peer left since
    uint64_t description = 0;         // set by publish and adopt when 0
    uint64_t partner_description = 0; // a pair's other end's, kept when this process closes it
    // Processes: the id the layers above know it by, and whether this process forked it.
    uint64_t process_id = 0;
    bool forked = false;
};

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
    // Forgets a number; returns its entry if it was known.
    std::optional<HandleEntry> remove(bsc_handle above);
    void set_partner(bsc_handle above, bsc_handle partner);
    // Changes a known number's entry.
    template <class Change> void update(bsc_handle above, Change change) {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(above); it != entries_.end())
            change(it->second);
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
    mutable std::mutex mutex_;
    std::map<bsc_handle, HandleEntry> entries_; // by the number above
    bool renumbered_ = false;
    bsc_handle next_ = 1;
};

} // namespace bsc::checkpoint
