// SPDX-License-Identifier: MIT
// The replay layer: the bottom of the chain during a replay, standing for the host the
// recording ran on. It answers every downcall from the trace, writing back what the host
// wrote then, and makes for real only what builds the guest's own machine: its memory
// (at the recorded addresses, a mapped stream's content copied from the trace), its
// registers, its threads and the end of the process. No host file, clock, socket or random
// source is touched. The guest's threads run one at a time, in the recorded order
// (thread_order.h). A call that differs from the recording is a divergence (exit code 3,
// with a report). With a capture asked for, it stops after call N and has the checkpoint
// extension above capture the guest there, describing its handles from the calls
// replayed (handle_model.h). See README.md.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "bascule_extension.h"
#include "call_memory.h"
#include "call_roles.h"
#include "call_text.h"
#include "checkpoints.h"
#include "debugger.h"
#include "guest_memory.h"
#include "handle_model.h"
#include "shared_page.h"
#include "shared_turn.h"
#include "thread_order.h"
#include "trace_file.h"

namespace {

using namespace bsc;
using namespace bsc::replay;

constexpr int kExitDivergence = 3;
constexpr size_t kRecentCalls = 10;
// How long a thread of a replay stopped for a capture waits for the capture to reach it.
constexpr auto kCaptureWait = std::chrono::seconds(30);

// Per instance: the chain loads a private copy of this object for every further one.
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;

struct Replay {
    std::string path;
    std::unique_ptr<TraceReader> trace;
    // The files content is mapped from, opened as needed: the trace (0) for its content
    // records, and the content store's objects it names (1, 2, ...).
    std::map<uint32_t, bsc_handle> content_streams;
    size_t next = 0;            // the next event to replay
    bool quiet = false;         // the guest's output is not shown
    size_t progress_step = 0;   // events between redraws of the progress line (0: none)
    size_t progress_at = 0;     // where it is redrawn next
    bool progress_shown = false;
    uint64_t stop_after = 0;    // --to N: the last call replayed (0: all)
    uint64_t last_call = 0;     // the number of the last call replayed
    // The guest's output is shown once: up to this place among the events of all the
    // processes (their order) it was, in memory every process of the replay shares (and
    // a gdb session's checkpoints and the replays started from them).
    std::atomic<uint64_t> *output_shown = nullptr;
    bsc_handle stdio[3] = {};   // the recorded runtime's stdin, stdout, stderr
    std::deque<std::shared_ptr<const CallEvent>> recent;
    std::unique_ptr<SharedTurn> turn; // held by the initial thread at first
    uint32_t threads = 0;       // guest threads created so far
    bsc_handle exiting = 0;     // a thread that gave up its turn to end, until it has
    std::atomic<bool> process_ending{false}; // the guest's process_exit matched its trace's

    // A capture after call `stop_after` (bascule-replay --capture).
    std::string capture_image;
    std::atomic<bool> capturing{false}; // stopped after that call; the capture runs
    bsc_status (*request_control)(const char *, const bsc_option *, size_t) = nullptr;
    std::unique_ptr<HandleModel> handles; // what the capture is told of the guest's handles
    // The guest's threads by the handle the recording gave them (the one the layers above
    // know, and the capture interrupts): their real handle, and whether the capture did.
    struct Interruptible {
        bsc_handle real = 0;
        bool interrupted = false;
    };
    std::mutex threads_mutex;
    std::condition_variable threads_changed;
    std::map<bsc_handle, Interruptible> threads_by_recorded;

    // A replay from a checkpoint image taken while recording (bascule-replay --from): the
    // checkpoint extension rebuilds the guest through this layer, which makes its calls
    // for real, then the image's one thread goes on from the image's place in the trace.
    bool restoring = false;
    uint32_t restored_thread = 0;         // its number
    uint64_t restored_switch_points = 0;  // the switch points it had passed

