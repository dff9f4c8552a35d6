// SPDX-License-Identifier: MIT
#include "debugger.h"

#include <asm/prctl.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <latch>
#include <utility>

#include <fmt/format.h>

#include "amd64_registers.h"
#include "guest_memory.h"

namespace bsc::replay {
namespace {

constexpr uint64_t kTrapFlag = 0x100;
constexpr int kSigint = 2, kSigtrap = 5;
constexpr size_t kMaxAuxv = 64 * 16;
constexpr uint64_t kPage = 4096;

uint64_t own_gs_base() {
    uint64_t base = 0;
    ::syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
    return base;
}

// The record's context, in guest memory.
bsc_cpu_context *context_of(uint64_t record) {
    return &reinterpret_cast<bsc_exception *>(record)->context;
}

bool covers(const Watch &watch, uint64_t page) {
    return watch.address < page + kPage && watch.address + watch.length > page;
}

bool covers(const std::vector<Watch> &watches, uint64_t page) {
    return std::ranges::any_of(watches, [&](const Watch &watch) { return covers(watch, page); });
}

// The kind of the first watch that covers `address`.
gdb::WatchKind kind_at(const std::vector<Watch> &watches, uint64_t address) {
    for (const Watch &watch : watches)
        if (address >= watch.address && address < watch.address + watch.length)
            return watch.kind;
    return gdb::WatchKind::write;
}

// What a watch stops at after an access to watched pages, given two readings of
// MemoryMarks::bytes() around it: the first watched byte that changed (a watch on writes
// or on any access), else the accessed address (`accessed`: the fault's; 0 for the host's
// writes) if a watch on reads or on any access covers it. gdb tells a read from a write
// by the value, as it does with x86's debug registers, which cannot watch reads alone.
std::optional<Watched> hit(const std::vector<Watch> &watches, const std::vector<uint8_t> &before,
                           const std::vector<uint8_t> &after, uint64_t accessed) {
    size_t at = 0;
    for (const Watch &watch : watches)
        for (uint64_t i = 0; i < watch.length; i++, at++)
            if (watch.kind != gdb::WatchKind::read && at < before.size() && at < after.size() &&
                before[at] != after[at])
                return Watched{watch.address + i, watch.kind};
    for (const Watch &watch : watches)
        if (watch.kind != gdb::WatchKind::write && accessed >= watch.address &&
            accessed < watch.address + watch.length)
            return Watched{accessed, watch.kind};
    return std::nullopt;
}

int host_protection(uint32_t protection) {
    return (protection & BSC_PROT_READ ? PROT_READ : 0) |
           (protection & BSC_PROT_WRITE ? PROT_WRITE : 0) |
           (protection & BSC_PROT_EXEC ? PROT_EXEC : 0);
}

gdb::StopReply trap(bool breakpoint = false, std::optional<Watched> watched = std::nullopt) {
    gdb::StopReply reply{gdb::StopReply::Kind::signal, kSigtrap, 0, breakpoint};
    if (watched) {
        reply.watched = watched->address;
        reply.watch_kind = watched->kind;
    }
    return reply;
}

} // namespace

thread_local Debugger::Thread *Debugger::current_thread = nullptr;

Debugger::Debugger(int in, int out, uint64_t stop_at, std::optional<Plan> plan, Replay replay)
    : in_(in), out_(out), replay_(std::move(replay)), session_(*this), stop_at_(stop_at),
      plan_(std::move(plan)) {
    if (stop_at)
        base_ = {Mark::Kind::call, 0, 0, stop_at, {}}; // where gdb starts
    if (plan_) {
        if (!plan_->acknowledging)
            session_.skip_acknowledgements();
        if (plan_->base.kind == Mark::Kind::call)
            stop_at_ = plan_->base.count;
        // What the plan counts is in place from the start (place_pending).
        if (plan_->search) {
            observed_.insert(plan_->breakpoints.begin(), plan_->breakpoints.end());
            observed_watches_ = plan_->watches;
        }
        if (plan_->base.kind == Mark::Kind::arrival)
            observed_.insert(plan_->base.address);
        if (plan_->base.kind == Mark::Kind::change)
            base_watches_ = plan_->base.watches;
        if (plan_->base.kind == Mark::Kind::step)
            traced_ = plan_->base.event;
        if (plan_->step_back)
            traced_ = plan_->traced;
        unplaced_ = observed_;
    }
    // The guest goes on once the thread runs: a checkpoint forked while it still started
    // (allocating, under ASan, whose allocator a fork copies locked) would hang.
    std::latch running(1);
    server_ = std::thread([this, &running] {
        running.count_down();
        serve();
    });
    running.wait();
}

// The guest as the checkpoint's process saw it; from here on the plan is followed.
Debugger::Debugger(Carried carried, Plan plan)
    : Debugger(carried.in, carried.out, 0, std::move(plan), std::move(carried.replay)) {
    std::lock_guard lock(mutex_);
    threads_ = std::move(carried.threads);
    program_ = std::move(carried.program);
    auxv_ = std::move(carried.auxv);
    interval_ = carried.interval;
    place_pending(); // the guest's memory is mapped already
}

Debugger::~Debugger() {
    if (server_.joinable())
        server_.detach(); // the process ends with it
}

// In a forked child, whose copy of memory has the parent's breakpoints (taken out here, or
// it would trap on them) and whose mutex the parent's server thread may have held: nothing
// here waits for it.
void Debugger::forget() {
    attached_ = false;
    ::close(in_);
    if (out_ != in_)
        ::close(out_);
    marks_.reopen();
    marks_.clear();
}

// In a checkpoint's process (checkpoints.h): its memory without the debugger's marks, and
// what a debugger started there later needs to know of the guest. This object is not that
// process's to use any more (its server thread is not there).
Debugger::Carried Debugger::leave_guest() {
    marks_.reopen();
    marks_.clear();
    return {in_, out_, std::move(replay_), std::move(threads_), std::move(program_),
            std::move(auxv_), interval_};
}

bool Debugger::may_checkpoint() {
    if (!calling_thread() || diverged_.load() || interrupt_.load())
        return false;
    std::lock_guard lock(mutex_);
    return !tracing_ && std::ranges::none_of(threads_, [](const auto &entry) {
        const Thread &thread = *entry.second;
        return thread.stepping || thread.reinsert || thread.unprotected;
    });
}

Debugger::Thread *Debugger::calling_thread() { return attached_ ? current_thread : nullptr; }

void Debugger::thread_started(uint32_t number) {
    auto *thread = new Thread;
    thread->id = uint64_t{number} + 1;
    thread->gs_base = own_gs_base();
    current_thread = thread;
    std::lock_guard lock(mutex_);
    // From an image, the first stop is where its thread resumes the program.
    thread->entering_program = replay_.from_image && threads_.empty() && !stops_;
    threads_[thread->id] = thread;
}

void Debugger::thread_ended() {
    Thread *thread = std::exchange(current_thread, nullptr);
    if (!thread)
        return;
    std::lock_guard lock(mutex_);
    threads_.erase(thread->id);
    delete thread;
}

void Debugger::exception_entered(bsc_exception *record) {
    Thread *thread = calling_thread();
    if (!thread)
        return;
    if (thread->records.empty()) { // it leaves the program
        thread->left_program = interval_;
        if (tracing_ && plan_ && plan_->traced_to_exit)
            steps_to_exit_ = trace_steps_;
    }
    thread->records.push_back(reinterpret_cast<uint64_t>(record));
}

// ---- Stopping guest threads -------------------------------------------------------------

// Stops the calling thread until it is resumed; `where` is its context meanwhile.
Debugger::Resume Debugger::stop(gdb::StopReply reply, bsc_cpu_context *where, uint64_t call) {
    Thread &thread = *current_thread;
    std::unique_lock lock(mutex_);
    thread.stopped_at = where;
    reply.thread = thread.id;
    stopped_ = reply;
    stop_call_ = call;
    stops_++;
    changed_.notify_all();
    uint64_t resumes = resumes_;
    changed_.wait(lock, [&] { return resumes_ != resumes || !attached_; });
    thread.stopped_at = nullptr;
    return attached_ ? resume_ : Resume{};
}

// Resumes `context` as asked: one instruction with the trap flag for a step, and a thread
// at a breakpoint first steps over it with the breakpoint taken out.
void Debugger::step_or_continue(Thread &thread, bsc_cpu_context &context, const Resume &resume) {
    thread.stop_after_step = resume.step_thread == thread.id;
    bool over_breakpoint = false;
    {
        std::lock_guard lock(mutex_);
        if (marks_.inserted(context.rip)) {
            marks_.take_out(context.rip);
            thread.reinsert = context.rip;
            over_breakpoint = true;
        }
    }
    thread.stepping = thread.stop_after_step || over_breakpoint || tracing_;
    if (thread.stepping)
        context.rflags |= kTrapFlag;
    else
        context.rflags &= ~kTrapFlag;
}

// Whether a plan's base is here: its kind, in its interval, at its count.
bool Debugger::at_base(Mark::Kind kind, uint64_t address, uint64_t count) const {
    if (!plan_ || base_reached_)
        return false;
    const Mark &base = plan_->base;
    return base.kind == kind && base.event == interval_ && base.count == count &&
           (kind != Mark::Kind::arrival || base.address == address);
}

// Searching backwards: a place where gdb's breakpoints or watchpoints would have stopped
// the replay.
void Debugger::note_candidate(Mark mark, gdb::StopReply reply, bool stopping) {
    if (!plan_ || !plan_->search)
        return;
    std::lock_guard lock(mutex_);
    earlier_candidate_ = std::exchange(candidate_, Candidate{mark, reply, stops_, stopping});
}

bool Debugger::breakpoint_trap(bsc_exception *record) {
    Thread *thread = current_thread;
    if (!thread)
        return false;
    bsc_cpu_context &context = record->context;
    if (!attached_) { // gdb has gone: a step it asked for ends, unseen
        bool ours = std::exchange(thread->stepping, false) && record->code == BSC_BREAKPOINT_STEP;
        context.rflags &= ours ? ~kTrapFlag : ~uint64_t{0};
        return ours;
    }
    uint64_t address = context.rip - 1;
    bool ours = false, landed = false;
    {
        std::lock_guard lock(mutex_);
        ours = marks_.inserted(address) && address != thread->reinsert;
        landed = marks_.inserted(context.rip);
    }
    // The host says which trap it is (ABI 1.12); an older one leaves it to the thread's
    // state: a thread stepping lands on a breakpoint before it could execute it.
    bool step_trap = record->code ? record->code == BSC_BREAKPOINT_STEP : thread->stepping && !ours;
    bool stops = false;
    gdb::StopReply why = trap(true);
    if (step_trap) {
        if (!thread->stepping)
            return false; // the program's own trap flag: its SIGTRAP
        context.rflags &= ~kTrapFlag;
        auto watched = finish_step(*thread);
        bool at_step_base = traced_step(*thread);
        stops = watched || thread->stop_after_step || at_step_base || interrupt_.exchange(false);
        why = trap(false, watched);
        // A step that lands on a breakpoint arrives there: it will not trap again.
        if (landed && arrive(context.rip, stops)) {
            stops = true;
            why = trap(true);
        }
    } else {
        if (!ours)
            return false; // the program's own int3: its SIGTRAP
        context.rip = address;
        stops = arrive(address, false);
    }
    Resume resume = stops ? in_program(*thread, stop(why, seen_at(*thread, &context))) : Resume{};
    step_or_continue(*thread, context, resume);
    return true;
}

// Where gdb sees a thread that stops at `context`: there, in the program; in the LibOS
// (which touched a watched page serving the program's system call), at the program's call.
bsc_cpu_context *Debugger::seen_at(const Thread &thread, bsc_cpu_context *context) const {
    return thread.records.empty() ? context : at_call(thread);
}

// The program's registers while the thread is in the LibOS: the outermost exception's
// context (nothing in the program).
bsc_cpu_context *Debugger::at_call(const Thread &thread) const {
    return thread.records.empty() ? nullptr : context_of(thread.records.front());
}

// A step gdb asks of a thread stopped in the LibOS ends as the program resumes
// (before_restore), not one instruction of the LibOS on.
Debugger::Resume Debugger::in_program(const Thread &thread, Resume resume) const {
    return thread.records.empty() ? resume : Resume{};
}

// The thread is at a breakpoint: counted if a plan observes it (a base there, a search's
// candidate); true if it stops there (gdb's breakpoint, the base).
bool Debugger::arrive(uint64_t address, bool stopping) {
    bool wanted = false, counted = false;
    {
        std::lock_guard lock(mutex_);
        wanted = breakpoints_.contains(address);
        counted = counted_.contains(address);
    }
    bool observed = observed_.contains(address);
    if (!observed && !counted)
        return wanted;
    uint64_t arrival = ++arrivals_[address];
    if (wanted && counted) { // gdb stops here, a place a replay finds again (note_stop)
        std::lock_guard lock(mutex_);
        arrived_at_ = Mark{Mark::Kind::arrival, interval_, address, arrival, {}};
    }
    if (!observed)
        return wanted;
    if (at_base(Mark::Kind::arrival, address, arrival)) {
        base_reached_ = true;
        wanted = true;
    }
    note_candidate({Mark::Kind::arrival, interval_, address, arrival, {}}, trap(true),
                   wanted || stopping);
    return wanted;
}

// The end of a step the debugger asked for: the breakpoint it stepped over goes back, and
// so does the guard of the watched page it accessed. What a watch stops at after the
// step, if one does (observed ones are noted for a search).
std::optional<Watched> Debugger::finish_step(Thread &thread) {
    thread.stepping = false;
    std::unique_lock lock(mutex_);
    if (uint64_t address = std::exchange(thread.reinsert, 0))
        marks_.put_back(address);
    uint64_t page = std::exchange(thread.unprotected, 0);
    if (!page)
        return std::nullopt;
    marks_.close(page);
    // The LibOS's reads for a system call are not the program's, as the kernel's accesses
    // do not trigger hardware watchpoints; its writes that change watched memory stop.
    uint64_t accessed = std::exchange(thread.accessed, 0);
    if (!thread.records.empty())
        accessed = 0;
    auto watched = hit(watches_, std::exchange(thread.watched_before, {}), marks_.bytes(watches_),
                       accessed);
    auto observed = hit(observed_watches_, std::exchange(thread.observed_before, {}),
                        marks_.bytes(observed_watches_), accessed);
    if (observed) {
        Mark here{Mark::Kind::change, interval_, observed->address, thread.write_number,
                  observed_watches_};
        lock.unlock();
        note_candidate(here, trap(false, observed), false); // before the access: before here
    }
    return watched;
}

bool Debugger::memory_fault(bsc_exception *record) {
    Thread *thread = calling_thread();
    if (!thread || record->code != BSC_FAULT_PROTECTION)
        return false;
    uint64_t page = record->address & ~(kPage - 1);
    {
        std::lock_guard lock(mutex_);
        auto watched = marks_.watched(page);
        if (!watched)
            return false;
        if (thread->unprotected == page) { // with the guest's protection: its own fault
            thread->unprotected = thread->accessed = 0;
            thread->stepping = false;
            record->context.rflags &= ~kTrapFlag;
            marks_.close(page);
            return false;
        }
        if (watched->guard == MemoryMarks::Guard::writes && !(watched->protection & PROT_WRITE))
            return false; // a write the guest's protection refuses: its own fault
    }
    if (covers(observed_watches_, page))
        thread->write_number = ++observed_writes_;
    bool step_asked = thread->stepping && thread->stop_after_step;
    if (covers(base_watches_, page) && at_base(Mark::Kind::change, 0, ++base_writes_)) {
        // Going back to an access: the thread stops before it, as it was.
        base_reached_ = true;
        Watched at{plan_->base.address, kind_at(plan_->base.watches, plan_->base.address)};
        step_asked = in_program(*thread, stop(trap(false, at), seen_at(*thread, &record->context)))
                         .step_thread == thread->id;
    }
    std::lock_guard lock(mutex_);
    marks_.open(page);
    thread->unprotected = page;
    thread->accessed = record->address;
    thread->watched_before = marks_.bytes(watches_); // a write that changes them stops
    thread->observed_before = marks_.bytes(observed_watches_);
    thread->stop_after_step = step_asked;
    thread->stepping = true;
    record->context.rflags |= kTrapFlag;
    return true;
}

void Debugger::before_call(uint64_t number) {
    Thread *thread = calling_thread();
    if (!thread)
        return;
    uint64_t stop_at = stop_at_.load();
    // Exactly: threads replay calls out of their numbers' order (a number is taken as a
    // call starts), and a call that never returned has none in the trace.
    bool asked = stop_at && number == stop_at;
    if (!asked && !interrupt_.load())
        return;
    if (asked) {
        stop_at_ = 0;
        if (plan_ && plan_->base.kind == Mark::Kind::call)
            base_reached_ = true;
    }
    int signal = asked ? kSigtrap : kSigint;
    interrupt_ = false;
    stop({gdb::StopReply::Kind::signal, signal, 0, false}, at_call(*thread), number);
    // A step asked for here ends as the thread returns to the program (before_restore).
}

void Debugger::interrupt_arrived(bsc_exception *record) {
    Thread *thread = calling_thread();
    if (!thread || !interrupt_.exchange(false))
        return;
    if (thread->records.empty())
        history_cut_ = true; // in the program, between calls
    gdb::StopReply reply{gdb::StopReply::Kind::signal, kSigint, 0, false};
    Resume resume = in_program(*thread, stop(reply, seen_at(*thread, &record->context)));
    step_or_continue(*thread, record->context, resume);
}

// A traced instruction has run: counted; true if the plan's base is there.
bool Debugger::traced_step(Thread &) {
    if (!tracing_)
        return false;
    trace_steps_++;
    if (!at_base(Mark::Kind::step, 0, trace_steps_))
        return false;
    base_reached_ = true;
    return true;
}

void Debugger::event_taken() {
    if (!calling_thread())
        return;
    tracing_ = false; // a new interval: the trace was its predecessor's
    interval_ = replay_.events_taken();
    arrivals_.clear();
    {
        std::lock_guard lock(mutex_);
        counted_ = breakpoints_;
    }
    observed_writes_ = 0;
    base_writes_ = 0;
}

void Debugger::memory_changed(uint64_t address, uint64_t size,
                              std::optional<uint32_t> protection, bool replaced) {
    if (!calling_thread())
        return;
    std::lock_guard lock(mutex_);
    marks_.changed(address, size,
                   protection ? std::optional<int>(host_protection(*protection)) : std::nullopt,
                   replaced);
    if (replaced)
        place_pending();
}

// What waits for its code or data goes in once it is there: observed breakpoints (in a
// library the dynamic loader maps), every watch's pages (a watched page unmapped, then
// mapped again, is watched again).
void Debugger::place_pending() {
    std::erase_if(unplaced_, [&](uint64_t address) { return marks_.insert(address); });
    for (const auto *watches : {&watches_, &observed_watches_, &base_watches_})
        for (const Watch &watch : *watches)
            marks_.watch(watch);
}

void Debugger::host_reads(bool on) {
    if (!calling_thread())
        return;
    std::lock_guard lock(mutex_);
    marks_.host_reading(on);
}

void Debugger::host_writes(uint64_t call, const std::function<void()> &write) {
    Thread *thread = calling_thread();
    std::unique_lock lock(mutex_);
    if (!thread || !marks_.watching()) {
        lock.unlock();
        return write();
    }
    auto before = marks_.bytes(watches_), observed_before = marks_.bytes(observed_watches_);
    marks_.open_all();
    write();
    marks_.close_all();
    auto watched = hit(watches_, before, marks_.bytes(watches_), 0);
    auto observed = hit(observed_watches_, observed_before, marks_.bytes(observed_watches_), 0);
    lock.unlock();
    if (observed) // going back there stops before the call
        note_candidate({Mark::Kind::call, interval_, 0, call, {}}, trap(false, observed), false);
    if (watched)
        stop(trap(false, watched), at_call(*thread));
}

std::optional<bsc_cpu_context> Debugger::before_restore(const bsc_cpu_context *context) {
    Thread *thread = calling_thread();
    if (!thread)
        return std::nullopt;
    bsc_cpu_context resumed{};
    if (read_guest(context, resumed) != BSC_OK)
        return std::nullopt;
    // The records below the stack it resumes on are gone; resuming off the exception
    // stack leaves them all.
    auto &records = thread->records;
    if (!records.empty() && resumed.rsp > records.back() &&
        resumed.rsp - records.back() < BSC_EXCEPTION_STACK_SPAN)
        std::erase_if(records, [&](uint64_t record) { return record < resumed.rsp; });
    else
        records.clear();
    if (!records.empty())
        return std::nullopt; // back in the LibOS, not the program
    bool entry = std::exchange(thread->entering_program, false);
    if (entry) {
        note_program_entry(resumed);
        std::lock_guard lock(mutex_);
        place_pending(); // the program is there: what a plan observes in it goes in
    }
    // A step that went into a system call (or rdtsc) ends as the program resumes after it;
    // so does the step of a thread gdb stepped while it was stopped in a call.
    bool step_ended = thread->stepping;
    if (step_ended)
        finish_step(*thread);
    bool at_step_base = step_ended && traced_step(*thread);
    if (!tracing_ && traced_ == interval_ && !trace_steps_) { // the traced interval's resumption
        tracing_ = true;
        if (at_base(Mark::Kind::step, 0, 0)) {
            base_reached_ = true;
            at_step_base = true;
        }
    }
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = entry && !stops_ && !stop_at_.load() &&
                (!plan_ || plan_->base.kind == Mark::Kind::start);
    }
    if (first && plan_)
        base_reached_ = true;
    bool step_asked = step_ended ? thread->stop_after_step : resume_.step_thread == thread->id;
    if (!step_asked && !first && !at_step_base) {
        if (!step_ended && !tracing_)
            return std::nullopt;
        step_or_continue(*thread, resumed, {}); // the trap flag for a trace, or none
        return resumed;
    }
    step_or_continue(*thread, resumed, stop(trap(), &resumed));
    return resumed;
}

