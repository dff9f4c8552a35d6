// SPDX-License-Identifier: MIT
// The restore of a tree of processes (an image whose first process embeds the others',
// snapshot/README.md): the restoring process reads every member's metadata, makes what the
// processes share (the open descriptions, the shared memory: restore_steps.h), and forks
// each of its children again; each child opens its own image (its page index), restores
// itself and forks its own. A child that
// had ended and was not yet waited for is forked and ends again as it did. No process of
// the tree runs its guest before every one is restored. A lone process is a tree of one.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "image_chain.h"
#include "kind_hooks.h"

namespace bsc::checkpoint {

class TreeRestore {
public:
    // Reads and checks every member's metadata. Each member's page index is read after the
    // fork, by that member, which reports a bad one as any failure (the blocks are checked
    // as they are read).
    TreeRestore(const snapshot::ImageReader &first, const snapshot::ReadOptions &options);

    bool has_members() const { return !members_.empty(); }
    bool is_first() const { return self_ == 0; }
    // Every process's metadata, the first's first.
    std::vector<const snapshot::ImageMetadata *> processes() const;

    // Forks this process's children, and theirs in each child: returns in every process of
    // the tree, with the image it is to restore (`first` in the first process), once it
    // has closed the descriptions and freed the shared memory that only others hold.
    // Throws RestoreFailure.
    const snapshot::ImageChain &fork_children(const snapshot::ImageChain &first,
                                              const RestoreRequest &request);
    // After fork_children: the chain this process restores from, for its lazy filler,
    // which outlives the tree's restore — `first` in the first process, its own in a
    // member (nothing asks for this process's metadata after it).
    snapshot::ImageChain take_chain(snapshot::ImageChain first);
    // The handle below of child `process_id`, forked again; BSC_NO_HANDLE if there is none.
    bsc_handle child_handle(uint64_t process_id) const;

    // At resume: tells the first process this one is restored, and waits until every one
    // is; then each knows every restored process's host id (process_ids.h). Throws
    // RestoreFailure if another failed.
    void wait_until_restored();
    // This process's restore failed: the first is told, and fails the restore.
    void report_failure();

private:
    using IdPair = std::pair<uint64_t, uint64_t>; // (id in the image, host id now)

    const snapshot::ImageMetadata &metadata(size_t process) const;
    uint64_t id(size_t process) const;
    uint64_t parent_id(size_t member) const;
    bool fork_member(size_t member);
    void become(size_t member, const snapshot::ImageReader &first);
    void fork_ended_children();
    void drop_others(const RestoreRequest &request);
    void report(const IdPair &pair);
    std::vector<IdPair> collect_reports();

    snapshot::ReadOptions options_;
    const snapshot::ImageMetadata *first_; // until restore returns
    uint64_t first_id_;
    std::vector<snapshot::ImageMetadata> members_;     // each member's metadata
    std::vector<snapshot::TreeMemberRecord> tree_;    // the first's record of each member
    std::optional<snapshot::ImageChain> own_chain_;    // a member's
    size_t self_ = 0;                                  // 0: the first, N: the Nth member
    size_t reports_ = 0;         // the first: how many it waits for (members and ended ones)
    std::vector<IdPair> known_;  // what this process tells the first: itself, its ended children
    std::vector<std::pair<uint64_t, bsc_handle>> children_; // by id
    bsc_handle ready_[2] = {BSC_NO_HANDLE, BSC_NO_HANDLE}; // members -> first: restored
    bsc_handle go_[2] = {BSC_NO_HANDLE, BSC_NO_HANDLE};    // first -> members: the ids
};

// The restore in progress in this process, from restore until resume.
std::optional<TreeRestore> &tree_restore();

// At resume, once wait_until_restored returned: the process handles the guest had opened
// by id are opened again.
void open_processes_again();

} // namespace bsc::checkpoint