    // gdb's checkpoints (checkpoints.h), while the guest has one thread and one process.
    std::unique_ptr<ReplayCheckpoints> checkpoints;
    bool forked = false;              // the guest has forked: no more checkpoints
    std::vector<pid_t> children;      // the processes it forked (they end when gdb goes back)
};
std::unique_ptr<Replay> state;
// gdb's, with --gdb: the first process's only.
std::unique_ptr<Debugger> debugger;
// With checkpoints, the debugger starts with the guest (after the first checkpoint): what
// it starts with.
struct DebuggerSetup {
    int in = -1, out = -1;
    uint64_t stop_at = 0;
    std::optional<Plan> plan;
    Debugger::Replay view;
};
std::optional<DebuggerSetup> debugger_setup;
// In a checkpoint's process: what the debugger of a replay it starts takes over.
std::optional<Debugger::Carried> carried;

// The calling guest thread.
struct ReplayThread {
    bool guest = false;            // else a thread of the runtime's (a capture's)
    uint32_t number = 0;
    bsc_handle recorded = 0;       // its handle as the recording (and the guest) knows it
    bsc_handle real = 0;           // its handle in this process (to raise interrupts in)
    uint64_t switch_points = 0;    // as the recording counted them (thread_order.h)
    uint32_t events_in_turn = 0;   // the events it took since it got its turn
    bool interrupt_expected = false;
    uint64_t capture_after = 0;    // the call after which it stops for the capture
};
thread_local ReplayThread me;

// A thread the guest creates starts through here, to learn its number and handle.
struct NewThread {
    uint64_t argument;
    uint32_t number;
    bsc_handle recorded;
    std::atomic<bsc_handle> real{0};
    bool restored = false; // the image's thread, which a replay --from starts
};

void add_thread(bsc_handle recorded, bsc_handle real) {
    Replay &r = *state;
    std::lock_guard lock(r.threads_mutex);
    r.threads_by_recorded[recorded] = {real, false};
}

// A progress line on stderr when it is a terminal, for the first process: the share of
// its trace replayed, redrawn at each whole percent, cleared before anything else is shown.
void clear_progress() {
    Replay &r = *state;
    if (r.progress_shown)
        std::fputs("\r\033[K", stderr);
    r.progress_shown = false;
}

void show_progress() {
    Replay &r = *state;
    size_t total = r.trace->size();
    fmt::print(stderr, "\r\033[Kbascule-replay: {}% ({} of {} events)", r.next * 100 / total,
               r.next, total);
    r.progress_shown = true;
    r.progress_at += r.progress_step;
}

[[noreturn]] void leave(int code) {
    if (state && state->checkpoints)
        state->checkpoints->ending(code);
    clear_progress();
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(code);
}

// The guest's output up to `place` (Replay::output_shown) has been shown.
void note_output_shown(uint64_t place) {
    std::atomic<uint64_t> &shown = *state->output_shown;
    for (uint64_t now = shown.load(); now < place && !shown.compare_exchange_weak(now, place);)
        ;
}

// Event `index` of this process's trace (decoded as the replay reaches its block).
std::shared_ptr<const Event> event_at(size_t index) {
    try {
        return state->trace->at(index);
    } catch (const TraceError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        leave(1);
    }
}

[[noreturn]] void diverge(const std::string &what, const std::string &actual) {
    Replay &r = *state;
    uint64_t number = r.last_call + 1;
    fmt::print(stderr, "bascule-replay: the replay diverged from the recording at call {} "
                       "(thread {}{}): {}\n",
               number, me.number,
               r.trace->header().parent_process ? fmt::format(", the process of {}", r.path) : "",
               what);
    if (r.next < r.trace->size())
        fmt::print(stderr, "  expected: {}", event_text(*event_at(r.next)));
    if (!actual.empty())
        fmt::print(stderr, "  actual:   {}", actual);
    fmt::print(stderr, "  the last {} calls before it:\n", r.recent.size());
    for (const auto &call : r.recent)
        fmt::print(stderr, "    {}", recorded_call_text(*call, trace::Format::text));
    if (debugger) // gdb hears that the replay ends here
        debugger->exited(kExitDivergence);
    leave(kExitDivergence);
}

[[noreturn]] void trace_ends() {
    Replay &r = *state;
    // The trace ended with the process: another thread is ending it, and this one (a
    // thread that was waiting when the recorded process ended, such as the LibOS's timer
    // thread) waits for that, as it did in the recording.
    while (r.process_ending.load())
        std::this_thread::sleep_for(std::chrono::hours(1));
    fmt::print(stderr, "bascule-replay: {} ends after call {}: its recording was cut (killed "
                       "before it ended); the replay stops there\n", r.path, r.last_call);
    leave(0);
}

// The next event of this process, which its holder of the turn takes: it must be the next
// of all the processes, and the calling thread's.
void take_event() {
    Replay &r = *state;
    if (r.next >= r.trace->size())
        trace_ends();
    if (order_of(*event_at(r.next)) != r.turn->now())
        diverge("another process ran here in the recording", "");
    r.next++;
    if (debugger)
        debugger->event_taken();
    r.turn->advance();
    me.events_in_turn++;
    if (r.progress_step && r.next >= r.progress_at)
        show_progress();
}

// The next event of this process if it is an `E` of the calling thread, else null.
template <class E> std::shared_ptr<const E> next_of_mine() {
    Replay &r = *state;
    if (r.next >= r.trace->size())
        return nullptr;
    auto next = event_at(r.next);
    const E *event = std::get_if<E>(next.get());
    if (!event || thread_of(*next) != me.number)
        return nullptr;
    return {next, event};
}

// Gives up the turn where the recorded thread did (a turn in which it wrote nothing else
// left a TurnEvent there).
void give_turn() {
    Replay &r = *state;
    if (!me.events_in_turn && next_of_mine<TurnEvent>())
        take_event();
    r.turn->give();
}

// Whether the next event of all the processes is the calling thread's.
bool next_is_mine() {
    Replay &r = *state;
    auto event = event_at(r.next);
    return order_of(*event) == r.turn->now() && thread_of(*event) == me.number;
}

// Says once what a thread has waited for a long time (a replay that no longer follows
// its recording may wait for a thread that never comes).
void report_long_wait() {
    static std::atomic<bool> reported{false};
    if (reported.exchange(true))
        return;
    Replay &r = *state;
    fmt::print(stderr, "bascule-replay: thread {} of {} has waited {} s for its turn, at event "
                       "{} of all the processes; its own next is {}: {}  the turn is {}, last "
                       "taken by thread {}, now at its switch point {}\n",
               me.number, r.path, SharedTurn::kLongWaitSeconds, r.turn->now(),
               order_of(*event_at(r.next)), event_text(*event_at(r.next)),
               r.turn->held() ? "held" : "free", r.turn->holder(), r.turn->holder_points());
}

// In a replay stopped for a capture: waits until the capture has interrupted the calling
// thread, so that it parks in the checkpoint extension as it returns to the guest.
void wait_for_capture() {
    Replay &r = *state;
    std::unique_lock lock(r.threads_mutex);
    if (!r.threads_changed.wait_for(lock, kCaptureWait, [&] {
            return r.threads_by_recorded[me.recorded].interrupted;
        })) {
        lock.unlock();
        fmt::print(stderr, "bascule-replay: the capture did not reach thread {} in {} s\n",
                   me.number, kCaptureWait.count());
        leave(1);
    }
}

// Waits for the calling thread's turn; then the thread that ended before it is gone.
// False if the replay stopped for a capture meanwhile (the thread waited for it).
bool wait_turn() {
    Replay &r = *state;
    bool taken = r.turn->take(
        me.number,
        [&] {
            if (r.next >= r.trace->size())
                trace_ends();
            return next_is_mine();
        },
        report_long_wait);
    if (!taken) {
        wait_for_capture();
        return false;
    }
    me.events_in_turn = 0;
    // What it ran on may be freed now, as it was when the recording ran on.
    if (bsc_handle exiting = std::exchange(r.exiting, 0)) {
        bsc_wait_item item{exiting, BSC_WAIT_READ, 0};
        uint32_t ready = 0;
        while (below->objects_wait_any(&item, 1, BSC_WAIT_FOREVER, &ready) == BSC_E_INTERRUPTED)
            ;
    }
    return true;
}

// The first checkpoint, at the guest's start, before gdb's debugger starts: the first
// process parks there for good (checkpoints.h); the debugger starts in the process that
// replays on, or in one started from there to follow a plan.
void start_debugger() {
    Replay &r = *state;
    DebuggerSetup setup = std::move(*debugger_setup);
    debugger_setup.reset();
    auto turn = r.turn->state();
    if (auto plan = r.checkpoints->start()) {
        r.turn = std::make_unique<SharedTurn>(turn);
        setup.plan = std::move(plan);
    }
    debugger = std::make_unique<Debugger>(setup.in, setup.out, setup.plan ? 0 : setup.stop_at,
                                          std::move(setup.plan), std::move(setup.view));
    note_output_shown(debugger->output_shown_before());
}

// In call `call`, its event just taken (an interval begins): a checkpoint if one is due
// and the guest can have one (one thread, one process, no step of gdb's under way). A
// process started from it later goes on from here, with a debugger that follows its plan.
void take_checkpoint(uint64_t call) {
    Replay &r = *state;
    CheckpointPlace place{call, r.next};
    if (!r.checkpoints || r.forked || r.threads || !r.checkpoints->due(place) ||
        !debugger->may_checkpoint())
        return;
    auto turn = r.turn->state();
    auto plan = r.checkpoints->take(place, [] {
        carried = debugger->leave_guest();
        static_cast<void>(debugger.release()); // its server thread is not this process's
    });
    if (!plan)
        return;
    r.turn = std::make_unique<SharedTurn>(turn); // its own, from where the checkpoint was
    debugger = std::make_unique<Debugger>(std::move(*carried), std::move(*plan));
    carried.reset();
    note_output_shown(debugger->output_shown_before());
}

// Why the next event is not the call the guest makes now, when it is not a call.
std::string not_a_call(const Event &event) {
    if (std::holds_alternative<EndEvent>(event))
        return "the recorded process had ended";
    if (const auto *other = std::get_if<SwitchEvent>(&event))
        return fmt::format("the recorded thread {} let the others run at its switch point {} "
                           "(this one is at {})",
                           other->thread, other->exception, me.switch_points);
    return fmt::format("thread {} ran here in the recording", thread_of(event));
}

// The recorded call the guest must be making now, checked against it: `read` is the hash
// of what it reads, taken as it began (before it let the others run, as when recorded).
std::shared_ptr<const CallEvent> expect(roles::Slot slot, const CallArgs &args, uint64_t read) {
    Replay &r = *state;
    auto actual = [&] { return live_call_text(static_cast<uint16_t>(slot), args, me.number); };
    if (r.next >= r.trace->size())
        trace_ends();
    auto next = event_at(r.next);
    std::shared_ptr<const CallEvent> call(next, std::get_if<CallEvent>(next.get()));
    if (call && debugger)
        debugger->before_call(call->number);
    if (!call)
        diverge(not_a_call(*next), actual());
    if (call->thread != me.number)
        diverge(fmt::format("thread {} made the call in the recording", call->thread), actual());
    if (call->slot != static_cast<uint16_t>(slot))
        diverge("another call", actual());
    // Values are compared; what a pointer points at is compared through the input hash,
    // as the runtime's own calls point into its heap, which moves from run to run.
    const bsc_call_roles &roles = roles::of(slot);
    for (size_t i = 0; i < roles.param_count; i++)
        if (!roles::reads_or_writes_through(roles.params[i].kind) && call->args[i] != args[i])
            diverge(fmt::format("argument {} differs ({:#x}, recorded {:#x})", i + 1, args[i],
                                call->args[i]),
                    actual());
    if (call->input_hash != read)
        diverge("what it reads (its strings, structures or data) differs", actual());
    take_event();
    if (debugger && slot != roles::Slot::process_exit)
        take_checkpoint(call->number);
    r.last_call = call->number;
    r.recent.push_back(call);
    if (r.recent.size() > kRecentCalls)
        r.recent.pop_front();
    return call;
}

// Stops the replay after call `number` and has the checkpoint extension capture the
// guest: every thread waiting for its turn stops waiting and, once the capture has
// interrupted it, parks (a blocking call it was in returns BSC_E_INTERRUPTED, to be made
// again live); the calling thread, in the interrupt upcall as that call returned, parks
// as it passes it on. On success the capture ends the process; calls made after a failed
// one end it too (capture_failed).
void stop_for_capture(uint64_t number) {
    Replay &r = *state;
    clear_progress();
    fmt::print(stderr, "bascule-replay: stopped after call {}; capturing {}\n", number,
               r.capture_image);
    r.capturing.store(true);
    r.turn->stop();
    bsc_option image{"image", r.capture_image.c_str()};
    if (!r.request_control || r.request_control("capture", &image, 1) != BSC_OK) {
        fmt::print(stderr, "bascule-replay: this runtime takes no capture request\n");
        leave(1);
    }
    wait_for_capture();
}

[[noreturn]] void capture_failed() {
    fmt::print(stderr, "bascule-replay: the capture failed; the replay stops\n");
    leave(1);
}

// After call `number`: the interrupts recorded there (the host delivers them as the call
// returns to the guest, as it did when recording), then --to's stop.
void after_call(uint64_t number) {
    Replay &r = *state;
    while (next_of_mine<InterruptEvent>()) {
        take_event();
        me.interrupt_expected = true;
        below->thread_interrupt(me.real);
    }
    if (!r.stop_after || number < r.stop_after)
        return;
    if (!r.capture_image.empty()) {
        // Not here: the layers above may hold their locks across the call (a fork does).
        me.capture_after = number;
        below->thread_interrupt(me.real);
        return;
    }
    fmt::print(stderr, "bascule-replay: stopped after call {} (--to)\n", number);
    leave(0);
}

void check_real(bsc_status real, const CallEvent &call) {
    if (real != call.status)
        diverge(fmt::format("the host answered {} where the recording had {}", real, call.status),
                "");
}

// What each call does during a replay: by default, nothing but the recorded answer.
template <roles::Slot Name> struct Serve {
    static void call(const CallEvent &, const CallArgs &) {}
};

// The debugger hears of every change the replay makes to the guest's memory map.
void memory_changed(uint64_t address, uint64_t size, std::optional<uint32_t> protection,
                    bool replaced) {
    if (debugger)
        debugger->memory_changed(address, size, protection, replaced);
}

// Memory is made for real where the recording had it.
template <> struct Serve<roles::Slot::vm_alloc> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        uint64_t address = recorded_value(c, 0);
        uint32_t flags = static_cast<uint32_t>(a[3]);
        if (!(flags & BSC_MAP_FIXED))
            flags |= BSC_MAP_FIXED_NOREPLACE;
        check_real(below->vm_alloc(&address, a[1], static_cast<uint32_t>(a[2]), flags), c);
        memory_changed(address, a[1], static_cast<uint32_t>(a[2]), true);
    }
};
template <> struct Serve<roles::Slot::vm_free> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_free(a[0], a[1]), c);
        if (c.status == BSC_OK)
            memory_changed(a[0], a[1], std::nullopt, false);
    }
};
template <> struct Serve<roles::Slot::vm_protect> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_protect(a[0], a[1], static_cast<uint32_t>(a[2])), c);
        if (c.status == BSC_OK)
            memory_changed(a[0], a[1], static_cast<uint32_t>(a[2]), false);
    }
};
template <> struct Serve<roles::Slot::vm_reset> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->vm_reset(a[0], a[1]), c);
    }
};
template <> struct Serve<roles::Slot::thread_set_segment> {
    static void call(const CallEvent &c, const CallArgs &a) {
        check_real(below->thread_set_segment(static_cast<uint32_t>(a[0]), a[1]), c);
    }
};

