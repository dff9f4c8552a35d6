// SPDX-License-Identifier: MIT
#include "tree_restore.h"

#include <algorithm>
#include <set>

#include <fmt/core.h>

#include "restore_steps.h"
#include "tracked_state.h"

namespace bsc::checkpoint {
namespace {

namespace snap = bsc::snapshot;

constexpr int64_t kReportTimeout = 30'000'000'000; // ns a member may take to be restored
// The ids go from the first to each member as one record of a pipe's atomic size (a
// count, then the pairs), written and read whole: every read takes exactly one record,
// whichever member reads first.
constexpr size_t kAtomicPipeWrite = 4096;
constexpr size_t kMaxProcesses = kAtomicPipeWrite / 16 - 1;

const bsc_downcalls &below() { return *tracked().below; }

// A process handle the guest had opened by id: opened again at resume, once every
// process of the tree has its new host id.
struct OpenedLater {
    bsc_handle number;
    uint64_t process_id;
};
std::vector<OpenedLater> opened_later;

uint64_t own_host_id() {
    uint64_t host = 0;
    check(below().process_id_query(&host), "cannot learn this process's id");
    return host;
}

void read_exactly(bsc_handle handle, void *buffer, uint64_t size, const char *what) {
    for (uint64_t got = 0; got < size;) {
        uint64_t n = 0;
        check(below().stream_read(handle, BSC_AT_POSITION, static_cast<char *>(buffer) + got,
                                  size - got, &n),
              what);
        if (n == 0)
            throw RestoreFailure{BSC_E_IO, fmt::format("{}: the stream ended", what)};
        got += n;
    }
}

// A child that had ended and was not waited for is forked again, to end again as it did.
bool ends_again(const snap::ProcessRecord &record) {
    return record.relation == snap::ProcessRelation::child && record.ended;
}

// A child that had ended ends again as it did: with its exit status, or killed by its
// signal (process_exit's negative status). One already waited for was reported before the
// capture: its status is read by no one, and it exits with 0.
[[noreturn]] void end_as(const snap::ProcessRecord &record) {
    if (record.waited)
        below().process_exit(0);
    below().process_exit(record.end_kind == BSC_PROCESS_EXITED ? record.end_code
                                                                : -record.end_code);
    __builtin_unreachable();
}

} // namespace

std::optional<TreeRestore> &tree_restore() {
    static std::optional<TreeRestore> restore;
    return restore;
}

TreeRestore::TreeRestore(const snap::ImageReader &first, const snap::ReadOptions &options)
    : options_(options), first_(&first.metadata()), first_id_(first.metadata().process_id),
      tree_(first.metadata().tree_members) {
    for (const auto &member : tree_) {
        members_.push_back(first.member_metadata(member));
        if (members_.back().process_id != member.process_id)
            throw RestoreFailure{BSC_E_INVALID,
                                 fmt::format("{}'s member {} says it is process {}",
                                             first.name(), member.process_id,
                                             members_.back().process_id)};
    }
    if (members_.size() + 1 > kMaxProcesses)
        throw RestoreFailure{BSC_E_NOT_SUPPORTED,
                             fmt::format("a tree of {} processes: at most {} can be restored",
                                         members_.size() + 1, kMaxProcesses)};
}

std::vector<const snap::ImageMetadata *> TreeRestore::processes() const {
    std::vector<const snap::ImageMetadata *> all{first_};
    for (const auto &member : members_)
        all.push_back(&member);
    return all;
}

const snap::ImageMetadata &TreeRestore::metadata(size_t process) const {
    if (process == 0)
        return *first_;
    return own_chain_ && process == self_ ? own_chain_->top().metadata()
                                          : members_[process - 1];
}

uint64_t TreeRestore::id(size_t process) const {
    return process == 0 ? first_id_ : tree_[process - 1].process_id;
}

uint64_t TreeRestore::parent_id(size_t member) const { return tree_[member - 1].parent_id; }

const snap::ImageChain &TreeRestore::fork_children(const snap::ImageChain &first,
                                                   const RestoreRequest &request) {
    if (first_id_)
        tracked().process_ids.add_restored(first_id_, own_host_id());
    if (has_members()) {
        check(below().stream_open_pair("pipe:", 0, ready_), "cannot make the tree's pipe");
        check(below().stream_open_pair("pipe:", 0, go_), "cannot make the tree's pipe");
        // Each member reports itself and its ended children; the first knows its own.
        reports_ = members_.size();
        for (const auto &member : members_)
            reports_ += std::ranges::count_if(member.processes, ends_again);
    }
    // The members come parents first: a member's children follow it.
    for (size_t member = 1; member <= members_.size(); member++)
        if (parent_id(member) == id(self_) && fork_member(member))
            become(member, first.top());
    fork_ended_children();
    drop_others(request);
    return self_ == 0 ? first : *own_chain_;
}

snap::ImageChain TreeRestore::take_chain(snap::ImageChain first) {
    if (self_ == 0)
        return first;
    snap::ImageChain own = std::move(*own_chain_);
    own_chain_.reset();
    return own;
}

// Forks member `member`: true in the child.
bool TreeRestore::fork_member(size_t member) {
    bsc_handle handle;
    uint64_t host;
    check(below().process_fork(&handle, &host),
          fmt::format("cannot fork process {} again", id(member)));
    if (handle == BSC_NO_HANDLE)
        return true;
    children_.emplace_back(id(member), handle);
    return false;
}

// In the child forked for `member`: it is that process now.
void TreeRestore::become(size_t member, const snap::ImageReader &first) {
    for (auto [id, handle] : children_) // its parent's
        below().object_close(handle);
    children_.clear();
    known_.clear();
    self_ = member;
    own_chain_ = snap::ImageChain::from_images({first.open_member(tree_[member - 1], options_)},
                                               options_);
    known_.emplace_back(id(member), own_host_id());
    tracked().process_ids.add_restored(id(member), known_.back().second);
    below().object_close(std::exchange(ready_[0], BSC_NO_HANDLE)); // the first's to read
    below().object_close(std::exchange(go_[1], BSC_NO_HANDLE));    // and to write
}

// A zombie is forked to end again as it did, and told to the first. A child already
// reaped is forked, ends and is reaped again: its handle answers as the old one did (the
// host knows no such child), for the thread that holds its report to let it go.
void TreeRestore::fork_ended_children() {
    for (const auto &record : metadata(self_).processes) {
        if (!ends_again(record) && !record.waited)
            continue;
        bsc_handle handle;
        uint64_t host;
        check(below().process_fork(&handle, &host),
              fmt::format("cannot fork process {} again", record.process_id));
        if (handle == BSC_NO_HANDLE)
            end_as(record);
        children_.emplace_back(record.process_id, handle);
        if (record.waited) {
            bsc_process_state state;
            bsc_status status;
            do // a zombie forked before it may have ended first, and its SIGCHLD interrupts
                status = below().process_wait(handle, BSC_PROCESS_WAIT_EXITED, &state);
            while (status == BSC_E_INTERRUPTED);
            check(status, fmt::format("cannot reap process {} again", record.process_id));
        } else {
            known_.emplace_back(record.process_id, host);
        }
    }
}

// Once its children hold them, what only other processes hold goes: descriptions, and
// the first's shared memory this process did not have.
void TreeRestore::drop_others(const RestoreRequest &request) {
    if (!has_members())
        return;
    const auto &own = metadata(self_);
    std::set<uint64_t> held, shared;
    for (const auto &handle : own.handles)
        held.insert(handle.description);
    for (const auto &[description, handle] : request.descriptions)
        if (!held.contains(description) &&
            std::ranges::none_of(request.stdio, [&](bsc_handle h) { return h == handle; }))
            below().object_close(handle);
    if (self_ == 0) {
        below().object_close(std::exchange(ready_[1], BSC_NO_HANDLE));
        below().object_close(std::exchange(go_[0], BSC_NO_HANDLE));
        return;
    }
    for (const auto &region : own.regions)
        shared.insert(region.share_id);
    for (const auto &region : first_->regions)
        if (region.share_id && !shared.contains(region.share_id))
            free_shared_region(region);
}

bsc_handle TreeRestore::child_handle(uint64_t process_id) const {
    for (auto [id, handle] : children_)
        if (id == process_id)
            return handle;
    return BSC_NO_HANDLE;
}

void TreeRestore::report(const IdPair &pair) {
    uint64_t message[2] = {pair.first, pair.second};
    uint64_t done = 0;
    below().stream_write(ready_[1], BSC_AT_POSITION, message, sizeof message, &done);
}

void TreeRestore::report_failure() {
    if (self_ != 0 && ready_[1] != BSC_NO_HANDLE)
        report({0, 0});
}

// The first: a report from every member and every ended child, each (id, host id).
std::vector<TreeRestore::IdPair> TreeRestore::collect_reports() {
    std::vector<IdPair> pairs;
    for (size_t i = 0; i < reports_; i++) {
        bsc_wait_item item{ready_[0], BSC_WAIT_READ, 0};
        uint32_t ready = 0;
        if (below().objects_wait_any(&item, 1, kReportTimeout, &ready) != BSC_OK || !ready)
            throw RestoreFailure{BSC_E_TIMED_OUT, "a process of the tree was not restored "
                                                  "within 30 s"};
        uint64_t message[2];
        read_exactly(ready_[0], message, sizeof message, "the tree's reports");
        if (message[0] == 0)
            throw RestoreFailure{BSC_E_INVALID, "another process of the tree could not be "
                                                "restored (see above)"};
        pairs.emplace_back(message[0], message[1]);
    }
    return pairs;
}

void TreeRestore::wait_until_restored() {
    if (!has_members())
        return;
    std::vector<uint64_t> table(kAtomicPipeWrite / 8);
    if (self_ == 0) {
        auto pairs = collect_reports();
        pairs.insert(pairs.end(), known_.begin(), known_.end());
        pairs.emplace_back(first_id_, own_host_id());
        table[0] = pairs.size();
        for (size_t i = 0; i < pairs.size(); i++)
            table[1 + 2 * i] = pairs[i].first, table[2 + 2 * i] = pairs[i].second;
        for (size_t member = 0; member < members_.size(); member++) {
            uint64_t done = 0;
            check(below().stream_write(go_[1], BSC_AT_POSITION, table.data(), kAtomicPipeWrite,
                                       &done),
                  "cannot tell the tree its ids");
        }
    } else {
        for (const auto &pair : known_)
            report(pair);
        read_exactly(go_[0], table.data(), kAtomicPipeWrite, "the tree's ids");
        if (table[0] > kMaxProcesses)
            throw RestoreFailure{BSC_E_INVALID, "the tree's ids are malformed"};
    }
    for (size_t i = 0; i < table[0]; i++)
        tracked().process_ids.add_restored(table[1 + 2 * i], table[2 + 2 * i]);
    for (bsc_handle &handle : {std::ref(ready_[0]), std::ref(ready_[1]), std::ref(go_[0]),
                               std::ref(go_[1])})
        if (handle != BSC_NO_HANDLE)
            below().object_close(std::exchange(handle, BSC_NO_HANDLE));
}

// A child forked again is the handle its fork made; a process opened by id is opened
// again once every process of the tree has its new host id (resume).
void KindHooks<snap::ProcessRecord>::restore(const std::vector<snap::ProcessRecord> &records,
                                             const RestoreRequest &request) {
    for (const auto &r : records) {
        bsc_handle number = handle_number(r.handle);
        bool child = r.relation == snap::ProcessRelation::child;
        bsc_handle handle = request.as_captured ? number : BSC_NO_HANDLE;
        if (!request.as_captured && child) {
            handle = tree_restore()->child_handle(r.process_id);
            if (handle == BSC_NO_HANDLE)
                throw RestoreFailure{BSC_E_INVALID,
                                     fmt::format("child {} of handle {} is not in the image",
                                                 r.process_id, r.handle)};
        } else if (!request.as_captured) {
            opened_later.push_back({number, r.process_id});
        }
        tracked().handles.adopt(number, restored_entry(handle, r));
    }
}

void open_processes_again() {
    for (const auto &process : opened_later) {
        bsc_handle handle;
        uint64_t host = process.process_id ? tracked().process_ids.below(process.process_id) : 0;
        if (below().process_open(host, &handle) == BSC_OK)
            tracked().handles.replace_below(process.number, handle);
    }
    opened_later.clear();
}

} // namespace bsc::checkpoint
