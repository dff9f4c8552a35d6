// SPDX-License-Identifier: MIT
// The guest's threads and how they are brought to a stop for a capture. A freeze
// interrupts every thread; each parks in the exception upcall that interrupt raises (in
// guest code, or at the exit of the downcall it was in), with its whole state in guest
// memory, and waits there until the thaw. A thread that has not entered the guest yet
// parks in its thread_start upcall, and one that is leaving in thread_exit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "bascule.h"
#include "image_schema.h"

namespace bsc::checkpoint {

// Where a thread parked (image_schema.h): in the exception upcall (`record` is the
// bsc_exception in guest memory), in thread_start (`argument` is the guest's), or in
// thread_exit.
using ParkPoint = snapshot::ParkPoint;

struct GuestThread {
    bsc_handle handle = BSC_NO_HANDLE; // the number the layers above know it by
    uint64_t tcb = 0;
    uint64_t clear_on_exit = 0;
    uint64_t argument = 0; // the guest's thread_start argument
    uint64_t stack_top = 0; // the guest's thread_start stack
    ParkPoint park = ParkPoint::not_started;
    uint64_t record = 0;
    bool parked = false;
    bool restored = false; // made again from an image; resumes at its park point
};

class Freezer {
public:
    void add(GuestThread thread);
    void set_handle(uint64_t tcb, bsc_handle handle);
    void remove(uint64_t tcb); // a thread that never started
    // After process_fork, in the child: the thread with this TCB is the only one.
    void keep_only(uint64_t tcb);
    // Held across process_fork, so that the child's copy is whole.
    std::mutex &mutex() const { return mutex_; }
    // The thread with this TCB, if known.
    std::optional<GuestThread> find(uint64_t tcb) const;

    // Interrupts every thread through `interrupt` and waits until all have parked; false
    // (and thawed) if one has not within `timeout`, or at once if `interrupt` refused one.
    bool freeze(const std::function<bool(bsc_handle)> &interrupt, std::chrono::milliseconds timeout);
    void thaw();
    // The parked threads, while frozen.
    std::vector<GuestThread> threads() const;

    // Called on the thread itself, identified by its TCB: parks it if a freeze is under way.
    void park_in_exception(uint64_t tcb, uint64_t record);
    void park_before_start(uint64_t tcb);
    // Parks a leaving thread if need be, then forgets it.
    void exit(uint64_t tcb);
    // A restored thread has entered its first upcall: it runs as any other from now on.
    void mark_resumed(uint64_t tcb);

private:
    void park(std::unique_lock<std::mutex> &lock, uint64_t tcb, ParkPoint point, uint64_t record);
    bool all_parked() const;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<uint64_t, GuestThread> threads_; // by TCB
    bool frozen_ = false;
    // Counts the freezes: a thread still parked from one freeze when the next begins (it
    // had not yet woken from the thaw) parks again for the new one where it stands.
    uint64_t freeze_count_ = 0;
};

} // namespace bsc::checkpoint