// What `read` gets from a trace; a trace or store object found damaged or gone ends the
// replay with exit code 1, saying so.
template <class Read> auto from_trace(Read &&read) {
    try {
        return read();
    } catch (const TraceError &e) {
        fmt::print(stderr, "bascule-replay: {}\n", e.what());
        leave(1);
    }
}

// The file that holds a mapping's content, opened through the host: the trace, or a
// content store object.
bsc_handle content_stream(uint32_t object) {
    Replay &r = *state;
    bsc_handle &handle = r.content_streams[object];
    if (handle)
        return handle;
    std::string path = object ? r.trace->store_objects().at(object - 1).path
                              : std::filesystem::absolute(r.path).string();
    if (bsc_status s = below->stream_open(("file:" + path).c_str(), BSC_ACCESS_READ, 0,
                                          BSC_CREATE_NEVER, 0, &handle)) {
        fmt::print(stderr, "bascule-replay: cannot open {} to map content from it: {}\n", path,
                   bsc_status_name(s));
        leave(1);
    }
    return handle;
}

// A mapped stream: at the recorded address, the recorded content mapped privately from
// the trace's content record or the store's object (no copy: the pages are read as the
// guest touches them), then fresh memory for what had no content (pages past the end of
// the file), or the content the call kept inline (a mapping made before the trace's header
// was written).
template <> struct Serve<roles::Slot::stream_map> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        uint64_t address = recorded_value(c, 1), size = page_up(a[3]);
        uint64_t mapped = std::min(c.content.length, size);
        auto prot = static_cast<uint32_t>(a[4]);
        uint32_t flags = static_cast<uint32_t>(a[5]) & BSC_MAP_FIXED ? BSC_MAP_FIXED
                                                                     : BSC_MAP_FIXED_NOREPLACE;
        if (mapped) {
            uint64_t at = address;
            check_real(below->stream_map(content_stream(c.content.object), &at, c.content.offset,
                                         mapped, prot, flags),
                       c);
        }
        uint64_t rest = address + mapped;
        if (mapped < size)
            check_real(below->vm_alloc(&rest, size - mapped, BSC_PROT_READ | BSC_PROT_WRITE, flags),
                       c);
        apply_writes(c.writes, c.args, a);
        if (mapped < size)
            check_real(below->vm_protect(rest, size - mapped, prot), c);
        memory_changed(address, size, prot, true);
    }
};
// An attached System V segment: a segment of the replay's own stands for each recorded
// one (made at its first attach and removed at once, so that it goes with its last
// attachment), so that attachments of one segment share their pages as they did — in this
// process, and in the processes the replay forks, which inherit the table and the
// attachments. Each attach gives the segment what it held as it was attached (record
// keeps it in the call): what other processes wrote into it meanwhile was not recorded
// (extensions/record/README.md), and what this process wrote is there already.
std::map<int32_t, int32_t> replay_segments; // recorded id -> the replay's