void Debugger::program_loading(std::string path) {
    if (Thread *thread = calling_thread()) {
        thread->entering_program = true;
        std::lock_guard lock(mutex_);
        program_ = std::move(path);
    }
}

// At the program's first instruction its stack holds argc, argv, envp and the auxiliary
// vector, which tells gdb where the program and the dynamic loader are; a program restored
// from an image has that stack where the recording noted it.
void Debugger::note_program_entry(const bsc_cpu_context &context) {
    uint64_t stack = replay_.from_image ? replay_.entry_stack : context.rsp;
    if (!stack)
        return;
    const auto *words = reinterpret_cast<const uint64_t *>(stack);
    uint64_t argc = 0;
    if (read_guest(words, argc) != BSC_OK)
        return;
    const uint64_t *at = words + 1 + argc + 1;
    for (uint64_t word = 1; word; at++) // the environment, to its null
        if (read_guest(at, word) != BSC_OK)
            return;
    std::string auxv;
    for (uint64_t pair[2] = {1, 0}; pair[0] && auxv.size() < kMaxAuxv; at += 2) {
        if (copy_from_guest(pair, at, sizeof pair) != BSC_OK)
            return;
        auxv.append(reinterpret_cast<const char *>(pair), sizeof pair);
    }
    std::lock_guard lock(mutex_);
    auxv_ = std::move(auxv);
}

