// SPDX-License-Identifier: MIT
// What a trace holds (README.md): its header, and one event for each thing that crossed
// the ABI and that replay must reproduce or check, in the order it happened.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

namespace bsc::replay {

inline constexpr uint32_t kTraceVersion = 6; // 6: no image hash (5: stream bytes out of line)

// Written once, when the guest starts (everything before is buffered until then).
struct TraceHeader {
    uint32_t trace_version = kTraceVersion;
    uint32_t abi_version = 0;
    std::vector<std::string> stack;     // the extension specs above record, top first
    std::vector<std::string> argv;      // what the runtime started (the guest image's)
    std::vector<std::string> envp;
    std::string working_directory;      // where the guest was told it started
    uint64_t started_ns = 0;            // wall clock at the start (for `stats`)
    std::array<uint32_t, 3> stdio{};    // the start's handles for stdin, stdout, stderr
    uint32_t thread = 0;                // and for the initial thread
    uint64_t parent_process = 0;        // 0, or the host id of the process that forked it
    uint64_t forked_at = 0;             // in the parent's trace: the process_fork call

    template <class Archive> void serialize(Archive &a) {
        a(trace_version, abi_version, stack, argv, envp, working_directory, started_ns,
          stdio, thread, parent_process, forked_at);
    }
};

inline constexpr uint8_t kAbsolute = 0xff; // MemoryWrite.param: not through a parameter

// Bytes the host wrote into memory during a call (or, in CallEvent.reads, read). When
// `param` names the pointer parameter they lie behind, a replay writes them at the same
// offset from that parameter's value then: the runtime's own calls point into its heap,
// which moves from run to run; guest memory does not.
struct MemoryWrite {
    uint64_t address = 0; // where they were in the recording
    std::vector<uint8_t> bytes;
    uint8_t param = kAbsolute;

    template <class Archive> void serialize(Archive &a) { a(address, bytes, param); }
};

// What a mapping showed as it was made (stream_map), or the bytes a call read from a
// stream kept out of line (README.md): `length` bytes at `offset` in the trace file,
// within one of its content records, or (`object` n > 0) at `offset` in the content
// store's object that the trace's n-th reference record names; length 0 if they are kept
// in the call's writes instead, or there were none. A mapping's are whole pages.
struct MappedContent {
    uint64_t offset = 0;
    uint64_t length = 0;
    uint32_t object = 0;

    template <class Archive> void serialize(Archive &a) { a(offset, length, object); }
};

// A downcall made by the guest (or the runtime on its behalf) and its results.
struct CallEvent {
    uint64_t number = 0;  // calls counted from 1 in this process
    uint32_t thread = 0;  // guest threads numbered from 0 in the order they started
    uint16_t slot = 0;    // its index in BSC_DOWNCALLS
    int32_t status = 0;   // what it returned (for a call that did not return: 0)
    std::array<uint64_t, 6> args{};
    uint64_t input_hash = 0; // xxh3 over what it read through its pointers
    bool returned = true;    // false for a call that never returned (process_exit)
    std::vector<MemoryWrite> reads;  // for people: the strings it read, in-out values before
    std::vector<MemoryWrite> writes;
    MappedContent content; // a stream_map's, or the bytes of its one write with none
    uint64_t order = 0; // every event's place among those of all the recorded processes

    template <class Archive> void serialize(Archive &a) {
        a(number, thread, slot, status, args, input_hash, returned, reads, writes, content,
          order);
    }
};

// An interrupt the host delivered to thread `thread` as call `after_call` returned (or, one
// taken in guest code, as the thread's next call began; `after_call` is then the one before).
struct InterruptEvent {
    uint64_t after_call = 0;
    uint32_t thread = 0;
    uint64_t order = 0;

    template <class Archive> void serialize(Archive &a) { a(after_call, thread, order); }
};

// An event that only names a thread: what happened is the event's kind.
enum class ThreadMark { started, turn_ends };
template <ThreadMark> struct ThreadEvent {
    uint32_t thread = 0;
    uint64_t order = 0;

    template <class Archive> void serialize(Archive &a) { a(thread, order); }
};

// Thread `thread` (numbered at its thread_create) starts running the guest's code.
using ThreadStartEvent = ThreadEvent<ThreadMark::started>;

// Thread `thread` had the turn and gives it up having written no other event since it
// took it (it took it at a switch point and ran up to a call that may wait): without this
// its turn would leave no trace.
using TurnEvent = ThreadEvent<ThreadMark::turn_ends>;

// Thread `thread` let the others run at its `exception`-th switch-point exception (a
// system call or timestamp instruction, counted from its start; thread_order.h), and ran
// again at its next event.
struct SwitchEvent {
    uint32_t thread = 0;
    uint64_t exception = 0;
    uint64_t order = 0;

    template <class Archive> void serialize(Archive &a) { a(thread, exception, order); }
};

// The end of the recording: the process exited with `status` (process_exit's).
struct EndEvent {
    int32_t status = 0;
    uint64_t ended_ns = 0; // wall clock (for `stats`)
    uint64_t order = 0;

    template <class Archive> void serialize(Archive &a) { a(status, ended_ns, order); }
};

using Event =
    std::variant<CallEvent, InterruptEvent, EndEvent, ThreadStartEvent, SwitchEvent, TurnEvent>;

// The guest thread an event belongs to; the end belongs to none.
inline constexpr uint32_t kNoThread = UINT32_MAX;
uint32_t thread_of(const Event &event);

// An event's place among the events of every process of the recording (`order`: while
// recording, the processes of a guest take turns as its threads do, README.md).
inline uint64_t &order_of(Event &event) {
    return std::visit([](auto &e) -> uint64_t & { return e.order; }, event);
}
inline uint64_t order_of(const Event &event) {
    return std::visit([](const auto &e) { return e.order; }, event);
}

} // namespace bsc::replay