// Attaches the replay's segment for `recorded` (`size` bytes) as `flags` says at *at;
// made afresh if it has none or its last detach took it away.
bsc_status attach_standing_in(int32_t recorded, uint64_t size, uint64_t *at, uint32_t flags) {
    uint64_t got = 0;
    if (auto it = replay_segments.find(recorded); it != replay_segments.end())
        if (below->ipc_shared_memory_attach(it->second, at, &got, flags) == BSC_OK)
            return BSC_OK;
    int32_t id = 0;
    if (bsc_status status = below->ipc_get(BSC_IPC_SHARED_MEMORY, BSC_IPC_PRIVATE, size,
                                           BSC_IPC_CREATE | 0600, &id))
        return status;
    replay_segments[recorded] = id;
    bsc_status status = below->ipc_shared_memory_attach(id, at, &got, flags);
    below->ipc_control(BSC_IPC_SHARED_MEMORY, id, BSC_IPC_REMOVE, 0, nullptr, 0);
    return status;
}

template <> struct Serve<roles::Slot::ipc_shared_memory_attach> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        uint64_t address = recorded_value(c, 1), size = recorded_value(c, 2);
        auto recorded = static_cast<int32_t>(a[0]);
        auto flags = static_cast<uint32_t>(a[3]);
        uint32_t prot = BSC_PROT_READ | (flags & BSC_ATTACH_READ_ONLY ? 0 : BSC_PROT_WRITE) |
                        (flags & BSC_ATTACH_EXEC ? BSC_PROT_EXEC : 0);
        uint64_t at = address;
        check_real(attach_standing_in(recorded, size, &at,
                                      (flags & (BSC_ATTACH_READ_ONLY | BSC_ATTACH_EXEC |
                                                BSC_ATTACH_REPLACE))),
                   c);
        // The content through a second attachment, which can be written (the first keeps
        // the segment while this one goes).
        uint64_t scratch = 0;
        check_real(attach_standing_in(recorded, size, &scratch, 0), c);
        std::vector<MemoryWrite> outputs;
        for (const auto &w : c.writes) {
            if (w.param != kAbsolute)
                outputs.push_back(w);
            else if (w.address >= address && w.address - address + w.bytes.size() <= size)
                copy_to_guest(reinterpret_cast<void *>(scratch + (w.address - address)),
                              w.bytes.data(), w.bytes.size());
        }
        below->vm_free(scratch, size);
        apply_writes(outputs, c.args, a);
        memory_changed(address, size, prot, true);
    }
};
template <> struct Serve<roles::Slot::stream_unmap> {
    static void call(const CallEvent &c, const CallArgs &a) {
        if (c.status != BSC_OK)
            return;
        check_real(below->vm_free(a[0], page_up(a[1])), c);
        memory_changed(a[0], page_up(a[1]), std::nullopt, false);
    }
};

// A thread: made for real, started by thread_start below when its turn comes. The guest
// sees the recorded handle (apply_writes).
template <> struct Serve<roles::Slot::thread_create> {
    static void call(const CallEvent &c, const CallArgs &a) {
        uint32_t number = ++state->threads; // numbered as the recording numbered them
        if (c.status != BSC_OK)
            return;
        bsc_thread_start start{};
        if (read_guest(reinterpret_cast<const bsc_thread_start *>(a[0]), start) != BSC_OK)
            diverge("the thread's start cannot be read", "");
        auto recorded = static_cast<bsc_handle>(recorded_value(c, 1));
        auto *created = new NewThread{start.argument, number, recorded};
        start.argument = reinterpret_cast<uint64_t>(created);
        bsc_handle real = 0;
        check_real(below->thread_create(&start, &real), c);
        add_thread(recorded, real);
        created->real.store(real);
    }
};

