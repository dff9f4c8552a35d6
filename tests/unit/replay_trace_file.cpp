// SPDX-License-Identifier: MIT
// Unit tests of the trace file (replay/): what is written reads back the same, in blocks;
// a cut end is dropped and reported; damage, other files and other versions are refused;
// mapped content is stored once and checked.
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "call_roles.h"
#include "host_fixtures.h"
#include "trace_file.h"

using namespace bsc::replay;
using bsc::test::TempDir;

namespace {

CallEvent call(uint64_t number, size_t bytes) {
    CallEvent event;
    event.number = number;
    event.slot = static_cast<uint16_t>(bsc::roles::Slot::stream_read);
    event.args = {3, 0, 0x1000, bytes, 0x2000, 0};
    event.writes = {{0x1000, std::vector<uint8_t>(bytes, static_cast<uint8_t>(number)), 2}};
    return event;
}

std::vector<char> contents(const std::string &path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string &path, const std::vector<char> &bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

} // namespace

TEST_CASE("a trace reads back as it was written, in several blocks", "[replay]") {
    TempDir dir;
    std::string path = dir.path("t");
    {
        TraceWriter writer(path);
        writer.add(call(1, 10)); // held until the header
        TraceHeader header;
        header.argv = {"libos", "--", "/bin/true", "true"};
        header.working_directory = "/tmp";
        writer.write_header(header);
        for (uint64_t n = 2; n <= 40; n++)
            writer.add(call(n, 30000)); // more than one block's worth
        writer.add(InterruptEvent{40, 0});
        writer.add(ThreadStartEvent{1});
        writer.add(SwitchEvent{1, 12});
        writer.add(TurnEvent{2});
        writer.add(EndEvent{7, 0});
        writer.flush();
    }
    Trace trace = read_trace(path);
    CHECK(trace.header.argv.size() == 4);
    CHECK(trace.header.working_directory == "/tmp");
    REQUIRE(trace.events.size() == 45);
    CHECK(trace.blocks > 1);
    CHECK(trace.end == TraceEnd::complete);
    const auto &first = std::get<CallEvent>(trace.events[0]);
    CHECK(first.number == 1);
    CHECK(first.writes[0].bytes.size() == 10);
    const auto &last = std::get<CallEvent>(trace.events[39]);
    CHECK(last.writes[0].bytes == std::vector<uint8_t>(30000, 40));
    CHECK(std::get<InterruptEvent>(trace.events[40]).after_call == 40);
    CHECK(std::get<ThreadStartEvent>(trace.events[41]).thread == 1);
    CHECK(std::get<SwitchEvent>(trace.events[42]).exception == 12);
    CHECK(thread_of(trace.events[42]) == 1);
    CHECK(thread_of(trace.events[43]) == 2);
    CHECK(std::get<EndEvent>(trace.events[44]).status == 7);
    CHECK(thread_of(trace.events[44]) == kNoThread);
    CHECK(std::filesystem::status(path).permissions() ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    CHECK_THROWS_AS(TraceWriter(path), TraceError); // never overwritten
}

TEST_CASE("a cut trace reads to its last whole block, and damage is refused", "[replay]") {
    TempDir dir;
    std::string path = dir.path("t");
    {
        TraceWriter writer(path);
        writer.write_header({});
        for (uint64_t n = 1; n <= 20; n++)
            writer.add(call(n, 30000));
        writer.flush();
    }
    auto bytes = contents(path);
    Trace whole = read_trace(path);
    CHECK(whole.end == TraceEnd::cut); // no end event: the recording was killed
    CHECK(whole.dropped_bytes == 0);

    write_bytes(path + ".cut", {bytes.begin(), bytes.end() - 10});
    Trace cut = read_trace(path + ".cut");
    CHECK(cut.end == TraceEnd::cut);
    CHECK(cut.events.size() < whole.events.size());
    CHECK(cut.dropped_bytes > 0);

    auto damaged = bytes;
    damaged[damaged.size() - 5] ^= 1;
    write_bytes(path + ".damaged", damaged);
    CHECK_THROWS_AS(read_trace(path + ".damaged"), TraceError);

    auto version = bytes;
    version[8] = 2;
    write_bytes(path + ".version", version);
    CHECK_THROWS_AS(read_trace(path + ".version"), TraceError);

    // The last block claims four billion events: refused as it is decoded, nothing
    // allocated for them (found by the fuzzer). (An earlier block's claim is refused as the
    // file is opened: the next block does not start where it says.)
    auto counted = bytes;
    auto block = std::find_end(counted.begin(), counted.end(), "TBLK", "TBLK" + 4);
    REQUIRE(block != counted.end());
    std::fill(block + 4, block + 8, static_cast<char>(0xff));
    write_bytes(path + ".counted", counted);
    CHECK_THROWS_WITH(read_trace(path + ".counted"), Catch::Contains("events where the header says"));

    write_bytes(path + ".foreign", {'h', 'e', 'l', 'l', 'o'});
    CHECK_THROWS_AS(read_trace(path + ".foreign"), TraceError);
    CHECK_THROWS_AS(read_trace(dir.path("missing")), TraceError);
}

namespace {

// OwnPages of this process's own memory, standing for what a guest mapped.
struct OwnPages {
    static constexpr size_t kPage = 4096;
    explicit OwnPages(size_t count) : size(count * kPage) {
        base = static_cast<uint8_t *>(
            ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    }
    ~OwnPages() { ::munmap(base, size); }
    void fill(size_t page, uint8_t value) { std::memset(base + page * kPage, value, kPage); }
    uint64_t address(size_t page) const { return reinterpret_cast<uint64_t>(base + page * kPage); }
    uint8_t *base;
    size_t size;
};

CallEvent mapping(uint64_t number, MappedContent content) {
    CallEvent event;
    event.number = number;
    event.slot = static_cast<uint16_t>(bsc::roles::Slot::stream_map);
    event.content = content;
    return event;
}

} // namespace

TEST_CASE("mapped content is stored once, page-aligned, and checked", "[replay]") {
    TempDir dir;
    std::string path = dir.path("t");
    OwnPages memory(6);
    memory.fill(0, 'a'), memory.fill(1, 'b'), memory.fill(2, 'c');
    memory.fill(3, 'b'), memory.fill(4, 'c'); // pages 3 and 4 are pages 1 and 2 again
    ::mprotect(memory.base + 5 * OwnPages::kPage, OwnPages::kPage, PROT_NONE);
    MappedContent whole, again, partial, unreadable, early;
    {
        TraceWriter writer(path);
        early = writer.add_content(memory.address(0), OwnPages::kPage);
        writer.write_header({});
        whole = writer.add_content(memory.address(0), 3 * OwnPages::kPage);
        again = writer.add_content(memory.address(3), 2 * OwnPages::kPage);
        partial = writer.add_content(memory.address(4), 2 * OwnPages::kPage);
        unreadable = writer.add_content(memory.address(5), OwnPages::kPage);
        writer.add(mapping(1, whole));
        writer.add(mapping(2, again));
        writer.add(EndEvent{0, 0});
        writer.flush();
    }
    CHECK(early.length == 0); // before the header: the caller keeps the bytes inline
    CHECK(whole.offset % OwnPages::kPage == 0);
    CHECK(whole.length == 3 * OwnPages::kPage);
    CHECK(again.offset == whole.offset + OwnPages::kPage); // stored once
    CHECK(again.length == 2 * OwnPages::kPage);
    CHECK(partial.length == OwnPages::kPage); // up to the page that cannot be read
    CHECK(unreadable.length == 0);

    auto bytes = contents(path);
    REQUIRE(bytes.size() >= whole.offset + whole.length);
    CHECK(std::memcmp(bytes.data() + whole.offset, memory.base, whole.length) == 0);
    Trace trace = read_trace(path);
    CHECK(trace.end == TraceEnd::complete);
    CHECK(trace.content_bytes == 3 * OwnPages::kPage); // `partial` was page 4 ('c') again
    CHECK(std::get<CallEvent>(trace.events[1]).content.offset == again.offset);

    auto damaged = bytes;
    damaged[whole.offset + 5000] ^= 1;
    write_bytes(path + ".damaged", damaged);
    CHECK_THROWS_WITH(read_trace(path + ".damaged"),
                      Catch::Contains("content at byte") && Catch::Contains("checksum"));

    write_bytes(path + ".cut", {bytes.begin(), bytes.begin() + static_cast<long>(whole.offset) + 100});
    Trace cut = read_trace(path + ".cut");
    CHECK(cut.end == TraceEnd::cut);
    CHECK(cut.dropped_bytes > 0);
    CHECK(cut.content_bytes == 0);
}

TEST_CASE("an event naming content the trace does not hold is refused as it is decoded",
          "[replay]") {
    TempDir dir;
    std::string path = dir.path("t");
    {
        TraceWriter writer(path);
        writer.write_header({});
        writer.add(mapping(1, {1 << 20, 4096}));
        writer.flush();
    }
    TraceReader reader(path); // the file's structure is sound
    CHECK(reader.size() == 1);
    CHECK_THROWS_WITH(reader.at(0), Catch::Contains("names content the trace does not hold"));
}

TEST_CASE("with a content store, mapped content is stored once for every trace", "[replay]") {
    TempDir dir;
    std::filesystem::path store = dir.path("store");
    std::filesystem::create_directory(store);
    OwnPages memory(3);
    memory.fill(0, 'a'), memory.fill(1, 'b'), memory.fill(2, 'b');
    auto object_count = [&] {
        return std::distance(std::filesystem::directory_iterator(store),
                             std::filesystem::directory_iterator());
    };
    MappedContent first, segment, again;
    for (const char *name : {"t1", "t2"}) {
        TraceWriter writer(dir.path(name), store);
        writer.write_header({});
        MappedContent whole = writer.add_content(memory.address(0), 2 * OwnPages::kPage);
        MappedContent part = writer.add_content(memory.address(2), OwnPages::kPage);
        writer.add(mapping(1, whole));
        writer.add(mapping(2, part));
        writer.add(EndEvent{0, 0});
        writer.flush();
        (std::string(name) == "t1" ? first : again) = whole;
        segment = part;
    }
    CHECK(object_count() == 1); // the second trace names the first one's object
    CHECK(first.object == 1);
    CHECK(again.object == 1);
    CHECK(segment.object == 1);
    CHECK(segment.offset == OwnPages::kPage); // page 2 is page 1 of the object again
    Trace trace = read_trace(dir.path("t2"));
    CHECK(trace.content_bytes == 0);
    REQUIRE(trace.store_objects.size() == 1);
    CHECK(trace.store_objects[0].length == 2 * OwnPages::kPage);
    auto object = std::filesystem::path(trace.store_objects[0].path);
    CHECK(object.parent_path() == std::filesystem::absolute(store));
    CHECK((std::filesystem::status(object).permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms::owner_read);

    std::filesystem::permissions(object, std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    std::fstream(object, std::ios::in | std::ios::out | std::ios::binary).write("X", 1);
    CHECK_THROWS_WITH(read_trace(dir.path("t2")), Catch::Contains("has changed"));
    std::filesystem::remove(object);
    CHECK_THROWS_WITH(read_trace(dir.path("t2")), Catch::Contains("cannot be read"));

    // Content mapped before the header (the runtime loads the personality before the
    // guest starts) is named too: its reference follows the header.
    {
        TraceWriter writer(dir.path("t4"), store);
        MappedContent early = writer.add_content(memory.address(1), OwnPages::kPage);
        writer.write_header({});
        writer.add(mapping(1, early));
        writer.add(EndEvent{0, 0});
        writer.flush();
        CHECK(early.object == 1);
        CHECK(early.length == OwnPages::kPage);
    }
    Trace early = read_trace(dir.path("t4"));
    REQUIRE(early.store_objects.size() == 1);
    CHECK(early.store_objects[0].length == OwnPages::kPage);
    CHECK(std::get<CallEvent>(early.events[0]).content.object == 1);

    // A store that cannot be written to is left out: the content goes into the trace.
    TraceWriter writer(dir.path("t3"), dir.path("no-such-directory"));
    writer.write_header({});
    MappedContent inside = writer.add_content(memory.address(0), OwnPages::kPage);
    CHECK(inside.object == 0);
    CHECK(inside.length == OwnPages::kPage);
}

namespace {

CallEvent read_from(uint64_t handle, uint64_t number, size_t bytes) {
    CallEvent event = call(number, bytes);
    event.args[0] = handle;
    return event;
}

CallEvent close_of(uint64_t handle, uint64_t number) {
    CallEvent event;
    event.number = number;
    event.slot = static_cast<uint16_t>(bsc::roles::Slot::object_close);
    event.args = {handle};
    return event;
}

// What the call read, wherever the trace keeps it.
std::vector<uint8_t> bytes_read(TraceReader &reader, const CallEvent &read) {
    REQUIRE(read.writes.size() == 1);
    if (!read.writes[0].bytes.empty())
        return read.writes[0].bytes;
    auto held = reader.content(read.content);
    auto *first = reinterpret_cast<const uint8_t *>(held.data());
    return {first, first + held.size()};
}

} // namespace

TEST_CASE("with a content store, a stream's bytes past its first 16 KiB are kept out of line",
          "[replay]") {
    TempDir dir;
    std::string store = dir.path("store");
    std::filesystem::create_directory(store);
    auto record = [&](const std::string &name, const std::string &to_store) {
        TraceWriter writer(dir.path(name), to_store);
        writer.write_header({});
        for (uint64_t n = 1; n <= 4; n++)
            writer.add(read_from(3, n, 10000)); // 1 and 2 within its first 16 KiB
        writer.add(read_from(4, 5, 20000));     // another stream's first read
        writer.add(read_from(4, 6, 5000));
        writer.add(close_of(3, 7)); // stream 3's object: calls 3 and 4
        writer.add(read_from(4, 8, 12000));
        writer.add(read_from(5, 9, 20000));
        writer.add(read_from(5, 10, 3000)); // too few for an object: back in the call
        writer.add(EndEvent{0, 0});
        writer.flush(); // stream 4's object: calls 6 and 8
    };
    auto objects = [&] {
        return std::distance(std::filesystem::directory_iterator(store),
                             std::filesystem::directory_iterator());
    };
    record("t1", store);
    CHECK(objects() == 2);
    record("t2", store); // the same reads: the same objects
    CHECK(objects() == 2);
    record("inline", "");

    for (const char *name : {"t2", "inline"}) {
        TraceReader reader(dir.path(name));
        REQUIRE(reader.size() == 11);
        std::vector<uint64_t> out_of_line;
        for (uint64_t i = 0; i < 10; i++) {
            auto read = std::get<CallEvent>(*reader.at(i));
            if (read.slot != static_cast<uint16_t>(bsc::roles::Slot::stream_read))
                continue;
            CHECK(bytes_read(reader, read) ==
                  std::vector<uint8_t>(read.args[3], static_cast<uint8_t>(read.number)));
            if (read.content.length)
                out_of_line.push_back(read.number);
        }
        if (std::string(name) == "inline") {
            CHECK(out_of_line.empty());
            continue;
        }
        CHECK(out_of_line == std::vector<uint64_t>{3, 4, 6, 8});
        REQUIRE(reader.store_objects().size() == 2);
        CHECK(reader.store_objects()[0].length == 5 * 4096); // 20000 bytes, whole pages
        CHECK(reader.store_objects()[1].length == 5 * 4096); // 17000
    }

    // A stream that gives much more between two blocks is stored in pieces as it goes.
    {
        TraceWriter writer(dir.path("long"), store);
        writer.write_header({});
        for (uint64_t n = 1; n <= 20; n++)
            writer.add(read_from(5, n, 1 << 20));
        writer.add(EndEvent{0, 0});
        writer.flush();
    }
    TraceReader reader(dir.path("long"));
    CHECK(reader.store_objects().size() == 2);
    for (uint64_t i = 0; i < 20; i++) {
        auto read = std::get<CallEvent>(*reader.at(i));
        CHECK(bytes_read(reader, read) == std::vector<uint8_t>(1 << 20, static_cast<uint8_t>(i + 1)));
    }
}