void Debugger::exited(int status) {
    if (!calling_thread())
        return;
    stop({gdb::StopReply::Kind::exited, status, 0, false}, nullptr);
}

// ---- Breakpoints and watches (with the mutex held) --------------------------------------

// Each watched page guarded as the watches on it now ask (none left: the guest's
// protection back).
void Debugger::unwatch_pages() {
    marks_.rewatch([&](uint64_t page) {
        auto guard = MemoryMarks::Guard::none;
        for (const auto *watches : {&watches_, &observed_watches_, &base_watches_})
            for (const Watch &watch : *watches)
                if (covers(watch, page))
                    guard = std::max(guard, watch.kind == gdb::WatchKind::write
                                                ? MemoryMarks::Guard::writes
                                                : MemoryMarks::Guard::reads);
        return guard;
    });
}

// A breakpoint a plan observes stays in when gdb's goes.
void Debugger::remove_breakpoint(uint64_t address) {
    if (!observed_.contains(address))
        marks_.remove(address);
}

// gdb's breakpoints and watches become these (observed ones stay in).
void Debugger::place(const std::vector<uint64_t> &breakpoints, const std::vector<Watch> &watches) {
    std::lock_guard lock(mutex_);
    for (uint64_t address : breakpoints_)
        remove_breakpoint(address);
    breakpoints_.clear();
    for (uint64_t address : breakpoints)
        if (marks_.insert(address))
            breakpoints_.insert(address);
    watches_.clear();
    for (const Watch &watch : watches)
        if (marks_.watch(watch))
            watches_.push_back(watch);
    unwatch_pages();
}

