// SPDX-License-Identifier: MIT
// The ids of processes as the layers above know them (process_fork's child id,
// process_open, process_id_query). Until a restore they are the host's. A restored tree
// keeps the ids it had: each restored process's old id stands for its new host id. A
// process made after the restore keeps its host id, unless that is one of the old ids
// still standing for another process: then it is known by its host id plus 2^32, beyond
// any Linux pid, so that no id means two processes. Every process of the tree holds the
// same table, and parent and child agree on a new child's id without asking each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bsc::checkpoint {

class ProcessIds {
public:
    uint64_t above(uint64_t host) const;
    uint64_t below(uint64_t id) const;
    // After a restore: process `id` of the image is host process `host` now.
    void add_restored(uint64_t id, uint64_t host);
    // Whether any id differs from its host id: none does before a restore.
    bool translates() const { return !restored_.empty(); }
    // A URI naming a process's /proc directory ("file:/proc/ID/..."), naming it by its host
    // id; nullopt for any other URI, or one that stays as it is.
    std::optional<std::string> proc_uri_below(const std::string &uri) const;

private:
    std::vector<std::pair<uint64_t, uint64_t>> restored_; // (id above, host id)
};

} // namespace bsc::checkpoint
