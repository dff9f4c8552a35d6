// SPDX-License-Identifier: MIT
// One process's recording: numbers the calls, keeps the guest threads apart, and writes
// each call's results, each interrupt's position, the threads' turns and the end to the
// trace file, each event in its place among the events of every process (baton.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "baton.h"
#include "call_memory.h"
#include "trace_file.h"

namespace bsc::record {

// What the calling thread is to the recording.
struct ThreadState {
    bool guest = false;         // else a thread of the runtime's (a capture's): not recorded
    uint32_t number = 0;        // 0 for the initial thread, then in order of creation
    uint64_t last_call = 0;     // the last call this thread made (where an interrupt lands)
    bsc_handle handle = 0;      // its own handle (thread_interrupt), once known
    bool deferred_interrupt = false; // taken in guest code, to be raised at the next call
    bool has_turn = false;           // it is the thread running (baton.h)
    uint64_t switch_points = 0;      // its switch-point exceptions (replay/thread_order.h)
    uint32_t since_turn = 0;         // of them since it got its turn
    uint32_t events_in_turn = 0;     // the events it wrote since it got its turn
};
ThreadState &this_thread();

// Where a mapping's content came from: stream_map's handle, file offset and protection.
struct MapSource {
    bsc_handle handle = 0;
    uint64_t offset = 0;
    uint32_t protection = 0; // BSC_PROT_*
    uint32_t flags = 0;      // BSC_MAP_*
};

class Recorder {
public:
    // Mapped content goes to the content store `store` (a directory), or into the trace.
    Recorder(std::filesystem::path trace, std::vector<std::string> stack,
             std::filesystem::path store);

    // A call begins: its number.
    uint64_t begin_call();
    // A call ended (or, with returned false, is about to leave for good).
    void end_call(replay::CallEvent event);
    // The content of a mapping just made, stored in the trace (TraceWriter::add_content).
    replay::MappedContent add_content(uint64_t address, uint64_t length, const MapSource &source);
    // A call that may change a file's content is made: the hashes of pages mapped so far
    // no longer stand for what the files hold.
    void files_may_change();
    // An interrupt was delivered to the calling thread as its last call returned.
    void interrupt();
    // The calling thread starts running the guest's code.
    void thread_started();
    // The calling thread lets the others run at its switch-point exception `exception`.
    void switched(uint64_t exception);
    // The calling thread gives up a turn in which it wrote nothing else.
    void turn_ends();
    // The guest starts: the header goes out with what it was started with.
    void start(const bsc_start_info &info);
    // The process ends: the end event, and everything held, reach the file.
    void end(int32_t status);
    void flush();
    // Held across process_fork, so that the child's copy of the recording is whole.
    std::unique_lock<std::mutex> hold() { return std::unique_lock(mutex_); }
    // In a process just forked from this one (the hold released): its own trace from now
    // on, which begins with the fork's return, call 1.
    void become_child(uint64_t parent, uint64_t own_id, uint64_t fork_call);
    // A new thread's number.
    uint32_t next_thread() { return ++threads_; }
    // The turn the guest's threads take, shared with the processes forked from this one.
    Baton &baton() { return baton_; }
    // Where the recording is, for an image captured now (the runtime's image-state): the
    // trace, the index of this process's next event and its order, the calls so far. The
    // trace is flushed, so that the place is on disk before the image.
    std::string place();

private:
    // Writes an event in its place (the caller has the turn).
    void add(replay::Event event);

    Baton baton_;
    std::mutex mutex_;
    std::filesystem::path path_;
    std::filesystem::path store_;
    std::unique_ptr<replay::TraceWriter> writer_;
    replay::TraceHeader header_;
    std::atomic<uint64_t> calls_{0};
    uint64_t events_ = 0; // written to this process's trace (under mutex_)
    std::atomic<uint32_t> threads_{0};
    // The hashes of the pages mapped from each (handle, file offset) since the last call
    // that may change a file (under mutex_): ld.so maps a library whole, then its segments
    // from the same handle again, whose pages then need no second read of guest memory.
    // Never kept once the guest made a shared mapping, through which it may change a file
    // with no call at all.
    std::map<std::pair<bsc_handle, uint64_t>, uint64_t> mapped_pages_;
    bool shared_mapping_made_ = false;
};

} // namespace bsc::record