// ---- gdb::Target, on the server thread --------------------------------------------------

std::vector<uint64_t> Debugger::threads() {
    std::lock_guard lock(mutex_);
    std::vector<uint64_t> ids;
    for (const auto &[id, thread] : threads_)
        ids.push_back(id);
    return ids;
}

// A thread's registers: where it stopped, else the program's at its call (none: zeros).
// With the mutex held.
std::vector<uint8_t> Debugger::registers_of(const Thread &thread, bsc_cpu_context &context) {
    context = {};
    if (bsc_cpu_context *where = registers_at(thread); where && read_guest(where, context) != BSC_OK)
        context = {};
    std::vector<uint8_t> xstate(context.xstate ? context.xstate_size : 0);
    if (!xstate.empty() &&
        copy_from_guest(xstate.data(), reinterpret_cast<const void *>(context.xstate),
                        xstate.size()) != BSC_OK)
        xstate.clear();
    return gdb::amd64_registers(context, xstate, thread.gs_base);
}

bsc_cpu_context *Debugger::registers_at(const Thread &thread) const {
    return thread.stopped_at ? thread.stopped_at : at_call(thread);
}

std::optional<std::vector<uint8_t>> Debugger::registers(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = threads_.find(id);
    if (found == threads_.end())
        return std::nullopt;
    bsc_cpu_context context;
    return registers_of(*found->second, context);
}

