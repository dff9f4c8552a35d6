// SPDX-License-Identifier: MIT
// The record extension: just above the host, it writes every downcall's results and the
// guest memory each wrote, every interrupt's position and the order in which the guest's
// threads ran, to a trace (replay/README.md). Interrupts reach the guest only as a call
// returns, and threads run one at a time, taking turns only where a replay can find the
// same place again (replay/thread_order.h): so a replay needs no instruction counts.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "bascule_extension.h"
#include "call_roles.h"
#include "guest_memory.h"
#include "recorder.h"
#include "thread_order.h"

namespace {

using namespace bsc;
using namespace bsc::record;
using replay::arg_bits;

// How many switch points a thread passes before it lets a waiting thread run.
constexpr uint32_t kTurnLength = 16;

// Per instance: the chain loads a private copy of this object for every further one.
const bsc_downcalls *below;
const bsc_upcalls *upcalls_above;
std::unique_ptr<Recorder> recorder;
// The guest threads of this process, from their creation (one not started yet waits for
// its turn here) to their exit.
std::atomic<uint32_t> live_threads{1};
// The thread that has the turn, if one has (for an image's place in the trace).
std::atomic<const ThreadState *> turn_holder{nullptr};
// The guest's process_exit wrote the end of this process's trace: no other thread of the
// process records after it (one that did left the trace without its end, read as cut).
std::atomic<bool> process_ending{false};

// Waits for the calling thread's turn to run. Extensions run on the host's side of the
// gate: an interrupt that arrives meanwhile waits for the guest's call to return.
void take_turn() {
    ThreadState &t = this_thread();
    if (t.has_turn)
        return;
    recorder->baton().take();
    if (process_ending.load()) {
        // The turn goes on to the other processes; this thread waits for the exit that
        // is ending its own, as it would have had it not come for the turn.
        recorder->baton().give();
        for (;;)
            std::this_thread::sleep_for(std::chrono::hours(1));
    }
    turn_holder = &t;
    t.has_turn = true;
    t.since_turn = 0;
    t.events_in_turn = 0;
}

// Every turn leaves an event of its thread, so that a replay finds who ran.
void give_turn() {
    ThreadState &t = this_thread();
    if (!t.has_turn)
        return;
    if (!t.events_in_turn)
        recorder->turn_ends();
    t.has_turn = false;
    turn_holder = nullptr;
    recorder->baton().give();
}

// An interrupt taken in guest code is raised again at the thread's next call, which
// then returns into it: the guest sees it at an ABI boundary, a position replay can find.
void raise_deferred_interrupt() {
    ThreadState &t = this_thread();
    if (!t.deferred_interrupt || !t.handle)
        return;
    t.deferred_interrupt = false;
    below->thread_interrupt(t.handle);
}

// Calls that change no file's content: across them, pages mapped again from the same
// handle and offset hold what they held (Recorder::files_may_change).
constexpr bool leaves_files_alone(roles::Slot slot) {
    using enum roles::Slot;
    switch (slot) {
    case stream_map: case vm_alloc: case vm_protect: case vm_free: case stream_read:
    case stream_attributes_query: case stream_attributes_query_by_handle:
    case stream_details_query: case stream_details_query_by_handle:
    case stream_file_handle_query:
    case stream_read_link: case object_query: case system_info_query:
        return true;
    default:
        return false;
    }
}

replay::CallEvent begin(roles::Slot slot, const replay::CallArgs &args) {
    take_turn(); // the initial thread's first call
    raise_deferred_interrupt();
    if (!leaves_files_alone(slot))
        recorder->files_may_change();
    replay::CallEvent event;
    event.number = recorder->begin_call();
    event.thread = this_thread().number;
    event.slot = static_cast<uint16_t>(slot);
    event.args = args;
    event.input_hash = replay::input_hash(roles::of(slot), args);
    event.reads = replay::shown_inputs(roles::of(slot), args);
    this_thread().last_call = event.number;
    return event;
}

// An attached shared memory segment shows what the processes that share it wrote, which
// no stream keeps: its pages as it was attached are kept in the call. (What another
// process writes into it later is outside what record can see, as for MAP_SHARED.)
void note_attached_content(replay::CallEvent &event) {
    uint64_t address = 0, size = 0;
    if (read_guest(reinterpret_cast<const uint64_t *>(event.args[1]), address) != BSC_OK ||
        read_guest(reinterpret_cast<const uint64_t *>(event.args[2]), size) != BSC_OK)
        return;
    if (auto content = replay::readable_prefix(address, size); !content.empty())
        event.writes.push_back({address, std::move(content)});
}

void finish(replay::CallEvent &event, bsc_status status) {
    const bsc_call_roles &roles = roles::of(static_cast<roles::Slot>(event.slot));
    event.status = status;
    event.writes = replay::output_writes(roles, event.args);
    if (event.slot == static_cast<uint16_t>(roles::Slot::ipc_shared_memory_attach)) {
        if (status == BSC_OK)
            note_attached_content(event);
    } else if ((roles.flags & BSC_CALL_MAPS) && status == BSC_OK) {
        uint64_t address = 0, size = replay::page_up(event.args[3]);
        if (read_guest(reinterpret_cast<const uint64_t *>(event.args[1]), address) == BSC_OK) {
            MapSource source{static_cast<bsc_handle>(event.args[0]), event.args[2],
                             static_cast<uint32_t>(event.args[4]),
                             static_cast<uint32_t>(event.args[5])};
            event.content = recorder->add_content(address, size, source);
            if (!event.content.length) // none, or before the trace's header
                if (auto content = replay::readable_prefix(address, size); !content.empty())
                    event.writes.push_back({address, std::move(content)});
        }
    }
    recorder->end_call(std::move(event));
}

// Makes the call, letting the other threads run meanwhile if it may wait.
template <class Call> bsc_status make(roles::Slot slot, Call &&call) {
    if (!replay::gives_up_turn(slot))
        return call();
    give_turn();
    bsc_status status = call();
    take_turn();
    return status;
}

// A call of the runtime's own threads passes untouched, but for a capture's interrupts while
// the guest has several threads: those waiting for their turn here could not park, so the
// capture would wait for them in vain (a capture while recording holds one thread).
template <roles::Slot Name, class Call> bsc_status outside_call(Call &&call) {
    if constexpr (Name == roles::Slot::thread_interrupt) {
        if (uint32_t threads = live_threads.load(); threads > 1) {
            fmt::print(stderr, "bascule: record: the guest has {} threads; a capture while "
                               "recording holds one\n", threads);
            return BSC_E_NOT_SUPPORTED;
        }
    }
    return call();
}

// The stack the program entered with (argc, argv, its environment and auxiliary vector):
// after a process_exec, the next return to the program enters it. A capture's image keeps
// it, so that gdb on a replay from there finds where the program is (replay/debugger.h).
std::atomic<bool> exec_pending{false};
std::atomic<uint64_t> entry_stack{0};

void note_return_to_program(const bsc_cpu_context *context) {
    bsc_cpu_context entered{};
    if (exec_pending.exchange(false) && read_guest(context, entered) == BSC_OK)
        entry_stack = entered.rsp;
}

// A fanotify: stream cannot be replayed: its reads bring handles of files the host's kernel
// opened, which no call of the trace makes; nor can a userfaultfd (below). Each is refused
// when opened, with a message.
template <roles::Slot Name, class... Args> bool refused(Args... args) {
    if constexpr (Name == roles::Slot::stream_open) {
        const char *uri = std::get<0>(std::forward_as_tuple(args...));
        std::string text;
        if (read_guest_string(uri, text) == BSC_OK && text.starts_with("fanotify:")) {
            fmt::print(stderr, "bascule: record: the guest opens a fanotify group ({}): its "
                               "events bring files the host opened, which a replay cannot "
                               "make; refused (EOPNOTSUPP)\n", text);
            return true;
        }
    }
    if constexpr (Name == roles::Slot::userfault_open) {
        // Its faults stop a thread in the program's own code, not at a call, while the
        // recording runs one thread at a time (the handler would never get its turn), and
        // its requests write pages no call's outputs name: nothing a replay could serve.
        fmt::print(stderr, "bascule: record: the guest opens a userfaultfd: its faults stop "
                           "threads outside any call and its requests fill memory a trace "
                           "cannot carry; refused (EOPNOTSUPP)\n");
        return true;
    }
    return false;
}

// One recording wrapper per downcall, generated from its slot's type and roles.
template <auto Slot, roles::Slot Name, class Fn> struct Recorded;
template <auto Slot, roles::Slot Name, class... Args>
struct Recorded<Slot, Name, bsc_status (*)(Args...)> {
    static bsc_status call(Args... args) {
        if (!this_thread().guest) // the runtime's own, such as a capture's: not the guest's
            return outside_call<Name>([&] { return (below->*Slot)(args...); });
        replay::CallArgs values{arg_bits(args)...};
        if (refused<Name>(args...)) { // recorded as refused, so that a replay answers so too
            replay::CallEvent event = begin(Name, values);
            finish(event, BSC_E_NOT_SUPPORTED);
            return BSC_E_NOT_SUPPORTED;
        }
        if constexpr (roles::of(Name).flags & BSC_CALL_NO_RETURN) {
            // Replay makes it for real: only a failure, which returns, is recorded.
            if constexpr (Name == roles::Slot::thread_exit) {
                live_threads--;
                give_turn();
            }
            if constexpr (Name == roles::Slot::thread_context_restore)
                note_return_to_program(args...);
            bsc_status status = (below->*Slot)(args...);
            replay::CallEvent event = begin(Name, values);
            finish(event, status);
            return status;
        } else {
            replay::CallEvent event = begin(Name, values);
            bsc_status status = make(Name, [&] { return (below->*Slot)(args...); });
            if constexpr (Name == roles::Slot::process_exec)
                exec_pending = status == BSC_OK;
            finish(event, status);
            return status;
        }
    }
};

// The wrapper of process_fork: the child gets a trace of its own.
bsc_status process_fork(bsc_handle *child, uint64_t *child_id) {
    if (!this_thread().guest)
        return below->process_fork(child, child_id);
    replay::CallArgs values{arg_bits(child), arg_bits(child_id)};
    replay::CallEvent event = begin(roles::Slot::process_fork, values);
    uint64_t parent = 0;
    below->process_id_query(&parent);
    bsc_status status;
    {
        auto hold = recorder->hold();
        status = below->process_fork(child, child_id);
    }
    bsc_handle made = 0;
    if (status == BSC_OK && read_guest(child, made) == BSC_OK && made == BSC_NO_HANDLE) {
        uint64_t own = 0;
        below->process_id_query(&own);
        recorder->become_child(parent, own, event.number);
        live_threads = 1;
        event.number = recorder->begin_call();
        this_thread().last_call = event.number;
        this_thread().has_turn = false; // the parent's: the child waits for one of its own
        take_turn();
    }
    finish(event, status);
    return status;
}

bsc_status process_exit(int32_t status) {
    if (!this_thread().guest) { // a capture ends the process: the trace stops there, cut
        recorder->flush();
        return below->process_exit(status);
    }
    replay::CallArgs values{arg_bits(status)};
    replay::CallEvent event = begin(roles::Slot::process_exit, values);
    event.returned = false; // replay ends the process where this one ends
    recorder->end_call(std::move(event));
    recorder->end(status);
    process_ending.store(true);
    give_turn();
    return below->process_exit(status);
}

// A thread the guest creates starts through here, to learn its number and handle.
struct NewThread {
    uint64_t argument;
    uint32_t number;
    std::atomic<bsc_handle> handle{0};
};

bsc_status thread_create(const bsc_thread_start *start, bsc_handle *thread) {
    if (!this_thread().guest)
        return below->thread_create(start, thread);
    replay::CallArgs values{arg_bits(start), arg_bits(thread)};
    replay::CallEvent event = begin(roles::Slot::thread_create, values);
    bsc_thread_start local{};
    bsc_status status = read_guest(start, local);
    auto *created = new NewThread{local.argument, recorder->next_thread()};
    local.argument = reinterpret_cast<uint64_t>(created);
    if (status == BSC_OK)
        status = below->thread_create(&local, thread);
    bsc_handle handle = 0;
    if (status == BSC_OK && read_guest(thread, handle) == BSC_OK) {
        live_threads++;
        created->handle.store(handle);
    }
    else
        delete created;
    finish(event, status);
    return status;
}

void thread_start(uint64_t argument) {
    auto *created = reinterpret_cast<NewThread *>(argument);
    ThreadState &t = this_thread();
    t.guest = true;
    t.number = created->number;
    take_turn(); // its creator stored its handle before it gave up the turn
    t.handle = created->handle.load();
    uint64_t guest_argument = created->argument;
    delete created;
    recorder->thread_started();
    upcalls_above->thread_start(guest_argument);
}

void start(const bsc_downcalls *abi, const bsc_start_info *info) {
    bsc_start_info copy{};
    if (read_guest(info, copy) == BSC_OK) {
        this_thread().handle = copy.thread;
        recorder->start(copy);
    }
    upcalls_above->start(abi, info);
}

// Interrupts: one taken in guest code waits for the thread's next call
// (raise_deferred_interrupt); one at the exit of a call is recorded there (the thread has
// its turn: the call took it back before it returned). Switch points: a thread that ran a
// while lets a waiting one run.
void exception(bsc_exception *ex) {
    bsc_exception copy{};
    ThreadState &t = this_thread();
    if (read_guest(ex, copy) == BSC_OK && copy.kind == BSC_EXCEPTION_INTERRUPT) {
        if (copy.code == BSC_INTERRUPT_IN_GUEST && t.handle) {
            t.deferred_interrupt = true;
            below->thread_context_restore(&ex->context);
        }
        recorder->interrupt();
    } else if (replay::is_switch_point(copy.kind)) {
        t.switch_points++;
        if (++t.since_turn >= kTurnLength && recorder->baton().others_waiting()) {
            recorder->switched(t.switch_points);
            give_turn();
            take_turn();
        }
    }
    upcalls_above->exception(ex);
}

void install(const bsc_extension_context *context) {
#define RECORD_DOWNCALL(family, name, params)                                                \
    context->above->name = Recorded<&bsc_downcalls::name, roles::Slot::name,                 \
                                    decltype(bsc_downcalls::name)>::call;
    BSC_DOWNCALLS(RECORD_DOWNCALL)
#undef RECORD_DOWNCALL
    context->above->process_fork = process_fork;
    context->above->process_exit = process_exit;
    context->above->thread_create = thread_create;
    context->upcalls_below->start = start;
    context->upcalls_below->thread_start = thread_start;
    context->upcalls_below->exception = exception;
}

// The stack above, as `bascule-replay record` passes it: hex of the specs, one a line.
bool decode_stack(const char *hex, std::vector<std::string> &stack) {
    std::string text;
    for (size_t i = 0; hex[i]; i += 2) {
        if (!hex[i + 1])
            return false;
        char pair[3] = {hex[i], hex[i + 1], 0};
        char *end = nullptr;
        long byte = std::strtol(pair, &end, 16);
        if (*end)
            return false;
        text.push_back(static_cast<char>(byte));
    }
    for (size_t at = 0; at < text.size();) {
        size_t end = text.find('\n', at);
        stack.push_back(text.substr(at, end - at));
        at = end == std::string::npos ? text.size() : end + 1;
    }
    return true;
}

bsc_status init(const bsc_extension_context *context, void **, char *error, size_t size) {
    bsc::adopt_guest_copy(context); // before anything reads guest memory
    const char *trace = nullptr;
    std::filesystem::path store;
    std::vector<std::string> stack;
    for (size_t i = 0; i < context->option_count; i++) {
        const bsc_option &option = context->options[i];
        if (std::strcmp(option.key, "trace") == 0) {
            trace = option.value;
        } else if (std::strcmp(option.key, "store") == 0) {
            store = option.value;
            std::error_code ignored;
            if (!std::filesystem::is_directory(store, ignored)) {
                fmt::format_to_n(error, size - 1, "store={}: not a directory{}", option.value,
                                 '\0');
                return BSC_E_INVALID;
            }
        } else if (std::strcmp(option.key, "stack") == 0 && !decode_stack(option.value, stack)) {
            fmt::format_to_n(error, size - 1, "stack={}: not the hex that bascule-replay passes{}",
                             option.value, '\0');
            return BSC_E_INVALID;
        }
    }
    if (!trace || !*trace) {
        fmt::format_to_n(error, size - 1, "needs trace=FILE{}", '\0');
        return BSC_E_INVALID;
    }
    try {
        recorder = std::make_unique<Recorder>(trace, std::move(stack), std::move(store));
    } catch (const std::exception &e) {
        fmt::format_to_n(error, size - 1, "{}{}", e.what(), '\0');
        return BSC_E_INVALID;
    }
    below = context->below;
    upcalls_above = context->upcalls_above;
    this_thread().guest = true; // the chain is built on the thread the guest starts on
    install(context);
    return BSC_OK;
}

// A capture's image-state request: where the recording is, and the thread with the turn
// (parked, its switch points counted: a capture while recording holds one thread), which
// the image keeps for a replay to start there.
bsc_status control(void *, const bsc_control_request *request) {
    if (std::strcmp(request->command, "image-state") != 0 || !recorder)
        return BSC_E_NOT_SUPPORTED;
    std::string place = recorder->place();
    if (const ThreadState *t = turn_holder.load())
        place += fmt::format(",thread={},switch-points={}", t->number, t->switch_points);
    if (uint64_t stack = entry_stack.load())
        place += fmt::format(",entry-stack={}", stack);
    fmt::format_to_n(request->reply, request->reply_size - 1, "{}{}", place, '\0');
    return BSC_OK;
}

void on_event(void *, uint32_t event) {
    if (event == BSC_EVENT_EXIT && recorder)
        recorder->flush();
}

const char *const below_every_other[] = {"*", nullptr};
const char *const no_names[] = {nullptr};
const bsc_option_spec options[] = {
    {"trace", "write the trace to this file, which must not exist"},
    {"store", "keep mapped content in this content store directory (default: in the trace)"},
    {"stack", "the extensions above, as bascule-replay passes them (hex)"},
    {nullptr, nullptr},
};

} // namespace

extern "C" __attribute__((visibility("default"))) const bsc_extension_descriptor
    bascule_extension = {
        .size = sizeof(bsc_extension_descriptor),
        .abi_version = BSC_ABI_VERSION,
        .name = "record",
        .version = "1.0",
        .summary = "records every nondeterministic input at the ABI into a trace for replay",
        .must_be_below = below_every_other,
        .must_be_above = no_names,
        .options = options,
        .init = init,
        .on_event = on_event,
        .fini = nullptr,
        .control = control,
};
