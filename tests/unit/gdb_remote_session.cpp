// SPDX-License-Identifier: MIT
// gdb's packets answered from a target: the handshake, threads, registers, memory,
// breakpoints, resuming and stop replies, refused writes, malformed and unknown packets.
#include <catch2/catch.hpp>

#include <map>

#include "remote_session.h"

using namespace bsc::gdb;

namespace {

// A program of two threads, 16 bytes of memory at 0x1000, and a record of what gdb asked.
struct FakeTarget : Target {
    std::vector<uint64_t> threads() override { return {1, 2}; }
    std::optional<std::vector<uint8_t>> registers(uint64_t thread) override {
        if (thread != 1 && thread != 2)
            return std::nullopt;
        return std::vector<uint8_t>{static_cast<uint8_t>(thread), 0, 0xab};
    }
    bool write_memory(uint64_t address, const std::vector<uint8_t> &bytes) override {
        written_at = address;
        written = bytes;
        return address == 0x1002;
    }
    bool write_registers(uint64_t thread, const std::vector<uint8_t> &bytes) override {
        registers_written = thread;
        written = bytes;
        return !bytes.empty();
    }
    std::vector<uint8_t> read_memory(uint64_t address, size_t length) override {
        std::vector<uint8_t> out;
        for (uint64_t a = address; a < address + length && a >= 0x1000 && a < 0x1010; a++)
            out.push_back(static_cast<uint8_t>(a & 0xff));
        return out;
    }
    bool set_breakpoint(uint64_t address, bool on) override {
        if (address < 0x1000 || address >= 0x1010)
            return false;
        breakpoints[address] = on;
        return true;
    }
    bool set_watchpoint(uint64_t address, uint64_t length, WatchKind kind, bool on) override {
        if (address < 0x1000 || address + length > 0x1010)
            return false;
        watchpoints[{address, length}] = on;
        watch_kinds[address] = kind;
        return true;
    }
    StopReply resume(uint64_t thread, bool step) override {
        resumed.push_back({thread, step});
        return next;
    }
    std::optional<StopReply> reverse(bool step) override {
        reversed.push_back(step);
        if (step)
            return std::nullopt;
        return StopReply{StopReply::Kind::signal, 5, 1, false, {}, true};
    }
    StopReply last_stop() override { return {StopReply::Kind::signal, 5, 1, false}; }
    std::optional<std::string> object(std::string_view name, std::string_view annex) override {
        if (name == "features" && annex == "target.xml")
            return std::string("<target>$#}</target>");
        return std::nullopt;
    }
    std::string monitor(std::string_view command) override {
        return command == "call" ? "call 7\n" : "";
    }

    std::map<uint64_t, bool> breakpoints;
    std::map<std::pair<uint64_t, uint64_t>, bool> watchpoints;
    std::map<uint64_t, WatchKind> watch_kinds;
    uint64_t written_at = 0, registers_written = 0;
    std::vector<uint8_t> written;
    std::vector<bool> reversed;
    std::vector<std::pair<uint64_t, bool>> resumed;
    StopReply next{StopReply::Kind::signal, 5, 2, true};
};

} // namespace

TEST_CASE("gdb session: the handshake and the program's threads", "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("qSupported:multiprocess+;swbreak+;xmlRegisters=i386") ==
          "PacketSize=4000;QStartNoAckMode+;swbreak+;vContSupported+;qXfer:features:read+;"
          "qXfer:auxv:read+;qXfer:exec-file:read+;ReverseContinue+;ReverseStep+");
    CHECK(session.acknowledging());
    CHECK(session.reply("QStartNoAckMode") == "OK");
    CHECK_FALSE(session.acknowledging());
    CHECK(session.reply("?") == "T05thread:1;");
    CHECK(session.reply("qfThreadInfo") == "m1,2");
    CHECK(session.reply("qsThreadInfo") == "l");
    CHECK(session.reply("qC") == "QC1");
    CHECK(session.reply("qAttached") == "1");
    CHECK(session.reply("T2") == "OK");
    CHECK(session.reply("T9") == "E03");
    CHECK(session.reply("vMustReplyEmpty") == "");
    CHECK(session.reply("qXfer:nothing:read::0,10") == ""); // unknown: not supported
}

TEST_CASE("gdb session: registers and memory of the thread gdb chose", "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("g") == "0100ab"); // the thread that stopped
    CHECK(session.reply("Hg2") == "OK");
    CHECK(session.reply("g") == "0200ab");
    CHECK(session.reply("Hg7") == "E03");
    CHECK(session.reply("Hg-1") == "OK");
    CHECK(session.reply("Hx1") == "E16");
    CHECK(session.reply("m1000,4") == "00010203");
    CHECK(session.reply("m100e,8") == "0e0f"); // up to where the memory ends
    CHECK(session.reply("m2000,4") == "E0e");
    CHECK(session.reply("m1000,0") == "");
    CHECK(session.reply("m1000") == "E16");
    CHECK(session.reply("mzz,4") == "E16");
}

TEST_CASE("gdb session: writes go to the target, which may refuse them", "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("M1002,2:abcd") == "OK");
    CHECK(target.written == std::vector<uint8_t>{0xab, 0xcd});
    CHECK(target.written_at == 0x1002);
    CHECK(session.reply("M1002,0:") == "OK");
    CHECK(session.reply("M2000,1:ff") == "E01"); // refused
    CHECK(session.reply("M1002,2:ab") == "E16"); // the length says two bytes
    CHECK(session.reply("M1002,1") == "E16");
    CHECK(session.reply("M1002,1:zz") == "E16");
    CHECK(session.reply("Hg2") == "OK");
    CHECK(session.reply("G0102") == "OK");
    CHECK(target.written == std::vector<uint8_t>{1, 2});
    CHECK(target.registers_written == 2);
    CHECK(session.reply("G") == "E01"); // refused
    CHECK(session.reply("G0") == "E16");
    // One register, and binary memory: gdb uses G and M instead.
    CHECK(session.reply("P0=00") == "");
    CHECK(session.reply("X1000,1:\xff") == "");
}