// gdb changes the program only if the user accepted a replay that diverges; from the first
// change on, the replay is no longer the recording's.
bool Debugger::may_change(std::string_view what) {
    if (!replay_.changes_allowed) {
        fmt::print(stderr, "bascule-replay: gdb may not change the {} of a replay: it would no "
                           "longer replay the recording (`replay --allow-divergence` lets it)\n",
                   what);
        return false;
    }
    if (!diverged_.exchange(true))
        fmt::print(stderr, "bascule-replay: gdb changed the {}: the replay goes on from there, "
                           "to the first call that differs from the recording; it cannot go "
                           "backwards any more\n",
                   what);
    return true;
}

bool Debugger::write_memory(uint64_t address, const std::vector<uint8_t> &bytes) {
    if (!may_change("memory"))
        return false;
    std::lock_guard lock(mutex_);
    return marks_.write(address, bytes);
}

bool Debugger::write_registers(uint64_t id, const std::vector<uint8_t> &bytes) {
    std::lock_guard lock(mutex_);
    auto found = threads_.find(id);
    if (found == threads_.end())
        return false;
    const Thread &thread = *found->second;
    bsc_cpu_context context;
    auto now = registers_of(thread, context);
    if (now == bytes)
        return true;
    auto changed = gdb::amd64_changed_context(context, now, bytes);
    if (!changed) {
        fmt::print(stderr, "bascule-replay: gdb may change the integer registers, rip, eflags "
                           "and fs_base of a replay, not its x87, SSE, AVX or segment "
                           "registers\n");
        return false;
    }
    bsc_cpu_context *where = registers_at(thread);
    return where && may_change("registers") && write_guest(where, *changed) == BSC_OK;
}

