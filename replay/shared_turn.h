// SPDX-License-Identifier: MIT
// The turn the guest's threads take during a replay, shared by every process of the guest
// (they fork with it): whether a thread has it, and the place of the next event among the
// events of all the processes. It lives in the replay layer's own memory, outside the
// guest, and threads wait with futex directly: the layer runs on the host's side of the
// gate. Which thread may take it is the layer's to say (replay_layer.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

namespace bsc::replay {

class SharedTurn {
    struct Shared {
        uint32_t changes; // counts the times the turn was given up
        uint32_t held;
        uint64_t now;
        uint32_t holder;
        uint64_t holder_points;
    };

public:
    // Maps the shared memory, the turn held (by the initial thread); throws
    // std::runtime_error if it cannot.
    SharedTurn();
    // What the turn is now; a turn of its own that starts as that one was (a replay
    // started from a checkpoint: its process shares no turn with the one that took it).
    using State = Shared;
    State state() const { return *shared_; }
    explicit SharedTurn(const State &state);

    // The place of the next event among the events of all the processes.
    uint64_t now() const { return __atomic_load_n(&shared_->now, __ATOMIC_ACQUIRE); }
    // The holder took that event.
    void advance() { __atomic_add_fetch(&shared_->now, 1, __ATOMIC_RELEASE); }
    void give();
    // A replay that starts from a checkpoint image: the turn is free, and the next event
    // of all the processes is the `order`th.
    void start_at(uint64_t order);
    // Waits until the turn is free and `mine()` says that it is the caller's, then takes
    // it and returns true; calls `waited_long()` once the caller has waited 30 s. Returns
    // false, without the turn, once this process's replay has stopped.
    bool take(uint32_t thread, const std::function<bool()> &mine,
              const std::function<void()> &waited_long);
    // This process's replay stops (to capture it): no thread of it takes the turn again,
    // and those waiting for it stop waiting.
    void stop();

    // For reports: whether it is held, the thread that took it last, and how many switch
    // points that thread passed (noted by the holder).
    bool held() const { return __atomic_load_n(&shared_->held, __ATOMIC_ACQUIRE); }
    uint32_t holder() const { return shared_->holder; }
    uint64_t holder_points() const { return shared_->holder_points; }
    void note_switch_points(uint64_t points) { shared_->holder_points = points; }

    static constexpr int64_t kLongWaitSeconds = 30;

private:
    Shared *shared_;
    std::atomic<bool> stopped_{false};
};

} // namespace bsc::replay
