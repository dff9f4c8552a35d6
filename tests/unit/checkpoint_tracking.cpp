// SPDX-License-Identifier: MIT
// The checkpoint extension's bookkeeping: the region map, the handle registry and the
// freezer that parks threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "changed_pages.h"
#include "freezer.h"
#include "handle_registry.h"
#include "process_ids.h"
#include "region_map.h"

using namespace bsc::checkpoint;
namespace snap = bsc::snapshot;

namespace {

constexpr uint64_t kPage = 4096;

Region anonymous(uint64_t address, uint64_t pages, uint32_t protection) {
    return {.address = address, .size = pages * kPage, .protection = protection, .flags = 0,
            .origin = RegionOrigin::anonymous, .uri = {}, .stream_offset = 0,
            .ever_accessible = false};
}

} // namespace

TEST_CASE("regions: a partial free and a protection change split regions", "[checkpoint]") {
    RegionMap map;
    map.insert(anonymous(0x10000, 4, BSC_PROT_READ | BSC_PROT_WRITE));
    map.erase(0x11000, kPage);
    map.protect(0x13000, kPage, BSC_PROT_READ);
    auto list = map.list();
    REQUIRE(list.size() == 3);
    CHECK(list[0].address == 0x10000);
    CHECK(list[0].size == kPage);
    CHECK(list[1].address == 0x12000);
    CHECK(list[1].protection == (BSC_PROT_READ | BSC_PROT_WRITE));
    CHECK(list[2].address == 0x13000);
    CHECK(list[2].protection == BSC_PROT_READ);
}

TEST_CASE("regions: a mapped region's pieces keep their stream offsets", "[checkpoint]") {
    RegionMap map;
    Region mapped = anonymous(0x20000, 4, BSC_PROT_READ);
    mapped.origin = RegionOrigin::stream_private;
    mapped.uri = "file:/lib/x.so";
    mapped.stream_offset = 0x1000;
    map.insert(mapped);
    map.protect(0x22000, 2 * kPage, BSC_PROT_READ | BSC_PROT_EXEC);
    auto list = map.list();
    REQUIRE(list.size() == 2);
    CHECK(list[1].stream_offset == 0x3000);
    CHECK(list[1].uri == "file:/lib/x.so");
}

TEST_CASE("regions: a fixed allocation replaces what it overlaps", "[checkpoint]") {
    RegionMap map;
    map.insert(anonymous(0x10000, 8, BSC_PROT_READ));
    map.insert(anonymous(0x12000, 2, BSC_PROT_READ | BSC_PROT_WRITE));
    auto list = map.list();
    REQUIRE(list.size() == 3);
    CHECK(list[0].size == 2 * kPage);
    CHECK(list[1].address == 0x12000);
    CHECK(list[2].address == 0x14000);
    CHECK(list[2].size == 4 * kPage);
}

TEST_CASE("regions: a reservation never made accessible is known to hold zeros", "[checkpoint]") {
    RegionMap map;
    map.insert(anonymous(0x10000, 4, BSC_PROT_NONE));
    map.protect(0x10000, kPage, BSC_PROT_READ | BSC_PROT_WRITE);
    map.protect(0x10000, kPage, BSC_PROT_NONE);
    auto list = map.list();
    REQUIRE(list.size() == 2);
    CHECK(list[0].ever_accessible);
    CHECK_FALSE(list[1].ever_accessible);
}

namespace {

HandleEntry stream_entry(bsc_handle below, snap::HandleKind kind, uint64_t description = 0) {
    return {.below = below, .object = snap::HandleRecord{.kind = kind, .description = description}};
}

const snap::HandleRecord &stream_of(const std::optional<HandleEntry> &entry) {
    REQUIRE(entry);
    REQUIRE(std::holds_alternative<snap::HandleRecord>(entry->object));
    return std::get<snap::HandleRecord>(entry->object);
}

} // namespace

