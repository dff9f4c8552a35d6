// SPDX-License-Identifier: MIT
// gdb on a replay (bascule-replay replay --gdb): the replay layer's guest threads stop
// where gdb asks (software breakpoints, single steps, watched writes, before call N, gdb's
// interrupt) and a thread of the replaying process serves gdb's remote protocol
// (gdb/remote_session.h) over the connection the tool accepted. The replay's threads run
// one at a time in the recorded order, so a thread that stops holds the turn and every
// other thread waits: gdb's all-stop mode for free. Going backwards restarts the replay
// with a plan (debug_plan.h). See README.md, "Debugging a replay with gdb".
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bascule.h"
#include "checkpoints.h"
#include "debug_plan.h"
#include "memory_marks.h"
#include "remote_packets.h"
#include "remote_session.h"

namespace bsc::replay {

// Where a watchpoint stops: the watched address accessed, and the watch's kind.
struct Watched {
    uint64_t address = 0;
    gdb::WatchKind kind = gdb::WatchKind::write;
};

class Debugger final : private gdb::Target {
public:
    // What the replay layer tells the debugger.
    struct Replay {
        std::function<uint64_t()> next_call;           // the number of the call to come
        std::function<uint64_t()> events_taken;        // the process's events replayed
        std::function<std::string()> recent_calls;     // the last calls, one a line
        std::function<std::string()> next_call_text;   // the call to come, as `dump` shows it
        std::function<uint64_t()> output_shown;        // the events (of all the processes)
                                                       // up to the last output shown
        std::vector<std::string> restart; // the command that replays this trace from the
                                          // start on the same connection (--gdb-fds)
        bool changes_allowed = false;     // the user accepted a replay that diverges: gdb
                                          // may change memory and registers
        std::function<void()> interrupt_threads; // every guest thread gets an interrupt
        bool from_image = false; // the replay starts from an image taken while recording:
        uint64_t entry_stack = 0; // the stack its program entered with (0: not known)
        // With checkpoints (checkpoints.h; else empty): hands gdb to a replay from the
        // latest one the plan can start from; returns only if it cannot (false).
        std::function<bool(const Plan &, const CheckpointNeeds &)> restore = nullptr;
        std::function<std::string()> checkpoints = nullptr; // where they are, what they hold
    };
    // `in` and `out`: the connection to gdb (the same socket, or a pipe's two ends).
    // `stop_at`: the first stop is before that call (0: at the program's first
    // instruction). `plan`: this replay was started again to follow it.
    Debugger(int in, int out, uint64_t stop_at, std::optional<Plan> plan, Replay replay);
    // What a checkpoint's process keeps of the debugger for the replays it starts.
    struct Thread;
    struct Carried {
        int in, out;
        Replay replay;
        std::map<uint64_t, Thread *> threads;
        std::string program, auxv;
        uint64_t interval;
    };
    Debugger(Carried carried, Plan plan);
    ~Debugger() override;

    // The plan's output already shown (0 without one): the layer shows only what follows.
    uint64_t output_shown_before() const { return plan_ ? plan_->output_shown : 0; }

    // A forked replay process leaves debugging to its parent: it forgets the connection.
    void forget();
    // A checkpoint is taken now (checkpoints.h), in a process that does not debug; it
    // keeps what the replays it starts will need.
    Carried leave_guest();
    // Whether the guest may be checkpointed now: no thread is in a step of gdb's, and the
    // replay follows the recording.
    bool may_checkpoint();