std::vector<uint8_t> Debugger::read_memory(uint64_t address, size_t length) {
    std::lock_guard lock(mutex_);
    return marks_.read(address, length);
}

bool Debugger::set_breakpoint(uint64_t address, bool on) {
    std::lock_guard lock(mutex_);
    if (!on) {
        breakpoints_.erase(address);
        remove_breakpoint(address);
        return true;
    }
    if (!marks_.insert(address))
        return false;
    breakpoints_.insert(address);
    return true;
}

// A page is protected while a watch covers it; a write to it faults (memory_fault).
bool Debugger::set_watchpoint(uint64_t address, uint64_t length, gdb::WatchKind kind, bool on) {
    std::lock_guard lock(mutex_);
    Watch watch{address, length, kind};
    if (!on) {
        std::erase(watches_, watch);
        unwatch_pages();
        return true;
    }
    if (!marks_.watch(watch))
        return false; // nothing there to watch
    watches_.push_back(watch);
    return true;
}

// The command gdb gives now, with the breakpoints and watches it has in place.
Command Debugger::current_command(uint64_t step_thread) const {
    std::lock_guard lock(mutex_);
    return {{breakpoints_.begin(), breakpoints_.end()}, watches_, step_thread, 0};
}

// Resumes the guest and waits for its next stop; gdb's interrupt stops it at its next call.
gdb::StopReply Debugger::run(const Command &command) {
    std::unique_lock lock(mutex_);
    if (stopped_ && stopped_->kind != gdb::StopReply::Kind::signal)
        return *stopped_; // it has ended: nothing runs again
    stop_at_ = command.until_call;
    resume_ = {command.step_thread};
    stopped_.reset();
    arrived_at_.reset();
    // gdb takes its breakpoints out at each stop and puts them back to resume: those back
    // in place for every stretch the guest ran in this interval are counted from its start.
    std::erase_if(counted_, [&](uint64_t address) { return !breakpoints_.contains(address); });
    uint64_t stops = stops_;
    resumes_++;
    changed_.notify_all();
    while (stops_ == stops) {
        if (following_) {
            changed_.wait(lock);
            continue;
        }
        lock.unlock();
        bool open = take_incoming(true);
        lock.lock();
        if (!open)
            end(false);
    }
    return *stopped_;
}