TEST_CASE("handles: the host's numbers until a restore renumbers", "[checkpoint]") {
    HandleRegistry registry;
    CHECK(registry.publish(stream_entry(7, snap::HandleKind::file)) == 7);
    CHECK(registry.below(7) == 7);
    CHECK(registry.below(99) == 99); // unknown numbers pass through before a restore
    registry.start_renumbering();
    registry.adopt(7, stream_entry(3, snap::HandleKind::file));
    CHECK(registry.below(7) == 3);
    CHECK(registry.below(99) == BSC_NO_HANDLE);
    bsc_handle fresh = registry.publish({.below = 4, .object = snap::EventRecord{}});
    CHECK(fresh == 8); // above every restored number
    CHECK(registry.below(fresh) == 4);
    registry.remove(7);
    CHECK_FALSE(registry.find(7));
    CHECK(registry.below(7) == BSC_NO_HANDLE);
}

TEST_CASE("handles: each description has an id of its own, which a pair's ends know",
          "[checkpoint]") {
    HandleRegistry registry;
    bsc_handle read_end = registry.publish(stream_entry(3, snap::HandleKind::pipe_read));
    bsc_handle write_end = registry.publish(stream_entry(4, snap::HandleKind::pipe_write));
    registry.set_partner(read_end, write_end);
    registry.set_partner(write_end, read_end);
    auto reader = stream_of(registry.find(read_end)), writer = stream_of(registry.find(write_end));
    CHECK(reader.description != 0);
    CHECK(writer.description != 0);
    CHECK(reader.description != writer.description);
    CHECK(reader.partner == write_end);
    CHECK(reader.partner_description == writer.description);
    // The read end's process closes the write end (another process may hold it still): the
    // read end has no partner here, and knows the description it had.
    registry.remove(write_end);
    CHECK(stream_of(registry.find(read_end)).partner == 0);
    CHECK(stream_of(registry.find(read_end)).partner_description == writer.description);
    // A restored handle keeps the id it had.
    registry.adopt(9, stream_entry(5, snap::HandleKind::file, 77));
    CHECK(stream_of(registry.find(9)).description == 77);
}

TEST_CASE("handles: a socket pair's ends know each other, events and threads have no "
          "description", "[checkpoint]") {
    HandleRegistry registry;
    bsc_handle a = registry.publish({.below = 3, .object = snap::SocketRecord{}});
    bsc_handle b = registry.publish({.below = 4, .object = snap::SocketRecord{}});
    registry.set_partner(a, b);
    registry.set_partner(b, a);
    CHECK(std::get<snap::SocketRecord>(registry.find(a)->object).partner == b);
    CHECK(std::get<snap::SocketRecord>(registry.find(a)->object).description != 0);
    registry.remove(b);
    CHECK(std::get<snap::SocketRecord>(registry.find(a)->object).partner == 0);
    bsc_handle event = registry.publish({.below = 5, .object = snap::EventRecord{.flags = 1}});
    CHECK(std::get<snap::EventRecord>(registry.find(event)->object).flags == 1);
    bsc_handle thread = registry.publish({.below = 6, .object = ThreadHandle{}});
    CHECK(std::holds_alternative<ThreadHandle>(registry.find(thread)->object));
}

TEST_CASE("handles: a restored entry leaves out what a capture asks the host again",
          "[checkpoint]") {
    auto pipe = restored_entry(3, snap::HandleRecord{.kind = snap::HandleKind::pipe_read,
                                                     .offset = 7,
                                                     .identity = {.inode = 5, .present = true},
                                                     .buffered = {1, 2, 3},
                                                     .description = 11});
    CHECK(pipe.below == 3);
    const auto &stream = std::get<snap::HandleRecord>(pipe.object);
    CHECK(stream.kind == snap::HandleKind::pipe_read);
    CHECK(stream.description == 11);
    CHECK(stream.offset == 0);
    CHECK_FALSE(stream.identity.present);
    CHECK(stream.buffered.empty());
    auto socket = restored_entry(4, snap::SocketRecord{.backlog = 5, .unread = {9}});
    CHECK(std::get<snap::SocketRecord>(socket.object).unread.empty());
    CHECK(std::get<snap::SocketRecord>(socket.object).backlog == 5);
    auto zombie = restored_entry(
        5, snap::ProcessRecord{.process_id = 9, .ended = true, .end_kind = 1, .end_code = 3});
    const auto &process = std::get<snap::ProcessRecord>(zombie.object);
    CHECK(process.process_id == 9);
    CHECK_FALSE(process.ended);
    CHECK(process.end_code == 0);
    auto reaped = restored_entry(6, snap::ProcessRecord{.process_id = 10, .waited = true});
    CHECK_FALSE(std::get<snap::ProcessRecord>(reaped.object).waited);
}