    // The calling guest thread starts (number: the replay's own, from 0) or ends.
    void thread_started(uint32_t number);
    void thread_ended();
    // The calling thread enters an exception upcall (its record, in guest memory).
    void exception_entered(bsc_exception *record);
    // A breakpoint exception: true if it was the debugger's (a breakpoint it inserted, a
    // step it asked for); then the thread has stopped if it had to, and resumes with
    // `record`'s context as it now is.
    bool breakpoint_trap(bsc_exception *record);
    // A memory exception: true if it was an access to a page the debugger guards to watch
    // it; the thread then makes the access with the page as the guest has it, one
    // instruction (and stops after it if a watch stops there: a write that changed watched
    // memory, a read of it).
    bool memory_fault(bsc_exception *record);
    // Before call `number` of the process (a guest thread's).
    void before_call(uint64_t number);
    // An interrupt the recording did not have, which the replay swallows: if it is gdb's,
    // the thread stops there (a program computing without system calls).
    void interrupt_arrived(bsc_exception *record);
    // The process took an event: a new interval (debug_plan.h) begins.
    void event_taken();
    // A call changed the guest's memory in [address, address + size): its protection
    // (BSC_PROT_*) is `protection` now, or nothing if it was unmapped; `replaced`: new
    // contents were mapped there. Watched pages there keep their protection but for
    // writes; breakpoints and watches waiting for their code or data go in.
    void memory_changed(uint64_t address, uint64_t size, std::optional<uint32_t> protection,
                        bool replaced);
    // The replay layer writes what call `call` wrote into guest memory (`write`): watched
    // pages are writable meanwhile, and watched memory it changed stops the thread.
    void host_writes(uint64_t call, const std::function<void()> &write);
    // The replay layer reads guest memory (a call's inputs) from `on` until not `on`:
    // pages watched for reads are readable meanwhile.
    void host_reads(bool on);
    // The calling thread resumes `context` (thread_context_restore): the records it leaves
    // end; back in the program, a step ends there. The context to resume instead, if the
    // debugger changed it (the trap flag of a step).
    std::optional<bsc_cpu_context> before_restore(const bsc_cpu_context *context);
    // process_exec: the next return to the program enters it (its auxiliary vector is on
    // its stack then).
    void program_loading(std::string path);
    // The process ends: gdb hears of it, and the replay ends when gdb lets it go.
    void exited(int status);

    // What the debugger knows of a guest thread.
    struct Thread {
        uint64_t id = 0;      // gdb's: the replay's number + 1
        uint64_t gs_base = 0; // its thread control block (the context does not hold it)
        // The exception records it is inside, outermost first: the outermost holds the
        // program's registers while the LibOS serves a system call.
        std::vector<uint64_t> records;
        bsc_cpu_context *stopped_at = nullptr; // where it stopped, while it waits
        bool stepping = false;        // the trap flag is set for it
        bool stop_after_step = false; // else the step only took it over a breakpoint or write
        uint64_t reinsert = 0;        // the breakpoint taken out for that step
        uint64_t unprotected = 0;     // the watched page it accesses with this step
        uint64_t accessed = 0;        // the address the access faulted at
        uint64_t write_number = 0;    // that access's among the observed ones of the interval
        std::vector<uint8_t> watched_before, observed_before; // the watched bytes before it
        bool entering_program = false; // process_exec came: the next return is the entry
        uint64_t left_program = 0;     // the interval in which it last left the program
    };

private:
    // gdb::Target, answered on the server thread while the guest is stopped.
    std::vector<uint64_t> threads() override;
    std::optional<std::vector<uint8_t>> registers(uint64_t thread) override;
    std::vector<uint8_t> read_memory(uint64_t address, size_t length) override;
    bool write_memory(uint64_t address, const std::vector<uint8_t> &bytes) override;
    bool write_registers(uint64_t thread, const std::vector<uint8_t> &bytes) override;
    bool set_breakpoint(uint64_t address, bool on) override;
    bool set_watchpoint(uint64_t address, uint64_t length, gdb::WatchKind kind,
                        bool on) override;
    gdb::StopReply resume(uint64_t thread, bool step) override;
    std::optional<gdb::StopReply> reverse(bool step) override;
    gdb::StopReply last_stop() override;
    std::optional<std::string> object(std::string_view name, std::string_view annex) override;
    std::string monitor(std::string_view command) override;
    std::string go_to_call(uint64_t call);
    std::vector<uint8_t> registers_of(const Thread &thread, bsc_cpu_context &context);
    bsc_cpu_context *registers_at(const Thread &thread) const;
    bool may_change(std::string_view what);
    std::optional<std::string> cannot_go_back(bool history) const;
    void note_stop(Command command);

    // The server thread: the connection, and a plan followed before gdb is answered.
    void serve();
    bool take_incoming(bool running);
    void send(std::string_view bytes);
    void end(bool detach);
    void follow_plan();
    [[noreturn]] void restart(Plan plan);
    gdb::StopReply run(const Command &command);
    Command current_command(uint64_t step_thread) const;
    void place(const std::vector<uint64_t> &breakpoints, const std::vector<Watch> &watches);