// The guest's output to the runtime's stdout and stderr is shown.
template <> struct Serve<roles::Slot::stream_write> {
    static void call(const CallEvent &c, const CallArgs &a) {
        Replay &r = *state;
        int fd = a[0] == r.stdio[1] ? 1 : a[0] == r.stdio[2] ? 2 : -1;
        // Its place among the events of all the processes (not its call number: those
        // follow the calls' starts), so that a forked process's output counts after its
        // parent's.
        uint64_t place = c.order + 1;
        if (fd < 0 || r.quiet || c.status != BSC_OK || place <= r.output_shown->load())
            return; // a replay gdb restarted showed it already
        note_output_shown(place);
        uint64_t done = recorded_value(c, 4);
        auto bytes = readable_prefix(a[2], std::min(done, a[3]));
        clear_progress();
        for (size_t at = 0; at < bytes.size();) {
            ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
            if (n <= 0)
                break;
            at += static_cast<size_t>(n);
        }
    }
};

// The calls of the runtime's own threads, which a capture makes to stop the guest and
// describe it (the checkpoint extension's, on the control thread): answered for the
// guest's objects as a host would (handle_model.h), and only while capturing.
template <roles::Slot Name> struct Outside {
    template <class... Args> static bsc_status call(Args...) { return BSC_E_NOT_SUPPORTED; }
};
template <> struct Outside<roles::Slot::thread_interrupt> {
    static bsc_status call(bsc_handle thread) {
        Replay &r = *state;
        std::lock_guard lock(r.threads_mutex);
        auto it = r.threads_by_recorded.find(thread);
        if (it == r.threads_by_recorded.end())
            return BSC_E_BAD_HANDLE;
        bsc_status status = below->thread_interrupt(it->second.real);
        it->second.interrupted = true;
        r.threads_changed.notify_all();
        return status;
    }
};
template <> struct Outside<roles::Slot::object_query> {
    static bsc_status call(bsc_handle handle, bsc_object_info *info, char *uri, uint64_t size) {
        bsc_status status = state->handles->object_query(handle, info, uri, size);
        if (status == BSC_E_NOT_SUPPORTED)
            fmt::print(stderr, "bascule-replay: handle {} is not a file, a directory at its "
                               "start, stdio or an event: an image of a replay cannot hold it\n",
                       handle);
        return status;
    }
};
template <> struct Outside<roles::Slot::stream_attributes_query_by_handle> {
    static bsc_status call(bsc_handle handle, bsc_stream_attributes *attributes) {
        return state->handles->attributes(handle, attributes);
    }
};
template <> struct Outside<roles::Slot::objects_wait_any> {
    static bsc_status call(bsc_wait_item *items, uint32_t count, int64_t timeout,
                           uint32_t *ready) {
        return state->handles->poll_event(items, count, timeout, ready);
    }
};
template <> struct Outside<roles::Slot::event_set> {
    static bsc_status call(bsc_handle event) { return state->handles->set_event(event); }
};
template <> struct Outside<roles::Slot::vm_protect> {
    static bsc_status call(uint64_t address, uint64_t size, uint32_t protection) {
        return below->vm_protect(address, size, protection);
    }
};

// A call of the runtime's own before the replay stopped for a capture: a capture asked
// for otherwise (bascule-snap capture of a replay) is told that it cannot stop the guest.
bsc_status not_capturing(roles::Slot slot) {
    if (slot == roles::Slot::thread_interrupt)
        fmt::print(stderr, "bascule-replay: a replay is captured only where --to N --capture "
                           "says\n");
    return BSC_E_NOT_SUPPORTED;
}

// A stream mapped shared is not in the image: the restore opens its stream and maps it
// again. The layer opens nothing (a stand-in handle) and makes the mapping as the replay of
// the recorded one did, from the trace.
constexpr bsc_handle kRestoreStandIn = 0x7ffffff0;

bsc_status restored_stream_open(const char *, uint32_t, uint32_t, uint32_t, uint32_t,
                                bsc_handle *handle) {
    *handle = kRestoreStandIn; // the extension's own variable
    return BSC_OK;
}

bsc_status restored_stream_map(bsc_handle, uint64_t *address, uint64_t offset, uint64_t size,
                               uint32_t protection, uint32_t flags) {
    Replay &r = *state;
    CallArgs live{kRestoreStandIn, arg_bits(address), offset, size, protection, flags};
    for (size_t i = 0; i < r.next; i++) {
        auto event = event_at(i);
        const auto *c = std::get_if<CallEvent>(event.get());
        if (c && c->slot == static_cast<uint16_t>(roles::Slot::stream_map) &&
            c->status == BSC_OK && recorded_value(*c, 1) == *address && c->args[3] == size &&
            c->args[2] == offset) {
            Serve<roles::Slot::stream_map>::call(*c, live);
            return BSC_OK;
        }
    }
    fmt::print(stderr, "bascule-replay: the trace has no mapping of {:#x}+{:#x} for the image\n",
               *address, size);
    return BSC_E_NOT_FOUND;
}

// The thread the checkpoint extension starts to resume the image's thread.
bsc_status restored_thread_create(const bsc_thread_start *start, bsc_handle *thread) {
    bsc_thread_start local = *start; // the extension's own, not guest memory
    auto *created = new NewThread{local.argument, state->restored_thread, 0};
    created->restored = true;
    local.argument = reinterpret_cast<uint64_t>(created);
    bsc_status status = below->thread_create(&local, thread);
    if (status != BSC_OK)
        delete created;
    else
        created->real.store(*thread);
    return status;
}

// The bytes a call that does not map kept out of line (trace_file.h: a stream's bytes in
// the content store), or none.
std::span<const std::byte> out_of_line_bytes(const CallEvent &call) {
    if (!call.content.length)
        return {};
    return from_trace([&] { return state->trace->content(call.content); });
}

// thread_context_restore, made for real; gdb's debugger may stop the thread first (a step
// ends there) or change what it resumes (the trap flag of the next step).
bsc_status resume_context(const bsc_cpu_context *context) {
    if (auto changed = debugger ? debugger->before_restore(context) : std::nullopt)
        return below->thread_context_restore(&*changed);
    return below->thread_context_restore(context);
}

