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
#include <utility>

#include <fmt/format.h>

#include "amd64_registers.h"
#include "guest_memory.h"
#include "remote_packets.h"

namespace bsc::replay {
namespace {

constexpr uint8_t kInt3 = 0xcc;
constexpr uint64_t kTrapFlag = 0x100;
constexpr int kSigint = 2, kSigtrap = 5;
constexpr size_t kMaxAuxv = 64 * 16;
constexpr uint64_t kPage = 4096;

// A page's protection as /proc/self/maps says (PROT_*), or nothing if it is not mapped.
std::optional<int> protection_of(uint64_t page) {
    std::FILE *maps = std::fopen("/proc/self/maps", "re");
    if (!maps)
        return std::nullopt;
    std::optional<int> found;
    char line[512];
    while (!found && std::fgets(line, sizeof line, maps)) {
        uint64_t low = 0, high = 0;
        char perms[5] = {};
        if (std::sscanf(line, "%lx-%lx %4s", &low, &high, perms) == 3 && page >= low &&
            page < high)
            found = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
                    (perms[2] == 'x' ? PROT_EXEC : 0);
    }
    std::fclose(maps);
    return found;
}

uint64_t own_gs_base() {
    uint64_t base = 0;
    ::syscall(SYS_arch_prctl, ARCH_GET_GS, &base);
    return base;
}

// The record's context, in guest memory.
const bsc_cpu_context *context_of(uint64_t record) {
    return &reinterpret_cast<const bsc_exception *>(record)->context;
}

} // namespace

// What the debugger knows of a guest thread.
struct Debugger::Thread {
    uint64_t id = 0;      // gdb's: the replay's number + 1
    uint64_t gs_base = 0; // its thread control block (the context does not hold it)
    // The exception records it is inside, outermost first: the outermost holds the
    // program's registers while the LibOS serves a system call.
    std::vector<uint64_t> records;
    const bsc_cpu_context *stopped_at = nullptr; // where it stopped, while it waits
    bool stepping = false;     // the trap flag is set for it
    bool stop_after_step = false; // else the step only took it over a breakpoint
    uint64_t reinsert = 0;     // the breakpoint taken out for that step
    bool entering_program = false; // process_exec came: the next return is the entry
    uint64_t unprotected = 0;  // the watched page it writes with this step, to protect again
    std::vector<uint8_t> watched_before; // the watched bytes before that write
};

thread_local Debugger::Thread *Debugger::current_thread = nullptr;

Debugger::Debugger(int in, int out, uint64_t stop_at, Replay replay)
    : in_(in), out_(out), replay_(std::move(replay)), session_(*this), stop_at_(stop_at) {
    memory_ = ::open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    server_ = std::thread([this] { serve(); });
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
    ::close(memory_); // the parent's memory: /proc/self/mem is bound to it when opened
    memory_ = ::open("/proc/self/mem", O_RDWR | O_CLOEXEC);
    for (const auto &[address, original] : breakpoints_)
        poke(address, original);
    breakpoints_.clear();
    protect_watched(false);
    watched_pages_.clear();
}

Debugger::Thread *Debugger::calling_thread() { return attached_ ? current_thread : nullptr; }

void Debugger::thread_started(uint32_t number) {
    auto *thread = new Thread;
    thread->id = uint64_t{number} + 1;
    thread->gs_base = own_gs_base();
    current_thread = thread;
    std::lock_guard lock(mutex_);
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
    if (Thread *thread = calling_thread())
        thread->records.push_back(reinterpret_cast<uint64_t>(record));
}

// Stops the calling thread until gdb resumes it; `where` is its context meanwhile.
Debugger::Command Debugger::stop(gdb::StopReply reply, const bsc_cpu_context *where) {
    Thread &thread = *current_thread;
    std::unique_lock lock(mutex_);
    thread.stopped_at = where;
    reply.thread = thread.id;
    stopped_ = reply;
    stops_++;
    changed_.notify_all();
    uint64_t resumes = resumes_;
    changed_.wait(lock, [&] { return resumes_ != resumes || !attached_; });
    thread.stopped_at = nullptr;
    return attached_ ? command_ : Command{};
}

// Resumes `context` as gdb asked: one instruction with the trap flag for a step, and a
// thread at a breakpoint first steps over it with the breakpoint taken out.
void Debugger::step_or_continue(Thread &thread, bsc_cpu_context &context, const Command &command) {
    thread.stop_after_step = command.step_thread == thread.id;
    bool over_breakpoint = false;
    {
        std::lock_guard lock(mutex_);
        if (auto at = breakpoints_.find(context.rip); at != breakpoints_.end()) {
            poke(at->first, at->second);
            thread.reinsert = at->first;
            over_breakpoint = true;
        }
    }
    thread.stepping = thread.stop_after_step || over_breakpoint;
    if (thread.stepping)
        context.rflags |= kTrapFlag;
    else
        context.rflags &= ~kTrapFlag;
}

bool Debugger::breakpoint_trap(bsc_exception *record) {
    Thread *thread = calling_thread();
    if (!thread)
        return false;
    bsc_cpu_context &context = record->context;
    if (thread->stepping) {
        context.rflags &= ~kTrapFlag;
        auto watched = finish_step(*thread);
        if (!watched && !thread->stop_after_step && !interrupt_.exchange(false))
            return true; // over a breakpoint, or a write beside what is watched: on it goes
        auto command = stop({gdb::StopReply::Kind::signal, kSigtrap, 0, false, watched}, &context);
        step_or_continue(*thread, context, command);
        return true;
    }
    uint64_t address = context.rip - 1;
    {
        std::lock_guard lock(mutex_);
        if (!breakpoints_.contains(address))
            return false; // the program's own int3: its SIGTRAP
    }
    context.rip = address;
    auto command = stop({gdb::StopReply::Kind::signal, kSigtrap, 0, true}, &context);
    step_or_continue(*thread, context, command);
    return true;
}

// The end of a step the debugger asked for: the breakpoint it stepped over goes back, and
// so does the protection of the watched page it wrote to. The watched address the step
// wrote to, if it did.
std::optional<uint64_t> Debugger::finish_step(Thread &thread) {
    thread.stepping = false;
    std::lock_guard lock(mutex_);
    if (uint64_t address = std::exchange(thread.reinsert, 0); address && breakpoints_.contains(address))
        poke(address, kInt3);
    uint64_t page = std::exchange(thread.unprotected, 0);
    if (!page)
        return std::nullopt;
    if (auto at = watched_pages_.find(page); at != watched_pages_.end())
        ::mprotect(reinterpret_cast<void *>(page), kPage, at->second & ~PROT_WRITE);
    return first_change(std::exchange(thread.watched_before, {}), watched_bytes());
}

// The first watched address whose byte differs between two readings of watched_bytes().
std::optional<uint64_t> Debugger::first_change(const std::vector<uint8_t> &before,
                                               const std::vector<uint8_t> &after) const {
    size_t at = 0;
    for (const Watch &watch : watches_)
        for (uint64_t i = 0; i < watch.length; i++, at++)
            if (at < before.size() && at < after.size() && before[at] != after[at])
                return watch.address + i;
    return std::nullopt;
}

bool Debugger::memory_fault(bsc_exception *record) {
    Thread *thread = calling_thread();
    if (!thread || record->code != BSC_FAULT_PROTECTION)
        return false;
    uint64_t page = record->address & ~(kPage - 1);
    std::lock_guard lock(mutex_);
    auto at = watched_pages_.find(page);
    if (at == watched_pages_.end() || !(at->second & PROT_WRITE))
        return false; // the guest's own fault
    ::mprotect(reinterpret_cast<void *>(page), kPage, at->second);
    thread->unprotected = page;
    thread->watched_before = watched_bytes(); // gdb hears of a write that changed them
    if (!thread->stepping)
        thread->stop_after_step = false;
    thread->stepping = true;
    record->context.rflags |= kTrapFlag;
    return true;
}

// The bytes every watch covers, in order (what a write by the host may change).
std::vector<uint8_t> Debugger::watched_bytes() {
    std::vector<uint8_t> bytes;
    for (const Watch &watch : watches_) {
        std::vector<uint8_t> part(watch.length);
        if (::pread(memory_, part.data(), part.size(), static_cast<off_t>(watch.address)) !=
            static_cast<ssize_t>(part.size()))
            part.assign(watch.length, 0);
        bytes.insert(bytes.end(), part.begin(), part.end());
    }
    return bytes;
}

// Watched pages read-only for the guest (`on`), or as the guest has them.
void Debugger::protect_watched(bool on) {
    for (const auto &[page, protection] : watched_pages_)
        ::mprotect(reinterpret_cast<void *>(page), kPage, on ? protection & ~PROT_WRITE : protection);
}

void Debugger::host_writes(const std::function<void()> &write) {
    Thread *thread = calling_thread();
    std::unique_lock lock(mutex_);
    if (!thread || watched_pages_.empty()) {
        lock.unlock();
        return write();
    }
    auto before = watched_bytes();
    protect_watched(false);
    write();
    protect_watched(true);
    auto after = watched_bytes();
    auto address = first_change(before, after);
    if (!address)
        return;
    lock.unlock();
    const bsc_cpu_context *where =
        thread->records.empty() ? nullptr : context_of(thread->records.front());
    stop({gdb::StopReply::Kind::signal, kSigtrap, 0, false, address}, where);
}

void Debugger::protection_changed(uint64_t address, uint64_t size, uint32_t protection) {
    if (!calling_thread())
        return;
    int prot = (protection & BSC_PROT_READ ? PROT_READ : 0) |
               (protection & BSC_PROT_WRITE ? PROT_WRITE : 0) |
               (protection & BSC_PROT_EXEC ? PROT_EXEC : 0);
    std::lock_guard lock(mutex_);
    for (auto at = watched_pages_.lower_bound(address & ~(kPage - 1));
         at != watched_pages_.end() && at->first < address + size; ++at) {
        at->second = prot;
        ::mprotect(reinterpret_cast<void *>(at->first), kPage, prot & ~PROT_WRITE);
    }
}

void Debugger::before_call(uint64_t number) {
    Thread *thread = calling_thread();
    if (!thread)
        return;
    uint64_t stop_at = stop_at_.load();
    bool asked = stop_at && number >= stop_at; // the number of a call that never returned is missing
    if (!asked && !interrupt_.load())
        return;
    if (asked)
        stop_at_ = 0;
    int signal = asked ? kSigtrap : kSigint;
    interrupt_ = false;
    const bsc_cpu_context *where =
        thread->records.empty() ? nullptr : context_of(thread->records.front());
    stop({gdb::StopReply::Kind::signal, signal, 0, false}, where);
    // A step asked for here ends as the thread returns to the program (before_restore).
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
    if (entry)
        note_program_entry(resumed);
    // A step that went into a system call (or rdtsc) ends as the program resumes after it;
    // so does the step of a thread gdb stepped while it was stopped in a call.
    bool step_ended = thread->stepping;
    if (step_ended)
        finish_step(*thread);
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = entry && !stop_at_.load() && !stops_; // the first stop: the program's start
    }
    bool step_asked = step_ended ? thread->stop_after_step : command_.step_thread == thread->id;
    bool interrupted = interrupt_.exchange(false);
    if (!step_asked && !first && !interrupted) {
        if (!step_ended)
            return std::nullopt;
        resumed.rflags &= ~kTrapFlag;
        return resumed;
    }
    int signal = interrupted && !step_asked ? kSigint : kSigtrap;
    auto command = stop({gdb::StopReply::Kind::signal, signal, 0, false}, &resumed);
    step_or_continue(*thread, resumed, command);
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
// vector, which tells gdb where the program and the dynamic loader are.
void Debugger::note_program_entry(const bsc_cpu_context &context) {
    const auto *words = reinterpret_cast<const uint64_t *>(context.rsp);
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

// ---- gdb::Target, on the server thread --------------------------------------------------

std::vector<uint64_t> Debugger::threads() {
    std::lock_guard lock(mutex_);
    std::vector<uint64_t> ids;
    for (const auto &[id, thread] : threads_)
        ids.push_back(id);
    return ids;
}

std::optional<std::vector<uint8_t>> Debugger::registers(uint64_t id) {
    std::lock_guard lock(mutex_);
    auto found = threads_.find(id);
    if (found == threads_.end())
        return std::nullopt;
    const Thread &thread = *found->second;
    const bsc_cpu_context *where = thread.stopped_at;
    if (!where && !thread.records.empty())
        where = context_of(thread.records.front());
    bsc_cpu_context context{};
    if (where && read_guest(where, context) != BSC_OK)
        context = {};
    std::vector<uint8_t> xstate(context.xstate ? context.xstate_size : 0);
    if (!xstate.empty() &&
        copy_from_guest(xstate.data(), reinterpret_cast<const void *>(context.xstate),
                        xstate.size()) != BSC_OK)
        xstate.clear();
    return gdb::amd64_registers(context, xstate, thread.gs_base);
}

// Memory as the program has it: what the breakpoints replaced shows, not int3.
std::vector<uint8_t> Debugger::read_memory(uint64_t address, size_t length) {
    std::vector<uint8_t> bytes(length);
    size_t done = 0;
    while (done < length) {
        ssize_t n = ::pread(memory_, bytes.data() + done, length - done,
                            static_cast<off_t>(address + done));
        if (n <= 0)
            break;
        done += static_cast<size_t>(n);
    }
    bytes.resize(done);
    std::lock_guard lock(mutex_);
    for (auto at = breakpoints_.lower_bound(address);
         at != breakpoints_.end() && at->first < address + done; ++at)
        bytes[at->first - address] = at->second;
    return bytes;
}

// Through /proc/self/mem, which writes into a private read-only mapping (the program's
// code) as a debugger's ptrace does: the page becomes this process's own copy.
bool Debugger::poke(uint64_t address, uint8_t byte) {
    return ::pwrite(memory_, &byte, 1, static_cast<off_t>(address)) == 1;
}

bool Debugger::set_breakpoint(uint64_t address, bool on) {
    std::lock_guard lock(mutex_);
    auto at = breakpoints_.find(address);
    if (!on) {
        if (at != breakpoints_.end()) {
            // A thread stepping over it puts it back only if it is still there.
            poke(address, at->second);
            breakpoints_.erase(at);
        }
        return true;
    }
    if (at != breakpoints_.end())
        return true;
    uint8_t original = 0;
    if (::pread(memory_, &original, 1, static_cast<off_t>(address)) != 1 || !poke(address, kInt3))
        return false;
    breakpoints_[address] = original;
    return true;
}

// A page is protected while a watch covers it; a write to it faults (memory_fault).
bool Debugger::set_watchpoint(uint64_t address, uint64_t length, bool on) {
    std::lock_guard lock(mutex_);
    uint64_t first = address & ~(kPage - 1), last = (address + length - 1) & ~(kPage - 1);
    if (!on) {
        std::erase_if(watches_, [&](const Watch &w) { return w.address == address && w.length == length; });
        for (uint64_t page = first; page <= last; page += kPage) {
            bool covered = std::ranges::any_of(watches_, [&](const Watch &w) {
                return w.address < page + kPage && w.address + w.length > page;
            });
            if (auto at = watched_pages_.find(page); !covered && at != watched_pages_.end()) {
                ::mprotect(reinterpret_cast<void *>(page), kPage, at->second);
                watched_pages_.erase(at);
            }
        }
        return true;
    }
    std::map<uint64_t, int> added;
    for (uint64_t page = first; page <= last; page += kPage) {
        if (watched_pages_.contains(page))
            continue;
        auto protection = protection_of(page);
        if (!protection)
            return false; // nothing there to watch
        added[page] = *protection;
    }
    for (const auto &[page, protection] : added) {
        ::mprotect(reinterpret_cast<void *>(page), kPage, protection & ~PROT_WRITE);
        watched_pages_[page] = protection;
    }
    watches_.push_back({address, length});
    return true;
}

gdb::StopReply Debugger::resume(uint64_t thread, bool step) {
    std::unique_lock lock(mutex_);
    if (stopped_ && stopped_->kind != gdb::StopReply::Kind::signal)
        return *stopped_; // it has ended: nothing runs again
    command_ = {step ? thread : 0};
    stopped_.reset();
    uint64_t stops = stops_;
    resumes_++;
    changed_.notify_all();
    // Until the next stop, only gdb's interrupt is expected from gdb.
    while (stops_ == stops) {
        lock.unlock();
        bool open = take_incoming(true);
        lock.lock();
        if (!open)
            end(false);
    }
    return *stopped_;
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
    if (command.starts_with("goto ")) {
        std::string digits(command.substr(5));
        char *end = nullptr;
        uint64_t call = std::strtoull(digits.c_str(), &end, 10);
        if (digits.empty() || *end)
            return "monitor goto N: N is a call number\n";
        uint64_t next = replay_.next_call();
        if (call < next)
            return fmt::format("call {} is behind: the replay is before call {}, and going back "
                               "is not supported yet\n", call, next);
        if (call > next) {
            stop_at_ = call;
            auto reply = resume(0, false);
            if (reply.kind != gdb::StopReply::Kind::signal || replay_.next_call() < call)
                return fmt::format("the replay stopped before call {}; now before call {}\n",
                                   call, replay_.next_call());
        }
        return fmt::format("before call {} (gdb still holds the registers and stack it read "
                           "before: `maint flush register-cache` and `maint flush dcache`)\n",
                           call);
    }
    return "monitor commands: call (where the replay is), dump (the call to come), goto N "
           "(run to just before call N)\n";
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
        pollfd ready{in_, POLLIN, 0};
        if (::poll(&ready, 1, 100) == 0)
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
            if (running)
                interrupt_ = true;
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
    {
        std::unique_lock lock(mutex_); // the guest stops first (at its entry or call N)
        changed_.wait(lock, [&] { return stopped_.has_value(); });
    }
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
    for (const auto &[address, original] : breakpoints_)
        poke(address, original);
    breakpoints_.clear();
    protect_watched(false);
    watched_pages_.clear();
    attached_ = false;
    changed_.notify_all();
}

} // namespace bsc::replay