TEST_CASE("handles: a forked child disowns its parent's children", "[checkpoint]") {
    HandleRegistry registry;
    bsc_handle child = registry.publish({.below = 6, .object = snap::ProcessRecord{.process_id = 42}});
    registry.disown_children();
    auto process = std::get<snap::ProcessRecord>(registry.find(child)->object);
    CHECK(process.relation == snap::ProcessRelation::opened);
    CHECK(process.process_id == 42);
}

TEST_CASE("process ids: the host's until a restore, then the image's, never one for two",
          "[checkpoint]") {
    ProcessIds ids;
    CHECK_FALSE(ids.translates());
    CHECK(ids.above(1234) == 1234);
    CHECK(ids.below(1234) == 1234);
    ids.add_restored(100, 200); // process 100 of the image is host process 200 now
    ids.add_restored(101, 201);
    CHECK(ids.above(200) == 100);
    CHECK(ids.below(100) == 200);
    CHECK(ids.above(300) == 300); // a process forked after the restore
    CHECK(ids.below(300) == 300);
    // A new host process 100 would be taken for the restored one: it is moved aside.
    uint64_t moved = ids.above(100);
    CHECK(moved == 100 + (uint64_t{1} << 32));
    CHECK(ids.below(moved) == 100);
    ids.add_restored(100, 999); // the same id again changes nothing
    CHECK(ids.below(100) == 200);
    // Another process's /proc directory, by its host id.
    CHECK(ids.proc_uri_below("file:/proc/100/fd/3") == "file:/proc/200/fd/3");
    CHECK(ids.proc_uri_below("file:/proc/101") == "file:/proc/201");
    CHECK_FALSE(ids.proc_uri_below("file:/proc/300/status")); // the same either way
    CHECK_FALSE(ids.proc_uri_below("file:/proc/self/status"));
    CHECK_FALSE(ids.proc_uri_below("file:/proc/100x/status"));
    CHECK_FALSE(ids.proc_uri_below("file:/etc/100"));
}

TEST_CASE("freezer: every thread parks, and runs on after the thaw", "[checkpoint]") {
    Freezer freezer;
    constexpr uint64_t kTcbs[] = {0x1000, 0x2000};
    for (uint64_t tcb : kTcbs)
        freezer.add({.handle = static_cast<bsc_handle>(tcb >> 12), .tcb = tcb});
    std::atomic<int> resumed{0};
    std::vector<std::thread> threads;
    auto interrupt = [&](bsc_handle handle) {
        uint64_t tcb = uint64_t{handle} << 12;
        threads.emplace_back([&, tcb] {
            freezer.park_in_exception(tcb, tcb + 0x80);
            resumed++;
        });
        return true;
    };
    REQUIRE(freezer.freeze(interrupt, std::chrono::seconds(5)));
    auto parked = freezer.threads();
    REQUIRE(parked.size() == 2);
    for (const auto &t : parked) {
        CHECK(t.parked);
        CHECK(t.park == ParkPoint::exception);
        CHECK(t.record == t.tcb + 0x80);
    }
    CHECK(resumed == 0);
    freezer.thaw();
    for (auto &t : threads)
        t.join();
    CHECK(resumed == 2);
}