gdb::StopReply Debugger::resume(uint64_t thread, bool step) {
    Command command = current_command(step ? thread : 0);
    auto reply = run(command);
    // An interrupt's place is written as the call it stopped before; one that stopped the
    // program between calls (computing) as its next call: that instruction cannot be found
    // again without counting instructions (README.md, "Going backwards").
    if (reply.kind == gdb::StopReply::Kind::signal && reply.value == kSigint)
        command.until_call = replay_.next_call();
    note_stop(std::move(command));
    return reply;
}

gdb::StopReply Debugger::last_stop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_.has_value(); });
    return *stopped_;
}

std::optional<std::string> Debugger::object(std::string_view name, std::string_view annex) {
    if (name == "features" && annex == "target.xml")
        return std::string(gdb::amd64_target_description());
    std::lock_guard lock(mutex_);
    if (name == "auxv" && !auxv_.empty())
        return auxv_;
    if (name == "exec-file" && !program_.empty())
        return program_;
    return std::nullopt;
}

std::string Debugger::monitor(std::string_view command) {
    if (command == "call")
        return fmt::format("before call {}; the calls before it:\n{}", replay_.next_call(),
                           replay_.recent_calls());
    if (command == "dump")
        return replay_.next_call_text();
    if (command == "checkpoints") {
        if (!replay_.checkpoints)
            return "no checkpoints in this replay\n";
        uint64_t from = plan_ ? plan_->checkpoint_call : 0;
        return replay_.checkpoints() +
               (from ? fmt::format("this replay started from the checkpoint in call {}\n", from)
                     : "this replay started at the start\n");
    }
    if (command.starts_with("goto ")) {
        std::string digits(command.substr(5));
        char *end = nullptr;
        uint64_t call = std::strtoull(digits.c_str(), &end, 10);
        if (digits.empty() || *end || !call)
            return "monitor goto N: N is a call number, from 1\n";
        return go_to_call(call);
    }
    return "monitor commands: call (where the replay is), dump (the call to come), goto N "
           "(to just before call N, forwards or backwards), checkpoints (where going back "
           "starts from, and the memory they hold)\n";
}