// What the host wrote into guest memory during the call, written again; gdb's watched
// pages are writable meanwhile, and gdb hears of a watched value the call changed.
template <class... More> bool written_by_host(uint64_t call, More &&...arguments) {
    bool written = false;
    auto write = [&] { written = apply_writes(std::forward<More>(arguments)...); };
    if (debugger)
        debugger->host_writes(call, write);
    else
        write();
    return written;
}

// While the layer reads guest memory (a call's inputs), pages gdb watches for reads are
// readable (debugger.h, README.md "Read and access watchpoints").
struct HostReads {
    HostReads() {
        if (debugger)
            debugger->host_reads(true);
    }
    ~HostReads() {
        if (debugger)
            debugger->host_reads(false);
    }
    HostReads(const HostReads &) = delete;
    HostReads &operator=(const HostReads &) = delete;
};

template <auto Slot, roles::Slot Name, class Fn> struct Replayed;
template <auto Slot, roles::Slot Name, class... Args>
struct Replayed<Slot, Name, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        if (state->restoring) { // the checkpoint extension rebuilds the guest
            if constexpr (Name == roles::Slot::thread_create)
                return restored_thread_create(args...);
            else if constexpr (Name == roles::Slot::stream_open)
                return restored_stream_open(args...);
            else if constexpr (Name == roles::Slot::stream_map)
                return restored_stream_map(args...);
            else if constexpr (Name == roles::Slot::object_close)
                return std::get<0>(std::tie(args...)) == kRestoreStandIn ? BSC_OK
                                                                           : below->object_close(args...);
            else
                return (below->*Slot)(args...);
        }
        if (!me.guest)
            return state->capturing.load() ? Outside<Name>::call(args...) : not_capturing(Name);
        if (state->capturing.load())
            capture_failed(); // a guest thread runs again: the capture let it go
        CallArgs values{arg_bits(args)...};
        uint64_t read = [&] {
            HostReads reading;
            return input_hash(roles::of(Name), values);
        }();
        if constexpr (Name == roles::Slot::thread_exit) {
            state->exiting = me.real; // the next thread waits until it is gone
            if (debugger)
                debugger->thread_ended();
        }
        if constexpr (Name == roles::Slot::thread_exit || gives_up_turn(Name))
            give_turn();
        if constexpr (Name == roles::Slot::thread_context_restore)
            resume_context(args...); // it returned: it failed, as recorded
        else if constexpr (roles::of(Name).flags & BSC_CALL_NO_RETURN)
            (below->*Slot)(args...); // the same
        if constexpr (Name == roles::Slot::thread_exit || gives_up_turn(Name))
            if (!wait_turn())
                return BSC_E_INTERRUPTED; // by the capture: made again once restored
        std::optional<HostReads> reading(std::in_place);
        auto call = expect(Name, values, read);
        if constexpr (Name == roles::Slot::process_exec)
            if (std::string path; debugger && call->status == BSC_OK &&
                                  read_guest_string(std::get<0>(std::tie(args...)), path) == BSC_OK)
                debugger->program_loading(path);
        Serve<Name>::call(*call, values);
        if constexpr (!(roles::of(Name).flags & BSC_CALL_MAPS))
            if (!written_by_host(call->number, call->writes, call->args, values,
                                 out_of_line_bytes(*call)))
                diverge("the guest memory the call wrote is gone", "");
        if (state->handles)
            state->handles->note(Name, *call, values);
        reading.reset();
        after_call(call->number);
        return call->status;
    }
};

// The process ends where the recorded one ended.
bsc_status process_exit(int32_t status) {
    Replay &r = *state;
    if (!me.guest) { // the capture's end
        if (r.capturing.load() && status == 0)
            fmt::print(stderr, "bascule-replay: captured {}; `bascule-snap restore {}` goes on "
                               "from there\n", r.capture_image, r.capture_image);
        return below->process_exit(status);
    }
    CallArgs values{arg_bits(status)};
    expect(roles::Slot::process_exit, values,
           input_hash(roles::of(roles::Slot::process_exit), values));
    r.process_ending.store(true);
    if (r.next < r.trace->size() && std::holds_alternative<EndEvent>(*event_at(r.next)))
        take_event(); // the end names no thread
    std::fflush(stdout);
    clear_progress();
    give_turn(); // to the other processes
    if (r.checkpoints)
        r.checkpoints->ending(status);
    if (debugger)
        debugger->exited(status);
    if (!r.capture_image.empty()) {
        fmt::print(stderr, "bascule-replay: the process ended at call {}, before call {}: "
                           "nothing captured\n", r.last_call, r.stop_after);
        status = 1;
    }
    return below->process_exit(status);
}

// A fork is made for real: the child replays its own trace (TRACE.<its recorded id>),
// from the fork's return there, when its turn comes; the parent goes on with the turn.
void become_child(uint64_t recorded_id) {
    Replay &r = *state;
    r.path = child_trace_path(r.path, recorded_id).string();
    r.capture_image.clear(); // the capture is the first process's (--to stops the others)
    r.checkpoints.reset();   // so are the checkpoints, and the session's status
    r.children.clear();
    if (debugger) // so is gdb
        debugger.release()->forget(); // its server thread is not this process's to end
    for (auto [object, handle] : r.content_streams) // the parent's: this trace names its own
        below->object_close(handle);
    r.content_streams.clear();
    r.trace = from_trace([&] { return std::make_unique<TraceReader>(r.path); });
    r.next = 0;
    r.recent.clear();
    r.progress_step = 0;
}

bsc_status process_fork(bsc_handle *child, uint64_t *child_id) {
    CallArgs values{arg_bits(child), arg_bits(child_id)};
    uint64_t read = input_hash(roles::of(roles::Slot::process_fork), values);
    auto call = expect(roles::Slot::process_fork, values, read);
    if (call->status == BSC_OK) {
        bsc_handle real_child = 0;
        uint64_t real_id = 0;
        check_real(below->process_fork(&real_child, &real_id), *call);
        state->forked = true;
        if (real_child != BSC_NO_HANDLE)
            state->children.push_back(static_cast<pid_t>(real_id));
        if (real_child == BSC_NO_HANDLE) {
            become_child(recorded_value(*call, 1));
            wait_turn();
            call = expect(roles::Slot::process_fork, values, read);
        }
    }
    if (!written_by_host(call->number, call->writes, call->args, values))
        diverge("the guest memory the call wrote is gone", "");
    after_call(call->number);
    return call->status;
}