TEST_CASE("freezer: a thread still parked when the next freeze begins is parked for it",
          "[checkpoint]") {
    // A capture that lets the guest run on thaws it; the next capture may freeze again
    // before the parked thread has woken. It must count as parked where it stands (it once
    // waited in park() for a thaw while the freeze waited for it to park: 10 s, then fail).
    Freezer freezer;
    freezer.add({.handle = 1, .tcb = 0x1000});
    std::atomic<bool> stop{false};
    std::thread guest([&] { // parks at every boundary while a freeze is on
        while (!stop)
            freezer.park_in_exception(0x1000, 0x1080);
    });
    for (int round = 0; round < 200; round++) {
        REQUIRE(freezer.freeze([](bsc_handle) { return true; }, std::chrono::seconds(5)));
        CHECK(freezer.threads().front().record == 0x1080);
        freezer.thaw();
    }
    stop = true;
    guest.join();
}

TEST_CASE("freezer: a thread that does not stop fails the freeze, which thaws", "[checkpoint]") {
    Freezer freezer;
    freezer.add({.handle = 1, .tcb = 0x1000});
    CHECK_FALSE(freezer.freeze([](bsc_handle) { return true; }, std::chrono::milliseconds(50)));
    freezer.park_in_exception(0x1000, 0); // not frozen: returns at once
}

TEST_CASE("freezer: a thread that cannot be interrupted fails the freeze at once, which thaws",
          "[checkpoint]") {
    Freezer freezer;
    freezer.add({.handle = 1, .tcb = 0x1000});
    auto began = std::chrono::steady_clock::now();
    CHECK_FALSE(freezer.freeze([](bsc_handle) { return false; }, std::chrono::seconds(30)));
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(30));
    freezer.park_in_exception(0x1000, 0); // not frozen: returns at once
}

namespace {

// A host whose count says every page but the first was left alone; it records each restart.
struct CountingHost {
    std::vector<uint64_t> restarted;
    bsc_status status = BSC_OK;
    ChangedPages::Query query() {
        return [this](uint64_t address, uint64_t, uint8_t *bits, uint64_t bits_size) {
            std::fill(bits, bits + bits_size, 0);
            bits[0] = 1;
            restarted.push_back(address);
            return status;
        };
    }
};

const bsc::snapshot::ImageId kFirst{{1}}, kSecond{{2}};

} // namespace

TEST_CASE("changed pages: only against the last image, where it read the memory whole",
          "[checkpoint]") {
    ChangedPages pages;
    CountingHost host;
    pages.begin(std::nullopt); // a whole image: reads everything, restarts the counts
    CHECK_FALSE(pages.restart(0x10000, 4 * kPage, host.query()));
    CHECK_FALSE(pages.restart(0x14000, 4 * kPage, host.query()));
    pages.committed(kFirst);
    CHECK(host.restarted == std::vector<uint64_t>{0x10000, 0x14000});

    pages.begin(kFirst);
    auto bits = pages.restart(0x10000, 8 * kPage, host.query()); // spans both ranges read
    REQUIRE(bits);
    CHECK((*bits)[0] == 1);
    CHECK(pages.restart(0x12000, kPage, host.query())); // a piece of one
    CHECK_FALSE(pages.restart(0x18000, kPage, host.query())); // not read by the last
    pages.committed(kSecond);

    SECTION("against an older image, everything is read") {
        pages.begin(kFirst);
        CHECK_FALSE(pages.restart(0x10000, 4 * kPage, host.query()));
    }
    SECTION("a capture that did not commit leaves no last image") {
        pages.begin(kSecond);
        CHECK(pages.restart(0x10000, 4 * kPage, host.query()));
        pages.begin(kSecond);
        CHECK_FALSE(pages.restart(0x10000, 4 * kPage, host.query()));
    }
    SECTION("memory whose count could not restart is read whole next time") {
        pages.begin(kSecond);
        host.status = BSC_E_NOT_SUPPORTED;
        CHECK_FALSE(pages.restart(0x18000, kPage, host.query()));
        pages.committed(bsc::snapshot::ImageId{0, 3});
        host.status = BSC_OK;
        pages.begin(bsc::snapshot::ImageId{0, 3});
        CHECK_FALSE(pages.restart(0x18000, kPage, host.query()));
    }
}
