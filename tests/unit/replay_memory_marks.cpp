// SPDX-License-Identifier: MIT
// The debugger's marks in memory (replay/memory_marks.h): a breakpoint's int3 is in memory
// but not in what the debugger reads, and goes in again over new contents mapped there; a
// page watched for writes is read-only while watched, one watched for reads inaccessible
// (but to the host while it reads), and either gets the guest's protection back after,
// the protection the guest gave it meanwhile — also when a new mapping gives it the
// read-only protection the watch had made it.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cstdio>
#include <cstring>

#include "memory_marks.h"

using namespace bsc::replay;

namespace {

constexpr size_t kPage = 4096;

// The page's protection as the kernel has it (PROT_*), -1 if it is not mapped.
int kernel_protection(const void *page) {
    auto address = reinterpret_cast<uint64_t>(page);
    std::FILE *maps = std::fopen("/proc/self/maps", "re");
    REQUIRE(maps);
    int found = -1;
    char line[512];
    while (found < 0 && std::fgets(line, sizeof line, maps)) {
        uint64_t low = 0, high = 0;
        char perms[5] = {};
        if (std::sscanf(line, "%lx-%lx %4s", &low, &high, perms) == 3 && address >= low &&
            address < high)
            found = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
                    (perms[2] == 'x' ? PROT_EXEC : 0);
    }
    std::fclose(maps);
    return found;
}

struct Pages {
    explicit Pages(int protection, size_t count = 1) : size(count * kPage) {
        base = static_cast<uint8_t *>(
            ::mmap(nullptr, size, protection, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        REQUIRE(base != MAP_FAILED);
    }
    ~Pages() { ::munmap(base, size); }
    uint64_t at(size_t offset = 0) const { return reinterpret_cast<uint64_t>(base + offset); }
    uint8_t *base;
    size_t size;
};

// A new private mapping over the page, holding `byte`, with `protection`.
void map_over(uint8_t *page, uint8_t byte, int protection) {
    REQUIRE(::mmap(page, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0) == page);
    std::memset(page, byte, kPage);
    REQUIRE(::mprotect(page, kPage, protection) == 0);
}

} // namespace

TEST_CASE("memory marks: a breakpoint is in memory, not in what the debugger reads") {
    Pages code(PROT_READ | PROT_EXEC); // read-only: the int3 goes in through /proc/self/mem
    MemoryMarks marks;
    REQUIRE(marks.insert(code.at(16)));
    CHECK(marks.inserted(code.at(16)));
    CHECK(code.base[16] == 0xcc);
    CHECK(marks.read(code.at(15), 3) == std::vector<uint8_t>{0, 0, 0});
    marks.take_out(code.at(16)); // a thread steps over it
    CHECK(code.base[16] == 0);
    marks.put_back(code.at(16));
    CHECK(code.base[16] == 0xcc);
    marks.remove(code.at(16));
    CHECK(code.base[16] == 0);
    marks.put_back(code.at(16)); // removed meanwhile: it stays out
    CHECK(code.base[16] == 0);
    CHECK_FALSE(marks.insert(0));
}

TEST_CASE("memory marks: a breakpoint goes in again over new contents mapped there") {
    Pages code(PROT_READ | PROT_EXEC);
    MemoryMarks marks;
    REQUIRE(marks.insert(code.at(8)));
    map_over(code.base, 0x90, PROT_READ | PROT_EXEC);
    marks.changed(code.at(), kPage, PROT_READ | PROT_EXEC, true);
    CHECK(code.base[8] == 0xcc);
    CHECK(marks.read(code.at(8), 1) == std::vector<uint8_t>{0x90});
    marks.clear();
    CHECK(code.base[8] == 0x90);
}

TEST_CASE("memory marks: a watched page is read-only while watched, then the guest's again") {
    Pages data(PROT_READ | PROT_WRITE, 2);
    MemoryMarks marks;
    REQUIRE(marks.watch({data.at(kPage - 4), 8})); // across the two pages
    CHECK(kernel_protection(data.base) == PROT_READ);
    CHECK(kernel_protection(data.base + kPage) == PROT_READ);
    CHECK(marks.watched(data.at())->protection == (PROT_READ | PROT_WRITE));
    CHECK(marks.watched(data.at())->guard == MemoryMarks::Guard::writes);
    marks.open(data.at()); // a write let through
    CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE));
    data.base[0] = 7;
    marks.close(data.at());
    CHECK(kernel_protection(data.base) == PROT_READ);
    CHECK(marks.bytes({{data.at(), 2}}) == std::vector<uint8_t>{7, 0});
    marks.rewatch([&](uint64_t page) {
        return page == data.at(kPage) ? MemoryMarks::Guard::writes : MemoryMarks::Guard::none;
    });
    CHECK_FALSE(marks.watched(data.at()));
    CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE));
    CHECK(kernel_protection(data.base + kPage) == PROT_READ);
    marks.clear();
    CHECK(kernel_protection(data.base + kPage) == (PROT_READ | PROT_WRITE));
    CHECK_FALSE(marks.watch({0, 8}));
}