TEST_CASE("gdb session: breakpoints, continuing, stepping, and how the program stopped",
          "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("Z0,1004,1") == "OK");
    CHECK(target.breakpoints.at(0x1004));
    CHECK(session.reply("z0,1004,1") == "OK");
    CHECK_FALSE(target.breakpoints.at(0x1004));
    CHECK(session.reply("Z0,5000,1") == "E0e");
    CHECK(session.reply("Z2,1004,4") == "OK"); // writes to 4 bytes
    CHECK(target.watchpoints.at({0x1004, 4}));
    CHECK(session.reply("z2,1004,4") == "OK");
    CHECK_FALSE(target.watchpoints.at({0x1004, 4}));
    CHECK(session.reply("Z2,100e,4") == "E0e");   // past the memory
    CHECK(session.reply("Z2,1004,0") == "E0e");   // nothing to watch
    CHECK(session.reply("Z3,1008,2") == "OK");    // reads
    CHECK(target.watch_kinds.at(0x1008) == WatchKind::read);
    CHECK(session.reply("Z4,100c,4") == "OK");    // reads and writes
    CHECK(target.watch_kinds.at(0x100c) == WatchKind::access);
    CHECK(session.reply("Z5,1004,4") == "");      // no such type
    CHECK(session.reply("Z1,1004,1") == "");      // hardware breakpoints: not supported
    CHECK(session.reply("Z0,1004") == "E16");
    CHECK(session.reply("c") == "T05thread:2;swbreak:;");
    CHECK(session.reply("vCont?") == "vCont;c;C;s;S");
    CHECK(session.reply("vCont;s:2;c") == "T05thread:2;swbreak:;");
    CHECK(session.reply("Hc1") == "OK");
    CHECK(session.reply("s") == "T05thread:2;swbreak:;");
    CHECK(session.reply("vCont;C0b") == "T05thread:2;swbreak:;");
    CHECK(target.resumed == std::vector<std::pair<uint64_t, bool>>{
                                {1, false}, {2, true}, {1, true}, {1, false}});
    CHECK(session.reply("c1000") == "E16"); // resuming elsewhere would leave the recording
    CHECK(session.reply("vCont;x") == "E16");
    target.next = {StopReply::Kind::signal, 5, 1, false, 0x1008};
    CHECK(session.reply("c") == "T05thread:1;watch:1008;");
    target.next.watch_kind = WatchKind::read;
    CHECK(session.reply("c") == "T05thread:1;rwatch:1008;");
    target.next.watch_kind = WatchKind::access;
    CHECK(session.reply("c") == "T05thread:1;awatch:1008;");
    target.next = {StopReply::Kind::exited, 3, 0, false};
    CHECK(session.reply("c") == "W03");
    target.next = {StopReply::Kind::killed, 9, 0, false};
    CHECK(session.reply("c") == "X09");
}

TEST_CASE("gdb session: detach and kill end it", "[gdb]") {
    FakeTarget target;
    RemoteSession detached(target);
    CHECK(detached.reply("D") == "OK");
    CHECK(detached.ended());
    RemoteSession killed(target);
    CHECK_FALSE(killed.reply("k"));
    CHECK(killed.ended());
    CHECK(RemoteSession(target).reply("") == "");
}

TEST_CASE("gdb session: objects read in windows, and monitor commands", "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("qXfer:features:read:target.xml:0,1000") == "l<target>$#}</target>");
    CHECK(session.reply("qXfer:features:read:target.xml:0,5") == "m<targ");
    CHECK(session.reply("qXfer:features:read:target.xml:5,5") == "met>$#");
    CHECK(session.reply("qXfer:features:read:target.xml:11,5") == "let>"); // hex: 17
    CHECK(session.reply("qXfer:features:read:target.xml:14,5") == "l");    // 20: the end
    CHECK(session.reply("qXfer:features:read:other.xml:0,5") == "E02"); // not there
    CHECK(session.reply("qXfer:auxv:read::0,100") == "E02");
    CHECK(session.reply("qXfer:osdata:read::0,100") == ""); // not supported
    CHECK(session.reply("qXfer:features:write:target.xml:0,5") == "");
    CHECK(session.reply("qXfer:features:read:target.xml:zz,5") == "E16");
    CHECK(session.reply("qXfer:features:read") == "");
    CHECK(session.reply("qRcmd,63616c6c") == "63616c6c20370a"); // "call" -> "call 7\n"
    CHECK(session.reply("qRcmd,6e6f6e65") == "OK");              // prints nothing
    CHECK(session.reply("qRcmd,6") == "E16");
}

TEST_CASE("gdb session: going backwards", "[gdb]") {
    FakeTarget target;
    RemoteSession session(target);
    CHECK(session.reply("bc") == "T05thread:1;replaylog:begin;");
    CHECK(session.reply("bs") == "E01"); // the target cannot
    CHECK(session.reply("bx") == "");
    CHECK(target.reversed == std::vector<bool>{false, true});
    session.skip_acknowledgements();
    CHECK_FALSE(session.acknowledging());
}
