// SPDX-License-Identifier: MIT
// gdb on a replay (bascule-replay replay --gdb): the replay layer's guest threads stop
// where gdb asks (software breakpoints, single steps, before call N, gdb's interrupt) and
// a thread of the replaying process serves gdb's remote protocol (gdb/remote_session.h)
// over the connection the tool accepted. The replay's threads run one at a time in the
// recorded order, so a thread that stops holds the turn and every other thread waits:
// gdb's all-stop mode for free. See README.md, "Debugging a replay with gdb".
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bascule.h"
#include "remote_packets.h"
#include "remote_session.h"

namespace bsc::replay {

class Debugger final : private gdb::Target {
public:
    // What the replay layer tells gdb's monitor commands.
    struct Replay {
        std::function<uint64_t()> next_call;           // the number of the call to come
        std::function<std::string()> recent_calls;     // the last calls, one a line
        std::function<std::string()> next_call_text;   // the call to come, as `dump` shows it
    };
    // `in` and `out`: the connection to gdb (the same socket, or a pipe's two ends).
    // `stop_at`: the first stop is before that call (0: at the program's first instruction).
    Debugger(int in, int out, uint64_t stop_at, Replay replay);
    ~Debugger() override;

    // A forked replay process leaves debugging to its parent: it forgets the connection.
    void forget();

    // The calling guest thread starts (number: the replay's own, from 0) or ends.
    void thread_started(uint32_t number);
    void thread_ended();
    // The calling thread enters an exception upcall (its record, in guest memory).
    void exception_entered(bsc_exception *record);
    // A breakpoint exception: true if it was the debugger's (a breakpoint it inserted, a
    // step it asked for); then the thread has stopped if it had to, and resumes with
    // `record`'s context as it now is.
    bool breakpoint_trap(bsc_exception *record);
    // A memory exception: true if it was a write to a page the debugger protected to
    // watch it; the thread then makes the write with the page writable, one instruction
    // (and stops after it if the write touched a watched range).
    bool memory_fault(bsc_exception *record);
    // Before call `number` of the process (a guest thread's).
    void before_call(uint64_t number);
    // The replay layer writes what the call wrote into guest memory (`write`): watched
    // pages are writable meanwhile, and a watched range it changed stops the thread.
    void host_writes(const std::function<void()> &write);
    // The guest changed the protection of [address, address + size): watched pages there
    // keep it, but for writes.
    void protection_changed(uint64_t address, uint64_t size, uint32_t protection);
    // The calling thread resumes `context` (thread_context_restore): the records it leaves
    // end; back in the program, a step ends there. The context to resume instead, if the
    // debugger changed it (the trap flag of a step).
    std::optional<bsc_cpu_context> before_restore(const bsc_cpu_context *context);
    // process_exec: the next return to the program enters it (its auxiliary vector is on
    // its stack then).
    void program_loading(std::string path);
    // The process ends: gdb hears of it, and the replay ends when gdb lets it go.
    void exited(int status);

private:
    struct Thread;
    struct Command {
        uint64_t step_thread = 0; // the gdb id of the thread to step one instruction, or 0
    };

    // gdb::Target, answered on the server thread while the guest is stopped.
    std::vector<uint64_t> threads() override;
    std::optional<std::vector<uint8_t>> registers(uint64_t thread) override;
    std::vector<uint8_t> read_memory(uint64_t address, size_t length) override;
    bool set_breakpoint(uint64_t address, bool on) override;
    gdb::StopReply resume(uint64_t thread, bool step) override;
    gdb::StopReply last_stop() override;
    std::optional<std::string> object(std::string_view name, std::string_view annex) override;
    std::string monitor(std::string_view command) override;

    void serve();
    bool take_incoming(bool running);
    void send(std::string_view bytes);
    void end(bool detach);
    Command stop(gdb::StopReply reply, const bsc_cpu_context *where);
    void step_or_continue(Thread &thread, bsc_cpu_context &context, const Command &command);
    void note_program_entry(const bsc_cpu_context &context);
    bool poke(uint64_t address, uint8_t byte);
    bool set_watchpoint(uint64_t address, uint64_t length, bool on) override;
    std::optional<uint64_t> finish_step(Thread &thread);
    std::optional<uint64_t> first_change(const std::vector<uint8_t> &before,
                                         const std::vector<uint8_t> &after) const;
    std::vector<uint8_t> watched_bytes();
    void protect_watched(bool on);
    Thread *calling_thread();

    static thread_local Thread *current_thread;

    int in_, out_;
    int memory_ = -1; // /proc/self/mem: breakpoints go into read-only code through it
    Replay replay_;
    gdb::RemoteSession session_;
    std::thread server_;

    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<uint64_t, Thread *> threads_; // by gdb id (the replay's number + 1)
    std::map<uint64_t, uint8_t> breakpoints_; // address -> the byte int3 replaced
    struct Watch {
        uint64_t address, length;
    };
    std::vector<Watch> watches_;
    std::map<uint64_t, int> watched_pages_; // page -> its protection as the guest has it
    std::optional<gdb::StopReply> stopped_;   // while a thread waits for gdb
    uint64_t stops_ = 0, resumes_ = 0;        // counts, to wait for the next
    Command command_;
    std::atomic<uint64_t> stop_at_;
    std::atomic<bool> interrupt_{false};
    std::atomic<bool> attached_{true}; // until gdb detaches: then nothing stops
    std::string program_, auxv_;
    gdb::PacketDecoder decoder_;
    std::vector<std::string> pending_; // packets that came while the guest ran
};

} // namespace bsc::replay
