// SPDX-License-Identifier: MIT
#include "remote_session.h"

#include <algorithm>

#include <fmt/core.h>

#include "remote_packets.h"

namespace bsc::gdb {
namespace {

// Error codes of `Enn` replies: Linux's errno values, as gdbserver sends them.
constexpr uint8_t kNotPermitted = 1;    // EPERM: a change the target refuses
constexpr uint8_t kNotThere = 2;        // ENOENT: an object the target does not have (yet)
constexpr uint8_t kNoSuchThread = 3;    // ESRCH
constexpr uint8_t kBadAddress = 14;     // EFAULT
constexpr uint8_t kBadArguments = 22;   // EINVAL

std::string hex_number(uint64_t value) { return fmt::format("{:x}", value); }

// "ADDR,LENGTH" (m) or "ADDR,KIND" (Z): two hex numbers.
std::optional<std::pair<uint64_t, uint64_t>> two_numbers(std::string_view text) {
    auto comma = text.find(',');
    if (comma == std::string_view::npos)
        return std::nullopt;
    auto first = parse_hex_number(text.substr(0, comma));
    auto second = parse_hex_number(text.substr(comma + 1));
    if (!first || !second)
        return std::nullopt;
    return std::pair{*first, *second};
}

// A thread id of H, T or vCont: hex, or -1 (all) or 0 (any), both 0 here.
std::optional<uint64_t> thread_id(std::string_view text) {
    if (text == "-1")
        return 0;
    return parse_hex_number(text);
}

// A stop reply's reason for a watchpoint of this kind.
std::string_view watch_reason(WatchKind kind) {
    switch (kind) {
    case WatchKind::read: return "rwatch";
    case WatchKind::access: return "awatch";
    case WatchKind::write: break;
    }
    return "watch";
}

} // namespace

std::optional<std::string> RemoteSession::reply(std::string_view packet) {
    if (packet.empty())
        return "";
    switch (packet[0]) {
    case '?': return stop_reply(target_.last_stop());
    case 'q':
    case 'Q': return query(packet);
    case 'H': return set_thread(packet.substr(1));
    case 'T': return thread_alive(packet.substr(1));
    case 'g': {
        auto registers = target_.registers(current(registers_thread_));
        return registers ? to_hex(*registers) : error_reply(kNoSuchThread);
    }
    // Writes: memory as hex (not X's binary) and registers all at once (not P's one): gdb
    // falls back to M and G when these are not supported.
    case 'P':
    case 'X': return "";
    case 'G': return write_registers(packet.substr(1));
    case 'M': return write_memory(packet.substr(1));
    case 'm': return read_memory(packet.substr(1));
    case 'Z': return breakpoint(packet.substr(1), true);
    case 'z': return breakpoint(packet.substr(1), false);
    case 'c':
    case 's':
    case 'v': return resume(packet);
    case 'b': return reverse(packet);
    case 'D': ended_ = true; return "OK";
    case 'k': ended_ = true; return std::nullopt;
    default: return "";
    }
}

std::string RemoteSession::query(std::string_view packet) {
    if (packet.starts_with("qSupported"))
        return fmt::format("PacketSize={:x};QStartNoAckMode+;swbreak+;vContSupported+;"
                           "qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;ReverseContinue+;ReverseStep+",
                           kMaxPacketData);
    if (packet == "QStartNoAckMode") {
        acknowledging_ = false;
        return "OK";
    }
    if (packet == "qfThreadInfo") {
        std::string list = "m";
        for (uint64_t thread : target_.threads())
            list += (list.size() > 1 ? "," : "") + hex_number(thread);
        return list;
    }
    if (packet == "qsThreadInfo")
        return "l"; // the first reply held them all
    if (packet == "qC")
        return "QC" + hex_number(current(registers_thread_));
    if (packet == "qAttached")
        return "1"; // the program was there before gdb: a detach leaves it
    if (packet.starts_with("qSymbol"))
        return "OK"; // no symbols wanted
    if (packet.starts_with("qXfer:"))
        return transfer(packet.substr(6));
    if (packet.starts_with("qRcmd,"))
        return monitor(packet.substr(6));
    return "";
}

// "OBJECT:read:ANNEX:OFFSET,LENGTH": `l` and the object's last bytes from OFFSET, or `m`
// and LENGTH of them when more follow.
std::string RemoteSession::transfer(std::string_view arguments) {
    auto first = arguments.find(':');
    if (first == std::string_view::npos || arguments.substr(first + 1, 5) != "read:")
        return "";
    std::string_view name = arguments.substr(0, first), rest = arguments.substr(first + 6);
    auto last = rest.rfind(':');
    if (last == std::string_view::npos)
        return error_reply(kBadArguments);
    auto window = two_numbers(rest.substr(last + 1));
    if (!window)
        return error_reply(kBadArguments);
    // The objects qSupported names are supported; another is not.
    if (name != "features" && name != "auxv" && name != "exec-file")
        return "";
    auto object = target_.object(name, rest.substr(0, last));
    if (!object)
        return error_reply(kNotThere);
    auto [offset, length] = *window;
    if (offset >= object->size())
        return "l";
    // Escaped data may double in size: half a packet always fits.
    length = std::min<uint64_t>(length, kMaxPacketData / 2);
    bool more = object->size() - offset > length;
    return (more ? "m" : "l") + object->substr(offset, length);
}

// A monitor command's output goes back as hex ("OK" when it prints nothing).
std::string RemoteSession::monitor(std::string_view hex_command) {
    auto command = from_hex(hex_command);
    if (!command)
        return error_reply(kBadArguments);
    std::string output =
        target_.monitor(std::string_view(reinterpret_cast<const char *>(command->data()),
                                         command->size()));
    return output.empty() ? "OK" : to_hex(output);
}

std::string RemoteSession::read_memory(std::string_view arguments) {
    auto request = two_numbers(arguments);
    if (!request)
        return error_reply(kBadArguments);
    auto [address, length] = *request;
    if (length == 0)
        return "";
    // What fits in one reply: gdb reads the rest with the next packet.
    auto bytes = target_.read_memory(address, std::min<uint64_t>(length, kMaxPacketData / 2));
    return bytes.empty() ? error_reply(kBadAddress) : to_hex(bytes);
}

// "ADDR,LENGTH:HEX".
std::string RemoteSession::write_memory(std::string_view arguments) {
    auto colon = arguments.find(':');
    auto request = two_numbers(arguments.substr(0, colon));
    auto bytes = colon == std::string_view::npos ? std::nullopt
                                                 : from_hex(arguments.substr(colon + 1));
    if (!request || !bytes || bytes->size() != request->second)
        return error_reply(kBadArguments);
    if (bytes->empty())
        return "OK";
    return target_.write_memory(request->first, *bytes) ? "OK" : error_reply(kNotPermitted);
}

std::string RemoteSession::write_registers(std::string_view hex) {
    auto bytes = from_hex(hex);
    if (!bytes)
        return error_reply(kBadArguments);
    return target_.write_registers(current(registers_thread_), *bytes) ? "OK"
                                                                       : error_reply(kNotPermitted);
}

// "0,ADDR,KIND": a software breakpoint; "2,ADDR,LENGTH", "3,…", "4,…": a watchpoint on
// writes, reads, or both. Hardware breakpoints (1) are not supported: an empty reply says so.
std::string RemoteSession::breakpoint(std::string_view arguments, bool on) {
    if (arguments.size() < 2 || arguments[1] != ',' || arguments[0] < '0' || arguments[0] > '4' ||
        arguments[0] == '1')
        return "";
    auto request = two_numbers(arguments.substr(2));
    if (!request)
        return error_reply(kBadArguments);
    auto [address, size] = *request;
    bool done = arguments[0] == '0'
                    ? target_.set_breakpoint(address, on)
                    : size && target_.set_watchpoint(
                                  address, size, static_cast<WatchKind>(arguments[0] - '0'), on);
    return done ? "OK" : error_reply(kBadAddress);
}

std::string RemoteSession::set_thread(std::string_view arguments) {
    if (arguments.empty() || (arguments[0] != 'g' && arguments[0] != 'c'))
        return error_reply(kBadArguments);
    auto id = thread_id(arguments.substr(1));
    if (!id)
        return error_reply(kBadArguments);
    if (*id && !is_thread(*id))
        return error_reply(kNoSuchThread);
    (arguments[0] == 'g' ? registers_thread_ : resume_thread_) = *id;
    return "OK";
}

std::string RemoteSession::thread_alive(std::string_view arguments) {
    auto id = thread_id(arguments);
    return id && is_thread(*id) ? "OK" : error_reply(kNoSuchThread);
}

bool RemoteSession::is_thread(uint64_t id) {
    auto known = target_.threads();
    return std::ranges::find(known, id) != known.end();
}

// c, s (without an address: a replay resumes where it is), vCont? and vCont;ACTION[:TID]...
// A signal gdb passes on (C, S) is the recording's own, delivered as it was: the same as
// c and s here.
std::string RemoteSession::resume(std::string_view packet) {
    if (packet == "vCont?")
        return "vCont;c;C;s;S";
    if (packet == "c" || packet == "s")
        return stop_reply(target_.resume(current(resume_thread_), packet == "s"));
    if (!packet.starts_with("vCont;"))
        return packet.size() > 1 && (packet[0] == 'c' || packet[0] == 's')
                   ? error_reply(kBadArguments) // resuming elsewhere would diverge
                   : "";
    // The action naming a thread to step decides; else every thread continues.
    std::string_view actions = packet.substr(6);
    uint64_t thread = current(resume_thread_);
    bool step = false;
    while (!actions.empty()) {
        auto end = actions.find(';');
        std::string_view action = actions.substr(0, end);
        actions = end == std::string_view::npos ? std::string_view() : actions.substr(end + 1);
        if (action.empty() || (action[0] != 'c' && action[0] != 'C' && action[0] != 's' &&
                               action[0] != 'S'))
            return error_reply(kBadArguments);
        if (action[0] != 's' && action[0] != 'S')
            continue;
        step = true;
        if (auto colon = action.find(':'); colon != std::string_view::npos) {
            auto id = thread_id(action.substr(colon + 1));
            if (!id)
                return error_reply(kBadArguments);
            thread = current(*id);
        }
        break;
    }
    return stop_reply(target_.resume(thread, step));
}

// bc and bs: backwards.
std::string RemoteSession::reverse(std::string_view packet) {
    if (packet != "bc" && packet != "bs")
        return "";
    auto stop = target_.reverse(packet == "bs");
    return stop ? stop_reply(*stop) : error_reply(kNotPermitted);
}

std::string RemoteSession::stop_reply(const StopReply &stop) const {
    switch (stop.kind) {
    case StopReply::Kind::exited: return fmt::format("W{:02x}", stop.value & 0xff);
    case StopReply::Kind::killed: return fmt::format("X{:02x}", stop.value & 0xff);
    case StopReply::Kind::signal: break;
    }
    std::string reason =
        stop.history_begins        ? "replaylog:begin;"
        : stop.software_breakpoint ? "swbreak:;"
        : stop.watched ? fmt::format("{}:{:x};", watch_reason(stop.watch_kind), *stop.watched)
                       : "";
    return fmt::format("T{:02x}thread:{:x};{}", stop.value & 0xff, stop.thread, reason);
}

// A thread gdb named, or for 0 (any) the one that stopped last, else the first.
uint64_t RemoteSession::current(uint64_t chosen) {
    if (chosen)
        return chosen;
    if (uint64_t stopped = target_.last_stop().thread)
        return stopped;
    auto known = target_.threads();
    return known.empty() ? 1 : known.front();
}

} // namespace bsc::gdb