// The guest is told the handles the recorded host gave it (its calls on them are answered
// from the trace); the layer keeps the real thread handle to raise interrupts with.
void start(const bsc_downcalls *abi, const bsc_start_info *info) {
    Replay &r = *state;
    bsc_start_info copy{};
    if (read_guest(info, copy) == BSC_OK) {
        me.real = copy.thread;
        me.recorded = r.trace->header().thread;
        add_thread(me.recorded, me.real);
        if (r.handles)
            r.handles->set_stdio(r.trace->header().stdio, copy.stdio);
        std::copy(r.trace->header().stdio.begin(), r.trace->header().stdio.end(), copy.stdio);
        copy.thread = r.trace->header().thread;
        write_guest(const_cast<bsc_start_info *>(info), copy);
    }
    std::copy(r.trace->header().stdio.begin(), r.trace->header().stdio.end(), r.stdio);
    if (debugger_setup)
        start_debugger();
    if (debugger)
        debugger->thread_started(me.number);
    upcalls_above->start(abi, info);
}

// Interrupts reach the guest only where the recording had them; the replaying process's
// own signals (its children ending, the terminal) are not the guest's. At a switch point
// the thread lets the others run where the recorded one did.
void exception(bsc_exception *ex) {
    Replay &r = *state;
    bsc_exception copy{};
    if (me.capture_after && read_guest(ex, copy) == BSC_OK &&
        copy.kind == BSC_EXCEPTION_INTERRUPT)
        stop_for_capture(std::exchange(me.capture_after, 0));
    if (r.capturing.load() || read_guest(ex, copy) != BSC_OK) { // a capture's parks there
        upcalls_above->exception(ex);
        return;
    }
    // A breakpoint, step or watched write of gdb's: the guest never sees it.
    if (debugger && ((copy.kind == BSC_EXCEPTION_BREAKPOINT && debugger->breakpoint_trap(ex)) ||
                     (copy.kind == BSC_EXCEPTION_MEMORY && debugger->memory_fault(ex))))
        below->thread_context_restore(&ex->context);
    if (copy.kind == BSC_EXCEPTION_INTERRUPT && !me.interrupt_expected) {
        if (debugger)
            debugger->interrupt_arrived(ex);
        below->thread_context_restore(&ex->context);
    }
    if (debugger)
        debugger->exception_entered(ex);
    if (copy.kind == BSC_EXCEPTION_INTERRUPT) {
        me.interrupt_expected = false;
    } else if (is_switch_point(copy.kind)) {
        r.turn->note_switch_points(++me.switch_points);
        auto switched = next_of_mine<SwitchEvent>();
        if (switched && switched->exception == me.switch_points) {
            take_event();
            give_turn();
            wait_turn(); // stopped for a capture: it parks in the upcall, as it stands
        }
    }
    upcalls_above->exception(ex);
}

// A thread the guest created starts running its code when its turn comes.
void thread_start(uint64_t argument) {
    Replay &r = *state;
    auto *created = reinterpret_cast<NewThread *>(argument);
    me.guest = true;
    me.number = created->number;
    me.recorded = created->recorded;
    if (debugger)
        debugger->thread_started(me.number);
    bool restored = created->restored;
    if (restored) { // the guest is rebuilt: from now on every call is the trace's
        me.switch_points = r.restored_switch_points;
        r.restoring = false;
    }
    bool running = wait_turn(); // after its creator stored its handle
    while (restored && !created->real.load()) // its creator holds no turn: it may not have yet
        std::this_thread::yield();
    me.real = created->real.load();
    uint64_t guest_argument = created->argument;
    delete created;
    if (!running || restored) // it parks for a capture, or resumes where the image has it
        return upcalls_above->thread_start(guest_argument);
    if (r.next >= r.trace->size())
        trace_ends();
    if (auto next = event_at(r.next); !std::holds_alternative<ThreadStartEvent>(*next))
        diverge(not_a_call(*next), fmt::format("thread {} starts\n", me.number));
    take_event();
    upcalls_above->thread_start(guest_argument);
}

// The guest resumes after a capture only if the capture failed (one that succeeded ends
// the process): the replay ends there, its message printed by the runtime.
void on_event(void *, uint32_t event) {
    if (event == BSC_EVENT_RESUME && state->capturing.load())
        capture_failed();
}

// The arguments in `hex`: hex digits of NUL-separated strings.
std::vector<std::string> hex_arguments(const std::string &hex) {
    std::vector<std::string> arguments(1);
    for (uint8_t byte : gdb::from_hex(hex).value_or(std::vector<uint8_t>{})) {
        if (byte)
            arguments.back() += static_cast<char>(byte);
        else
            arguments.emplace_back();
    }
    return arguments;
}

// What the debugger is told of the replay: where it is, the calls before the next and the
// next (gdb's monitor commands), and how to start it again.
// gdb's interrupt reaches every guest thread: the one running stops where it is.
void interrupt_threads() {
    Replay &r = *state;
    std::lock_guard lock(r.threads_mutex);
    for (const auto &[recorded, thread] : r.threads_by_recorded)
        below->thread_interrupt(thread.real);
}

Debugger::Replay debugger_view(const std::string &restart, bool changes_allowed) {
    auto next_call = [] {
        Replay &r = *state;
        if (r.next < r.trace->size())
            if (const auto *call = std::get_if<CallEvent>(event_at(r.next).get()))
                return call->number;
        return r.last_call + 1;
    };
    auto recent_calls = [] {
        std::string text;
        for (const auto &call : state->recent)
            text += recorded_call_text(*call, trace::Format::text);
        return text;
    };
    auto next_call_text = [] {
        Replay &r = *state;
        return r.next < r.trace->size() ? event_text(*event_at(r.next)) : "the trace ends\n";
    };
    auto events_taken = [] { return uint64_t{state->next}; };
    auto output_shown = [] { return state->output_shown->load(); };
    Debugger::Replay view{next_call,    events_taken,           recent_calls,
                          next_call_text, output_shown, hex_arguments(restart),
                          changes_allowed, interrupt_threads};
    if (state->checkpoints) {
        // The processes this one forked replay a future the next one will make again.
        view.restore = [](const Plan &plan, const CheckpointNeeds &needs) {
            for (pid_t child : state->children)
                ::kill(child, SIGKILL);
            return state->checkpoints->restore(plan, needs);
        };
        view.checkpoints = [] { return state->checkpoints->describe(); };
    }
    return view;
}

void install(const bsc_extension_context *context) {
#define REPLAY_DOWNCALL(family, name, params)                                                \
    context->above->name = Replayed<&bsc_downcalls::name, roles::Slot::name,                 \
                                    decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(REPLAY_DOWNCALL)
#undef REPLAY_DOWNCALL
    context->above->process_exit = process_exit;
    context->above->process_fork = process_fork;
    context->upcalls_below->start = start;
    context->upcalls_below->thread_start = thread_start;
    context->upcalls_below->exception = exception;
}

