// SPDX-License-Identifier: MIT
// One gdb connection's conversation (gdb's manual, "Remote Protocol", "Packets"): the
// reply to each packet, from what a Target says of the program being debugged. The
// replay is the target (a later step); the session knows packets, not the replay: what a
// register set holds and how a program resumes are the target's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bsc::gdb {

// What a watchpoint stops at, numbered as the Z packets number them: writes that change
// the watched memory (gdb's `watch`), reads (`rwatch`), reads or writes (`awatch`).
enum class WatchKind : uint8_t { write = 2, read = 3, access = 4 };

// Why the program stopped, as a stop reply tells gdb.
struct StopReply {
    enum class Kind { signal, exited, killed };
    Kind kind = Kind::signal;
    int value = 5;        // signal: the signal (SIGTRAP); exited: the status; killed: the signal
    uint64_t thread = 0;  // signal: the thread that stopped
    bool software_breakpoint = false; // signal: at a Z0 breakpoint (swbreak)
    std::optional<uint64_t> watched{}; // signal: after an access to this watched address
    bool history_begins = false; // signal: going backwards, the replay reached its start
    WatchKind watch_kind = WatchKind::write; // signal: the watchpoint's, with `watched`
};

class Target {
public:
    virtual ~Target() = default;
    // Thread ids as gdb sees them (positive, the first is the initial thread).
    virtual std::vector<uint64_t> threads() = 0;
    // The thread's registers in the target description's order, little-endian, as `g`
    // sends them; nothing for an unknown thread.
    virtual std::optional<std::vector<uint8_t>> registers(uint64_t thread) = 0;
    // Up to `length` bytes from `address`: fewer where the readable memory ends, none if
    // the first byte is unreadable.
    virtual std::vector<uint8_t> read_memory(uint64_t address, size_t length) = 0;
    // gdb changes memory, or a thread's registers (all of them, in the `g` order): false
    // if the target refuses (it says why) or cannot.
    virtual bool write_memory(uint64_t address, const std::vector<uint8_t> &bytes) = 0;
    virtual bool write_registers(uint64_t thread, const std::vector<uint8_t> &bytes) = 0;
    // Sets or clears a software breakpoint; false if it cannot be (no code there).
    virtual bool set_breakpoint(uint64_t address, bool on) = 0;
    // Sets or clears a watchpoint of `kind` on `length` bytes at `address` (Z2, Z3, Z4);
    // false if it cannot be (no memory there).
    virtual bool set_watchpoint(uint64_t address, uint64_t length, WatchKind kind, bool on) = 0;
    // Runs the program (every thread; `step`: the given thread one instruction) until it
    // stops, and says why.
    virtual StopReply resume(uint64_t thread, bool step) = 0;
    // Runs it backwards (`step`: one instruction) to where it last stopped or would have,
    // and says why it stopped there; nothing if it cannot.
    virtual std::optional<StopReply> reverse(bool step) = 0;
    // Why it is stopped now (before the first resume: where the replay starts).
    virtual StopReply last_stop() = 0;
    // An object gdb reads whole with qXfer ("features" with annex "target.xml": the target
    // description; "auxv": the program's auxiliary vector; "exec-file": its path); nothing
    // if the target has none.
    virtual std::optional<std::string> object(std::string_view name, std::string_view annex) = 0;
    // What a `monitor COMMAND` prints.
    virtual std::string monitor(std::string_view command) = 0;
};

class RemoteSession {
public:
    explicit RemoteSession(Target &target) : target_(target) {}

    // The reply's data to one packet's data ("" tells gdb the packet is not supported);
    // nothing for the one packet that takes no reply (`k`).
    std::optional<std::string> reply(std::string_view packet);
    // Whether packets are acknowledged (+/-): until gdb asks for QStartNoAckMode.
    bool acknowledging() const { return acknowledging_; }
    // After `D` (detach) or `k` (kill): the connection is to end.
    bool ended() const { return ended_; }
    // A connection taken over where gdb had asked for QStartNoAckMode already.
    void skip_acknowledgements() { acknowledging_ = false; }
    // The stop reply's data for `stop`.
    std::string stop_reply(const StopReply &stop) const;

private:
    std::string query(std::string_view packet);
    std::string transfer(std::string_view arguments);
    std::string monitor(std::string_view hex_command);
    std::string read_memory(std::string_view arguments);
    std::string write_memory(std::string_view arguments);
    std::string write_registers(std::string_view hex);
    std::string breakpoint(std::string_view packet, bool on);
    std::string set_thread(std::string_view arguments);
    std::string resume(std::string_view packet);
    std::string reverse(std::string_view packet);
    std::string thread_alive(std::string_view arguments);
    bool is_thread(uint64_t id);
    uint64_t current(uint64_t chosen);

    Target &target_;
    bool acknowledging_ = true;
    bool ended_ = false;
    uint64_t registers_thread_ = 0; // Hg: 0 (any) until gdb chooses
    uint64_t resume_thread_ = 0;    // Hc
};

} // namespace bsc::gdb