    // Guest threads.
    struct Resume {
        uint64_t step_thread = 0; // the gdb id of the thread to step one instruction, or 0
    };
    Resume stop(gdb::StopReply reply, bsc_cpu_context *where, uint64_t call = 0);
    void step_or_continue(Thread &thread, bsc_cpu_context &context, const Resume &resume);
    std::optional<Watched> finish_step(Thread &thread);
    bsc_cpu_context *seen_at(const Thread &thread, bsc_cpu_context *context) const;
    bsc_cpu_context *at_call(const Thread &thread) const;
    Resume in_program(const Thread &thread, Resume resume) const;
    bool at_base(Mark::Kind kind, uint64_t address, uint64_t count) const;
    bool traced_step(Thread &thread);
    bool arrive(uint64_t address, bool stopping);
    void step_back();
    void note_candidate(Mark mark, gdb::StopReply reply, bool stopping);
    void note_program_entry(const bsc_cpu_context &context);
    Thread *calling_thread();

    // Breakpoints and watches in memory.
    void remove_breakpoint(uint64_t address);
    void unwatch_pages();
    void place_pending();

    static thread_local Thread *current_thread;

    int in_, out_;
    Replay replay_;
    gdb::RemoteSession session_;
    gdb::PacketDecoder decoder_;
    std::vector<std::string> pending_; // packets that came while the guest ran
    std::thread server_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<uint64_t, Thread *> threads_; // by gdb id (the replay's number + 1)
    std::optional<gdb::StopReply> stopped_;   // while a thread waits for gdb
    uint64_t stops_ = 0, resumes_ = 0;        // counts, to wait for the next
    Resume resume_;
    std::atomic<uint64_t> stop_at_;
    std::atomic<bool> interrupt_{false};
    std::atomic<bool> attached_{true}; // until gdb detaches: then nothing stops
    std::atomic<bool> diverged_{false}; // gdb changed the program (changes_allowed)
    // An interrupt stopped the program between calls, a place a restarted replay cannot
    // find again (no instruction counts): gdb's history starts again at its next stop
    // before a call.
    std::atomic<bool> history_cut_{false};
    uint64_t stop_call_ = 0; // the call the last stop was before, if it was one
    std::string program_, auxv_;

    MemoryMarks marks_;                     // what is in memory for all of these
    std::set<uint64_t> breakpoints_;        // gdb's (or a plan command's)
    std::vector<Watch> watches_;            // gdb's (or a plan command's)

    // Where gdb is: a base and the commands from there (debug_plan.h).
    Mark base_;
    std::vector<Command> log_;
    // A restarted replay's plan, and what it watches for it: breakpoints and watches in
    // place from the start, so that arrivals and writes count from each interval's start.
    std::optional<Plan> plan_;
    std::set<uint64_t> observed_;       // addresses
    std::vector<Watch> observed_watches_; // a search's: where its candidates' writes count
    std::vector<Watch> base_watches_;     // a change base's: where its writes count
    std::set<uint64_t> unplaced_;       // observed addresses not mapped yet
    bool base_reached_ = false;
    bool following_ = false;            // the plan's commands are being made
    uint64_t interval_ = 0;             // events taken when the interval began
    std::map<uint64_t, uint64_t> arrivals_; // observed or counted address -> arrivals in
                                            // the interval
    // gdb's breakpoints in place whenever the guest ran in this interval: their arrivals
    // count from its start. The arrival gdb's last resume stopped at, if one of those.
    std::set<uint64_t> counted_;
    std::optional<Mark> arrived_at_;
    uint64_t observed_writes_ = 0;      // writes to observed pages in the interval
    uint64_t base_writes_ = 0;          // and to the base's
    // A traced interval (a step base's, a step back's): from where the program resumes in
    // it, every instruction is a single step, counted.
    std::optional<uint64_t> traced_;
    bool tracing_ = false;
    uint64_t trace_steps_ = 0;
    std::optional<uint64_t> steps_to_exit_; // traced_to_exit: the steps to the last exit
    // Searching: the last two places gdb would have stopped at; the last is where the
    // search ends if it stopped the plan's last command.
    struct Candidate {
        Mark mark;
        gdb::StopReply reply;
        uint64_t stops_before = 0; // stops before it
        bool stopping = false;     // it stopped the thread
    };
    std::optional<Candidate> candidate_, earlier_candidate_;
};

} // namespace bsc::replay
