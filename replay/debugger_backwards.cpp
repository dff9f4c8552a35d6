// SPDX-License-Identifier: MIT
// The debugger going backwards (README.md, "Going backwards"): gdb's reverse commands
// restart the replay with a plan (debug_plan.h), which the restarted replay follows before
// it answers gdb again.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "debugger.h"

namespace bsc::replay {

// Backwards: the replay starts again and finds the last place before this one where a
// breakpoint or watchpoint of gdb's would have stopped it, or (a step) the instruction
// before this one (debug_plan.h).
std::optional<gdb::StopReply> Debugger::reverse(bool step) {
    if (auto why = cannot_go_back(true)) {
        fmt::print(stderr, "bascule-replay: {}", *why);
        return std::nullopt;
    }
    Plan plan;
    plan.base = base_;
    plan.commands = log_;
    plan.search = !step;
    plan.step_back = step;
    plan.traced = interval_;
    auto command = current_command(0);
    plan.breakpoints = std::move(command.breakpoints);
    plan.watches = std::move(command.watches);
    restart(std::move(plan));
}

// Going back replays the recording again: not after gdb changed the program; nor, to a
// place found from gdb's history (`history`: reverse execution, not `monitor goto`), from
// a history with no exact place to start from. Why not, if it cannot.
std::optional<std::string> Debugger::cannot_go_back(bool history) const {
    if (diverged_)
        return "the replay diverged from the recording at gdb's change: it cannot go "
               "backwards\n";
    if (history && history_cut_)
        return "an interrupt stopped the program between calls, a place the replay cannot "
               "find again: to go backwards, stop before a call first (`monitor goto N`)\n";
    return std::nullopt;
}

// gdb's command has stopped the guest: where it stopped becomes the base if a replay finds
// it on its own (an arrival at a breakpoint counted from its interval's start, before a
// call), so that going back starts from a checkpoint near it; else the command goes on
// the log. After a cut, the first such stop starts gdb's history again.
void Debugger::note_stop(Command command) {
    std::lock_guard lock(mutex_);
    auto here = std::exchange(arrived_at_, std::nullopt);
    if (!here && stop_call_)
        here = Mark{Mark::Kind::call, 0, 0, stop_call_, {}};
    if (!here) {
        log_.push_back(std::move(command));
        return;
    }
    base_ = *here;
    log_.clear();
    history_cut_ = false;
}

namespace {

// What a plan needs of the checkpoint it starts from: one before every interval it
// counts in (and before its base, which commands start from).
CheckpointNeeds needs_of(const Plan &plan) {
    CheckpointNeeds needs;
    if (plan.base.kind == Mark::Kind::start)
        needs.from_start = true;
    else if (plan.base.kind == Mark::Kind::call)
        needs.before_call = plan.base.count;
    else
        needs.interval = plan.base.event;
    if (plan.step_back)
        needs.interval = std::min(needs.interval, plan.traced);
    if (plan.checkpoint_before)
        needs.before_call = std::min(needs.before_call, plan.checkpoint_before);
    return needs;
}

} // namespace

// Replays the trace again to follow `plan`, on the same connection: from a checkpoint,
// or from the start in this process.
void Debugger::restart(Plan plan) {
    plan.acknowledging = session_.acknowledging();
    plan.output_shown = replay_.output_shown();
    if (replay_.restore && !replay_.restore(plan, needs_of(plan))) {
        fmt::print(stderr, "bascule-replay: cannot go back: no checkpoint took over\n");
        std::_Exit(1);
    }
    int fd = write_plan_file(plan);
    if (fd < 0 || ::fcntl(fd, F_SETFD, 0) != 0) {
        fmt::print(stderr, "bascule-replay: cannot restart the replay: {}\n", std::strerror(errno));
        std::_Exit(1);
    }
    for (int connection : {in_, out_}) // the connection goes on in the new replay
        ::fcntl(connection, F_SETFD, 0);
    std::vector<std::string> arguments = replay_.restart;
    arguments.insert(arguments.end(), {"--gdb-plan", std::to_string(fd)});
    std::vector<char *> argv;
    for (auto &argument : arguments)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::fflush(nullptr);
    ::execv(argv[0], argv.data());
    fmt::print(stderr, "bascule-replay: cannot restart the replay ({}): {}\n", argv[0],
               std::strerror(errno));
    std::_Exit(1);
}

// The guest has stopped at the plan's base: the commands from there, as gdb gave them;
// then a search goes on to its last place, and gdb hears where the replay is.
void Debugger::follow_plan() {
    following_ = true;
    for (const Command &command : plan_->commands) {
        place(command.breakpoints, command.watches);
        run(command);
    }
    following_ = false;
    if (plan_->step_back)
        step_back();
    if (plan_->search) {
        // The place where the last command stopped is where gdb is: not before it.
        auto found = candidate_;
        if (found && found->stopping && found->stops_before + 1 == stops_)
            found = earlier_candidate_;
        Plan next = *plan_;
        next.commands.clear();
        if (!found && plan_->checkpoint_call) {
            // Nothing after the checkpoint this replay started from: the search goes on
            // before it, from an earlier one to before its call (the checkpoint was taken
            // in that call, before the program ran again).
            next.base = {Mark::Kind::call, 0, 0, plan_->checkpoint_call, {}};
            next.checkpoint_before = plan_->checkpoint_call;
            restart(std::move(next));
        }
        next.search = false;
        next.checkpoint_before = 0;
        next.at_history_start = !found;
        next.base = found ? found->mark : Mark{};
        restart(std::move(next));
    }
    place(plan_->breakpoints, plan_->watches);
    base_ = plan_->base;
    log_ = plan_->commands;
    {
        std::lock_guard lock(mutex_); // from here on the debugger is gdb's alone
        for (uint64_t address : std::exchange(observed_, {}))
            if (!breakpoints_.contains(address))
                marks_.remove(address);
        unplaced_.clear();
        observed_watches_.clear();
        base_watches_.clear();
        unwatch_pages();
    }
    if (plan_->reply == Plan::Reply::monitor) {
        send(gdb::encode_packet(gdb::to_hex(go_to_call(replay_.next_call()))));
        return;
    }
    gdb::StopReply reply = last_stop();
    if (plan_->at_history_start)
        reply.history_begins = true;
    send(gdb::encode_packet(session_.stop_reply(reply)));
}

// At the end of a step back's plan, the trace says how many instructions the program ran
// in this interval to get here: the replay restarts to stop one before. Where it ran none
// (it had just resumed, after a system call), a second trace counts them in the interval
// where it left the program, to stop at the instruction that left it.
void Debugger::step_back() {
    Plan next = *plan_;
    if (!plan_->traced_to_exit && !(tracing_ && trace_steps_ > 0)) {
        // It had just resumed: the instruction before is where it left the program.
        std::lock_guard lock(mutex_);
        auto stopped = stopped_ ? threads_.find(stopped_->thread) : threads_.end();
        next.traced = stopped != threads_.end() ? stopped->second->left_program : 0;
        next.traced_to_exit = true;
        restart(std::move(next));
    }
    next.step_back = next.traced_to_exit = false;
    next.commands.clear();
    if (plan_->traced_to_exit && steps_to_exit_)
        next.base = {Mark::Kind::step, plan_->traced, 0, *steps_to_exit_, {}};
    else if (!plan_->traced_to_exit)
        next.base = {Mark::Kind::step, interval_, 0, trace_steps_ - 1, {}};
    else
        next.at_history_start = true, next.base = {}; // it never ran before
    restart(std::move(next));
}

} // namespace bsc::replay