TEST_CASE("memory marks: a watched page keeps the protection the guest gives it") {
    Pages data(PROT_READ | PROT_WRITE);
    MemoryMarks marks;
    REQUIRE(marks.watch({data.at(), 8}));
    SECTION("by a change of protection") {
        REQUIRE(::mprotect(data.base, kPage, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
        marks.changed(data.at(), kPage, PROT_READ | PROT_WRITE | PROT_EXEC, false);
        CHECK(kernel_protection(data.base) == (PROT_READ | PROT_EXEC));
        marks.clear();
        CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE | PROT_EXEC));
    }
    SECTION("by a new mapping as read-only as the watch made it") {
        map_over(data.base, 1, PROT_READ);
        marks.changed(data.at(), kPage, PROT_READ, true);
        CHECK(marks.watched(data.at())->protection == PROT_READ);
        marks.clear();
        CHECK(kernel_protection(data.base) == PROT_READ);
    }
    SECTION("unmapped, then mapped again: watched again when asked") {
        REQUIRE(::munmap(data.base, kPage) == 0);
        marks.changed(data.at(), kPage, std::nullopt, false);
        CHECK_FALSE(marks.watched(data.at()));
        map_over(data.base, 2, PROT_READ | PROT_WRITE); // MAP_FIXED: the hole is free
        marks.changed(data.at(), kPage, PROT_READ | PROT_WRITE, true);
        REQUIRE(marks.watch({data.at(), 8}));
        CHECK(kernel_protection(data.base) == PROT_READ);
    }
}

TEST_CASE("memory marks: a page watched for reads is inaccessible, but to the host reading") {
    Pages data(PROT_READ | PROT_WRITE);
    data.base[3] = 9;
    MemoryMarks marks;
    REQUIRE(marks.watch({data.at(), 8})); // writes first: read-only
    CHECK(kernel_protection(data.base) == PROT_READ);
    REQUIRE(marks.watch({data.at(4), 4, bsc::gdb::WatchKind::read}));
    CHECK(kernel_protection(data.base) == PROT_NONE);
    CHECK(marks.watched(data.at())->guard == MemoryMarks::Guard::reads);
    CHECK(marks.bytes({{data.at(2), 2}}) == std::vector<uint8_t>{0, 9}); // through /proc
    marks.host_reading(true);
    CHECK(kernel_protection(data.base) == PROT_READ);
    CHECK(data.base[3] == 9);
    marks.open_all(); // the host's writes
    CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE));
    marks.close_all();
    CHECK(kernel_protection(data.base) == PROT_READ);
    marks.host_reading(false);
    CHECK(kernel_protection(data.base) == PROT_NONE);
    marks.open(data.at()); // an access let through
    CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE));
    marks.close(data.at());
    CHECK(kernel_protection(data.base) == PROT_NONE);
    marks.rewatch([](uint64_t) { return MemoryMarks::Guard::writes; }); // the read watch goes
    CHECK(kernel_protection(data.base) == PROT_READ);
    marks.clear();
    CHECK(kernel_protection(data.base) == (PROT_READ | PROT_WRITE));
}