bsc_status refuse(char *error, size_t size, const std::string &message) {
    fmt::format_to_n(error, size - 1, "{}{}", message, '\0');
    return BSC_E_INVALID;
}

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t size) {
    bsc::adopt_guest_copy(context); // before anything reads guest memory
    auto r = std::make_unique<Replay>();
    uint64_t from_order = 0;
    auto content = TraceReader::Checks::everything;
    std::string gdb_connection, gdb_restart;
    uint64_t stop_at = 0;
    int gdb_plan = -1;
    bool gdb_changes = false;
    uint64_t entry_stack = 0;
    uint64_t checkpoint_every = 0;
    for (size_t i = 0; i < context->option_count; i++) {
        std::string key = context->options[i].key, value = context->options[i].value;
        if (key == "trace")
            r->path = value;
        else if (key == "quiet")
            r->quiet = true;
        else if (key == "checked")
            content = TraceReader::Checks::all_but_content;
        else if (key == "to")
            r->stop_after = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "capture")
            r->capture_image = value;
        else if (key == "from")
            r->next = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "order")
            from_order = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "call")
            r->last_call = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "thread")
            r->restored_thread = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
        else if (key == "switch-points")
            r->restored_switch_points = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "gdb")
            gdb_connection = value;
        else if (key == "stop-at")
            stop_at = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "gdb-plan")
            gdb_plan = std::atoi(value.c_str());
        else if (key == "gdb-restart")
            gdb_restart = value;
        else if (key == "gdb-changes")
            gdb_changes = true;
        else if (key == "entry-stack")
            entry_stack = std::strtoull(value.c_str(), nullptr, 10);
        else if (key == "checkpoint-every")
            checkpoint_every = std::strtoull(value.c_str(), nullptr, 10);
    }
    r->restoring = r->next != 0;
    if (r->path.empty())
        return refuse(error, size, "needs trace=FILE");
    if (!r->capture_image.empty() && !r->stop_after)
        return refuse(error, size, "capture= needs to=N");
    if (!r->capture_image.empty()) {
        r->handles = std::make_unique<HandleModel>(*context->below);
        if (context->size > offsetof(bsc_extension_context, request_control))
            r->request_control = context->request_control;
    }
    try { // a bad trace is refused before the guest starts
        r->trace = std::make_unique<TraceReader>(r->path, content);
    } catch (const TraceError &e) {
        return refuse(error, size, e.what());
    }
    if (::isatty(STDERR_FILENO) && r->trace->size() >= 100) {
        r->progress_step = r->trace->size() / 100;
        r->progress_at = r->progress_step;
    }
    if (r->next > r->trace->size())
        return refuse(error, size, fmt::format("from={}: the trace has {} events", r->next,
                                               r->trace->size()));
    try {
        r->turn = std::make_unique<SharedTurn>();
        r->output_shown = new (map_shared_page(sizeof(std::atomic<uint64_t>), "the output shown"))
            std::atomic<uint64_t>(0);
    } catch (const std::runtime_error &e) {
        return refuse(error, size, e.what());
    }
    if (r->restoring) { // no start upcall comes: the guest is restored
        r->turn->start_at(from_order);
        std::copy(r->trace->header().stdio.begin(), r->trace->header().stdio.end(), r->stdio);
    }
    me.guest = !r->restoring; // the chain is built on the thread the guest starts on, if it
                              // starts; a restored guest's threads are made by the restore
    state = std::move(r);
    if (!gdb_connection.empty()) {
        int in = -1, out = -1;
        if (std::sscanf(gdb_connection.c_str(), "%d:%d", &in, &out) < 1 || in < 0)
            return refuse(error, size, "gdb=IN[:OUT]: the connection's file descriptors");
        std::optional<Plan> plan;
        if (gdb_plan >= 0 && !(plan = read_plan_file(gdb_plan)))
            return refuse(error, size, "gdb-plan: the plan of a restarted replay is damaged");
        // From an image, no checkpoints: its start is not the guest's (going back starts
        // the replay again from the image).
        if (checkpoint_every && !state->restoring)
            state->checkpoints = std::make_unique<ReplayCheckpoints>(context->below,
                                                                     checkpoint_every);
        auto view = debugger_view(gdb_restart, gdb_changes);
        view.from_image = state->restoring;
        view.entry_stack = entry_stack;
        DebuggerSetup setup{in, out < 0 ? in : out, stop_at, std::move(plan), std::move(view)};
        if (state->checkpoints) {
            debugger_setup = std::move(setup);
        } else {
            debugger = std::make_unique<Debugger>(setup.in, setup.out, setup.stop_at,
                                                  std::move(setup.plan), std::move(setup.view));
            note_output_shown(debugger->output_shown_before());
        }
    }
    below = context->below;
    upcalls_above = context->upcalls_above;
    install(context);
    return BSC_OK;
}

const char *const below_every_other[] = {"*", nullptr};
const char *const no_names[] = {nullptr};
const bsc_option_spec options[] = {
    {"trace", "the trace to replay"},
    {"quiet", "do not show what the guest writes to stdout and stderr"},
    {"checked", "bascule-replay checked the content's checksums already"},
    {"to", "stop after call N"},
    {"capture", "with to: capture a checkpoint image there (the checkpoint extension above)"},
    {"from", "start at this event, where the image being restored was captured"},
    {"order", "with from: that event's order among the events of all the processes"},
    {"call", "with from: the number of the call before it"},
    {"thread", "with from: the number of the image's thread"},
    {"switch-points", "with from: the switch points that thread had passed"},
    {"gdb", "IN[:OUT]: serve gdb's remote protocol on these file descriptors"},
    {"stop-at", "with gdb: the first stop is before call N (else at the program's start)"},
    {"gdb-plan", "with gdb: FD holds the plan of a restarted replay (going backwards)"},
    {"gdb-restart", "with gdb: the command that restarts this replay, hex, NUL-separated"},
    {"gdb-changes", "with gdb: gdb may change memory and registers (the replay diverges)"},
    {"entry-stack", "with from and gdb: the stack the program entered with (its auxv)"},
    {"checkpoint-every", "with gdb: events between checkpoints for going back (0: none)"},
    {nullptr, nullptr},
};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "replay",
        .version = "1.0",
        .summary = "stands for the host during bascule-replay: answers every call from a trace",
        .must_be_below = below_every_other,
        .must_be_above = no_names,
        .options = options,
        .init = init,
        .on_event = on_event,
        .fini = nullptr,
        .control = nullptr,
};