// Forwards by replaying on, backwards by replaying from the start (a restart).
std::string Debugger::go_to_call(uint64_t call) {
    if (call < replay_.next_call()) {
        if (auto why = cannot_go_back(false))
            return *why;
        Plan plan;
        plan.reply = Plan::Reply::monitor;
        plan.base = {Mark::Kind::call, 0, 0, call, {}};
        auto command = current_command(0);
        plan.breakpoints = std::move(command.breakpoints);
        plan.watches = std::move(command.watches);
        restart(std::move(plan));
    }
    if (call > replay_.next_call()) {
        Command command = current_command(0);
        command.until_call = call;
        auto reply = run(command);
        note_stop(std::move(command));
        if (reply.kind != gdb::StopReply::Kind::signal || replay_.next_call() < call)
            return fmt::format("the replay stopped before call {}; now before call {}\n", call,
                               replay_.next_call());
    }
    return fmt::format("before call {} (gdb still holds the registers and stack it read "
                       "before: `maint flush register-cache` and `maint flush dcache`)\n",
                       replay_.next_call());
}

// ---- The connection ----------------------------------------------------------------------

void Debugger::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(out_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // gone: the next read says so
        bytes.remove_prefix(static_cast<size_t>(n));
    }
}

// Reads what gdb sent; while the guest runs (`running`), waits a little and keeps any
// packet for later, and an interrupt stops the guest at its next call. False when gdb
// has gone.
bool Debugger::take_incoming(bool running) {
    if (running) {
        // Nothing yet, or a signal (a child's SIGCHLD) cut the wait short: the caller
        // looks at the guest and comes back; a read now would wait for gdb alone.
        pollfd ready{in_, POLLIN, 0};
        if (::poll(&ready, 1, 100) <= 0)
            return true;
    }
    char buffer[4096];
    ssize_t n = ::read(in_, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    for (auto &incoming : decoder_.feed({buffer, static_cast<size_t>(n)})) {
        if (std::holds_alternative<gdb::Interrupt>(incoming)) {
            if (running) { // the thread that runs stops where it is; else at its next call
                interrupt_ = true;
                replay_.interrupt_threads();
            }
        } else if (auto *packet = std::get_if<gdb::Packet>(&incoming)) {
            if (session_.acknowledging())
                send("+");
            pending_.push_back(std::move(packet->data));
        } else if (auto *bad = std::get_if<gdb::BadPacket>(&incoming)) {
            if (bad->resend)
                send("-");
            else
                pending_.push_back(""); // answered as unknown
        }
        // An ack: replies are not sent again (a stream does not lose them).
    }
    return true;
}

void Debugger::serve() {
    last_stop(); // the guest stops first (at its entry, call N, or a plan's base)
    if (plan_)
        follow_plan();
    for (;;) {
        while (!pending_.empty()) {
            std::string packet = std::move(pending_.front());
            pending_.erase(pending_.begin());
            auto reply = session_.reply(packet);
            if (reply)
                send(gdb::encode_packet(*reply));
            if (session_.ended()) {
                std::lock_guard lock(mutex_);
                end(packet == "D");
                return;
            }
        }
        if (!take_incoming(false)) {
            std::lock_guard lock(mutex_);
            end(false);
            return;
        }
    }
}

// gdb detached (the replay goes on to its end without it) or has gone (killed it, or
// closed the connection): the replay ends. Called with the mutex held.
void Debugger::end(bool detach) {
    if (!detach) {
        std::fflush(nullptr);
        ::_exit(0);
    }
    marks_.clear();
    breakpoints_.clear();
    attached_ = false;
    changed_.notify_all();
}

} // namespace bsc::replay
