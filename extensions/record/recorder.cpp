// SPDX-License-Identifier: MIT
#include "recorder.h"

#include <time.h>

#include <algorithm>

#include <fmt/format.h>

#include "call_memory.h"
#include "guest_memory.h"

namespace bsc::record {
namespace {

uint64_t wall_clock_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
}

// The NULL-terminated list of guest strings at `address`.
std::vector<std::string> guest_strings(uint64_t address) {
    std::vector<std::string> list;
    for (uint64_t at = address; at; at += 8) {
        uint64_t entry = 0;
        std::string text;
        if (read_guest(reinterpret_cast<const uint64_t *>(at), entry) != BSC_OK || !entry ||
            read_guest_string(reinterpret_cast<const char *>(entry), text, 1 << 20) != BSC_OK)
            break;
        list.push_back(std::move(text));
    }
    return list;
}

} // namespace

ThreadState &this_thread() {
    static thread_local ThreadState state;
    return state;
}

Recorder::Recorder(std::filesystem::path trace, std::vector<std::string> stack,
                   std::filesystem::path store)
    : path_(std::move(trace)), store_(std::move(store)),
      writer_(std::make_unique<replay::TraceWriter>(path_, store_)) {
    header_.abi_version = BSC_ABI_VERSION;
    header_.stack = std::move(stack);
}

uint64_t Recorder::begin_call() { return ++calls_; }

void Recorder::add(replay::Event event) {
    this_thread().events_in_turn++;
    std::lock_guard lock(mutex_);
    replay::order_of(event) = baton_.next_order();
    writer_->add(std::move(event));
    events_++;
}

void Recorder::end_call(replay::CallEvent event) { add(std::move(event)); }

replay::MappedContent Recorder::add_content(uint64_t address, uint64_t length,
                                            const MapSource &source) {
    std::lock_guard lock(mutex_);
    shared_mapping_made_ |= (source.flags & BSC_MAP_SHARED) != 0;
    bool reusable = !shared_mapping_made_ && (source.protection & BSC_PROT_READ);
    auto hashes = replay::guest_page_hashes(address, length, [&](uint64_t at) {
        auto known = reusable ? mapped_pages_.find({source.handle, source.offset + at})
                              : mapped_pages_.end();
        return known == mapped_pages_.end() ? std::nullopt : std::optional(known->second);
    });
    if (reusable)
        for (size_t i = 0; i < hashes.size(); i++)
            mapped_pages_[{source.handle, source.offset + i * replay::kPage}] = hashes[i];
    return writer_->add_content(address, hashes);
}

void Recorder::files_may_change() {
    std::lock_guard lock(mutex_);
    mapped_pages_.clear();
}

void Recorder::interrupt() {
    ThreadState &t = this_thread();
    add(replay::InterruptEvent{t.last_call, t.number});
}

void Recorder::turn_ends() { add(replay::TurnEvent{this_thread().number}); }

void Recorder::thread_started() { add(replay::ThreadStartEvent{this_thread().number}); }

void Recorder::switched(uint64_t exception) {
    add(replay::SwitchEvent{this_thread().number, exception});
}

void Recorder::start(const bsc_start_info &info) {
    header_.argv = guest_strings(info.argv);
    header_.envp = guest_strings(info.envp);
    read_guest_string(reinterpret_cast<const char *>(info.working_directory),
                      header_.working_directory);
    header_.started_ns = wall_clock_ns();
    std::copy(std::begin(info.stdio), std::end(info.stdio), header_.stdio.begin());
    header_.thread = info.thread;
    std::lock_guard lock(mutex_);
    writer_->write_header(header_);
}

void Recorder::end(int32_t status) {
    add(replay::EndEvent{status, wall_clock_ns()});
    flush();
}

void Recorder::flush() {
    std::lock_guard lock(mutex_);
    writer_->flush();
}

void Recorder::become_child(uint64_t parent, uint64_t own_id, uint64_t fork_call) {
    std::lock_guard lock(mutex_);
    writer_->abandon();
    path_ = replay::child_trace_path(path_, own_id);
    writer_ = std::make_unique<replay::TraceWriter>(path_, store_);
    header_.parent_process = parent;
    header_.forked_at = fork_call;
    header_.started_ns = wall_clock_ns();
    writer_->write_header(header_);
    calls_ = 0;
    events_ = 0;
}

std::string Recorder::place() {
    std::lock_guard lock(mutex_);
    writer_->flush();
    return fmt::format("trace={},event={},order={},call={}",
                       std::filesystem::absolute(path_).string(), events_, baton_.order(),
                       calls_.load());
}

} // namespace bsc::record
