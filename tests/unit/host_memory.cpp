// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's memory calls: vm_alloc/free/protect/reset/fill and
// stream_map/unmap, the guest window and the refusal to touch runtime memory.
#include <cstring>
#include <unistd.h>
#include <thread>
#include <vector>

#include "guest_memory.h"
#include "host_fixtures.h"
#include "internal.h"
#include "window.h"

using namespace bsc::test;
using bsc::host::guest_owns;
using bsc::host::kEntryAreaSize;
using bsc::host::kWindowBase;
using bsc::host::kWindowSize;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint32_t kReadWrite = BSC_PROT_READ | BSC_PROT_WRITE;

uint64_t alloc_ok(uint64_t size, uint64_t at = 0, uint32_t flags = 0, uint32_t prot = kReadWrite) {
    uint64_t addr = at;
    REQUIRE(host_vm_alloc(&addr, size, prot, flags) == BSC_OK);
    REQUIRE(addr % kPage == 0);
    return addr;
}

char *bytes(uint64_t addr) { return reinterpret_cast<char *>(addr); }

// Whether nothing at all is mapped at [addr, addr + size) in this process.
bool unmapped(uint64_t addr, uint64_t size) {
    void *want = reinterpret_cast<void *>(addr);
    void *got =
        ::mmap(want, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == MAP_FAILED)
        return false;
    ::munmap(got, size);
    return got == want;
}

// An address range outside the window that is free now, for BSC_MAP_FIXED tests.
uint64_t free_address_outside_window(uint64_t size) {
    void *probe = ::mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(probe != MAP_FAILED);
    ::munmap(probe, size);
    auto addr = reinterpret_cast<uint64_t>(probe);
    REQUIRE(!bsc::host::in_window(addr, size));
    return addr;
}

bool writable(uint64_t addr) {
    char byte = 1;
    return bsc::copy_to_guest(bytes(addr), &byte, 1) == BSC_OK;
}

bool readable(uint64_t addr) {
    char byte;
    return bsc::copy_from_guest(&byte, bytes(addr), 1) == BSC_OK;
}

} // namespace

TEST_CASE("the guest window is reserved at start", "[host][memory]") {
    host_ready();
    CHECK_FALSE(unmapped(kWindowBase + kWindowSize / 2, kPage));
    CHECK_FALSE(guest_owns(kWindowBase, kPage));
}

TEST_CASE("vm_alloc hands out zeroed pages in the window", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(10000);
    CHECK(bsc::host::in_window(addr, 3 * kPage));
    CHECK(addr >= kWindowBase + kEntryAreaSize);
    CHECK(guest_owns(addr, 3 * kPage)); // rounded up to whole pages
    CHECK_FALSE(guest_owns(addr, 3 * kPage + 1));
    std::vector<char> zero(3 * kPage, 0);
    CHECK(std::memcmp(bytes(addr), zero.data(), zero.size()) == 0);
    std::memset(bytes(addr), 0x5a, 3 * kPage);

    REQUIRE(host_vm_free(addr, 3 * kPage) == BSC_OK);
    CHECK_FALSE(guest_owns(addr, kPage));
    CHECK_FALSE(readable(addr));
    CHECK_FALSE(unmapped(addr, kPage)); // freed window space stays reserved
}

TEST_CASE("vm_alloc rejects bad arguments", "[host][memory]") {
    host_ready();
    uint64_t addr = 0;
    CHECK(host_vm_alloc(&addr, 0, kReadWrite, 0) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, UINT64_MAX, kReadWrite, 0) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, kPage, 8, 0) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, 64) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_SHARED | BSC_MAP_FILL) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_FIXED | BSC_MAP_FIXED_NOREPLACE) ==
          BSC_E_INVALID);
    addr = kWindowBase + kWindowSize / 2 + 100; // not page aligned
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, 0) == BSC_E_INVALID);
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_FIXED) == BSC_E_INVALID);
}

TEST_CASE("vm_alloc with a bad address pointer faults and maps nothing", "[host][memory]") {
    host_ready();
    NoAccessPage page;
    CHECK(host_vm_alloc(static_cast<uint64_t *>(kBadPointer), kPage, kReadWrite, 0) == BSC_E_FAULT);
    CHECK(host_vm_alloc(nullptr, kPage, kReadWrite, 0) == BSC_E_FAULT);
    CHECK(host_vm_alloc(page.as<uint64_t>(), kPage, kReadWrite, 0) == BSC_E_FAULT);

    // A readable but read-only pointer: the result cannot be reported, so nothing stays.
    uint64_t first = alloc_ok(kPage);
    REQUIRE(host_vm_free(first, kPage) == BSC_OK);
    void *read_only = ::mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(read_only != MAP_FAILED);
    CHECK(host_vm_alloc(static_cast<uint64_t *>(read_only), kPage, kReadWrite, 0) == BSC_E_FAULT);
    ::munmap(read_only, kPage);
    CHECK_FALSE(guest_owns(first, kPage));
    uint64_t again = alloc_ok(kPage); // first fit finds the same, still free, place
    CHECK(again == first);
    CHECK(host_vm_free(again, kPage) == BSC_OK);
}

TEST_CASE("vm_alloc uses a free hint and skips a taken one", "[host][memory]") {
    host_ready();
    uint64_t base = alloc_ok(4 * kPage);
    uint64_t hint = base + 64 * kPage;
    REQUIRE_FALSE(guest_owns(hint, kPage));
    uint64_t at_hint = alloc_ok(kPage, hint);
    CHECK(at_hint == hint);
    uint64_t elsewhere = alloc_ok(kPage, base + kPage); // taken: placed elsewhere
    CHECK(elsewhere != base + kPage);
    CHECK(guest_owns(elsewhere, kPage));
    uint64_t in_entry_area = alloc_ok(kPage, kWindowBase);
    CHECK(in_entry_area >= kWindowBase + kEntryAreaSize);
    for (uint64_t addr : {base, at_hint, elsewhere, in_entry_area})
        CHECK(host_vm_free(addr, addr == base ? 4 * kPage : kPage) == BSC_OK);
}

TEST_CASE("vm_alloc FIXED replaces guest memory, NOREPLACE refuses", "[host][memory]") {
    host_ready();
    uint64_t base = alloc_ok(3 * kPage);
    std::memset(bytes(base), 7, 3 * kPage);
    uint64_t middle = base + kPage;
    alloc_ok(kPage, middle, BSC_MAP_FIXED, BSC_PROT_READ);
    CHECK(bytes(middle)[0] == 0); // fresh pages
    CHECK(bytes(base)[0] == 7);
    CHECK(bytes(base + 2 * kPage)[0] == 7);
    CHECK_FALSE(writable(middle));
    CHECK(guest_owns(base, 3 * kPage));

    uint64_t addr = middle;
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_E_EXISTS);
    addr = base + 2 * kPage; // overlaps the end of the region
    CHECK(host_vm_alloc(&addr, 2 * kPage, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_E_EXISTS);
    uint64_t beyond = base + 16 * kPage;
    REQUIRE_FALSE(guest_owns(beyond, kPage));
    CHECK(alloc_ok(kPage, beyond, BSC_MAP_FIXED_NOREPLACE) == beyond);

    addr = kWindowBase; // the entry area belongs to the runtime
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_FIXED) == BSC_E_EXISTS);
    CHECK(host_vm_alloc(&addr, kPage, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_E_EXISTS);

    CHECK(host_vm_free(base, 3 * kPage) == BSC_OK);
    CHECK(host_vm_free(beyond, kPage) == BSC_OK);
}

TEST_CASE("vm_alloc FIXED outside the window only on free or guest memory", "[host][memory]") {
    host_ready();
    uint64_t addr = free_address_outside_window(4 * kPage);
    CHECK(alloc_ok(kPage, addr, BSC_MAP_FIXED) == addr);
    CHECK(guest_owns(addr, kPage));
    bytes(addr)[0] = 3;
    // Partly guest-owned, partly free: allowed; the guest page is replaced.
    CHECK(alloc_ok(2 * kPage, addr, BSC_MAP_FIXED) == addr);
    CHECK(bytes(addr)[0] == 0);
    CHECK(guest_owns(addr, 2 * kPage));
    uint64_t probe = addr;
    CHECK(host_vm_alloc(&probe, kPage, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_E_EXISTS);

    // Memory of the runtime outside the window: refused, and left as it was.
    void *runtime =
        ::mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(runtime != MAP_FAILED);
    static_cast<char *>(runtime)[0] = 42;
    probe = reinterpret_cast<uint64_t>(runtime);
    CHECK(host_vm_alloc(&probe, kPage, kReadWrite, BSC_MAP_FIXED) == BSC_E_EXISTS);
    CHECK(host_vm_alloc(&probe, kPage, kReadWrite, BSC_MAP_FIXED_NOREPLACE) == BSC_E_EXISTS);
    CHECK(static_cast<char *>(runtime)[0] == 42);
    ::munmap(runtime, kPage);

    REQUIRE(host_vm_free(addr, 2 * kPage) == BSC_OK);
    CHECK(unmapped(addr, 2 * kPage)); // outside the window a free really unmaps
}

TEST_CASE("vm_free, vm_protect and vm_reset refuse memory the guest does not own",
          "[host][memory]") {
    host_ready();
    std::vector<char> heap(4 * kPage);
    uint64_t runtime = (reinterpret_cast<uint64_t>(heap.data()) + kPage - 1) & ~(kPage - 1);
    uint64_t guest = alloc_ok(2 * kPage);
    for (uint64_t addr : {runtime, kWindowBase, guest + 2 * kPage}) {
        CHECK(host_vm_free(addr, kPage) == BSC_E_INVALID);
        CHECK(host_vm_protect(addr, kPage, BSC_PROT_NONE) == BSC_E_INVALID);
        CHECK(host_vm_reset(addr, kPage) == BSC_E_INVALID);
        CHECK(host_stream_unmap(addr, kPage) == BSC_E_INVALID);
    }
    CHECK(host_vm_free(guest, 3 * kPage) == BSC_E_INVALID); // runs past the region
    CHECK(host_vm_free(guest + 1, kPage) == BSC_E_INVALID);
    CHECK(host_vm_free(guest, 0) == BSC_E_INVALID);
    heap[kPage] = 1; // still the runtime's
    CHECK(guest_owns(guest, 2 * kPage));
    CHECK(host_vm_free(guest, 2 * kPage) == BSC_OK);
    CHECK(host_vm_free(guest, 2 * kPage) == BSC_E_INVALID); // already gone
}

TEST_CASE("vm_protect changes protection of part of a region", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(3 * kPage);
    REQUIRE(host_vm_protect(addr + kPage, kPage, BSC_PROT_READ) == BSC_OK);
    CHECK(writable(addr));
    CHECK_FALSE(writable(addr + kPage));
    CHECK(readable(addr + kPage));
    REQUIRE(host_vm_protect(addr + kPage, kPage, BSC_PROT_NONE) == BSC_OK);
    CHECK_FALSE(readable(addr + kPage));
    CHECK(host_vm_protect(addr, kPage, 16) == BSC_E_INVALID);
    REQUIRE(host_vm_protect(addr, 3 * kPage, kReadWrite) == BSC_OK);
    CHECK(writable(addr + kPage));
    CHECK(host_vm_free(addr, 3 * kPage) == BSC_OK);
}

TEST_CASE("vm_reset reads back anonymous pages as zero", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(2 * kPage, 0, BSC_MAP_NORESERVE);
    std::memset(bytes(addr), 9, 2 * kPage);
    REQUIRE(host_vm_reset(addr, kPage) == BSC_OK);
    CHECK(bytes(addr)[0] == 0);
    CHECK(bytes(addr)[kPage] == 9);
    CHECK(host_vm_free(addr, 2 * kPage) == BSC_OK);
}

TEST_CASE("stream_map shares or copies file pages", "[host][memory]") {
    host_ready();
    TempDir dir;
    std::string file = dir.path("data");
    write_file(file, std::string(kPage, 'a') + std::string(kPage, 'b'));
    bsc_handle handle = open_ok(dir.uri("file", "data"), BSC_ACCESS_RDWR);

    uint64_t shared = 0;
    REQUIRE(host_stream_map(handle, &shared, 0, 2 * kPage, kReadWrite, BSC_MAP_SHARED) == BSC_OK);
    CHECK(guest_owns(shared, 2 * kPage));
    CHECK(bytes(shared)[kPage] == 'b');
    bytes(shared)[0] = 'S';
    CHECK(file_contents(file)[0] == 'S');

    uint64_t copy = 0;
    REQUIRE(host_stream_map(handle, &copy, kPage, kPage, kReadWrite, 0) == BSC_OK);
    CHECK(bytes(copy)[0] == 'b'); // offset one page in
    bytes(copy)[0] = 'P';
    CHECK(file_contents(file)[kPage] == 'b');
    REQUIRE(host_vm_reset(copy, kPage) == BSC_OK);
    CHECK(bytes(copy)[0] == 'b'); // a reset private page shows the file again

    CHECK(host_stream_unmap(shared, 2 * kPage) == BSC_OK);
    CHECK(host_stream_unmap(copy, kPage) == BSC_OK);
    CHECK_FALSE(guest_owns(copy, kPage));
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("stream_map rejects bad handles, offsets and pointers", "[host][memory]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("data"), std::string(kPage, 'x'));
    bsc_handle reader = open_ok(dir.uri("file", "data"), BSC_ACCESS_READ);
    uint64_t addr = 0;
    CHECK(host_stream_map(987654, &addr, 0, kPage, BSC_PROT_READ, 0) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_map(reader, &addr, 100, kPage, BSC_PROT_READ, 0) == BSC_E_INVALID);
    CHECK(host_stream_map(reader, &addr, 0, 0, BSC_PROT_READ, 0) == BSC_E_INVALID);
    CHECK(host_stream_map(reader, &addr, 0, kPage, BSC_PROT_READ, 128) == BSC_E_INVALID);
    CHECK(host_stream_map(reader, static_cast<uint64_t *>(kBadPointer), 0, kPage, BSC_PROT_READ,
                          0) == BSC_E_FAULT);
    // Writable shared pages of a read-only handle.
    CHECK(host_stream_map(reader, &addr, 0, kPage, kReadWrite, BSC_MAP_SHARED) == BSC_E_ACCESS);

    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    CHECK(host_stream_map(ends[0], &addr, 0, kPage, BSC_PROT_READ, 0) == BSC_E_BAD_HANDLE);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_stream_map(event, &addr, 0, kPage, BSC_PROT_READ, 0) == BSC_E_BAD_HANDLE);
    for (bsc_handle handle : {reader, ends[0], ends[1], event})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("vm_fill installs pages until vm_fill_end, and the rest read as zeros",
          "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(4 * kPage, 0, BSC_MAP_FILL);
    std::vector<char> pages(2 * kPage, 'a');
    std::memset(pages.data() + kPage, 'b', kPage);
    REQUIRE(host_vm_fill(addr + kPage, pages.data(), 2 * kPage) == BSC_OK);
    // Each page is filled once: this host tells a second fill (userfaultfd).
    CHECK(host_vm_fill(addr + 2 * kPage, pages.data(), kPage) == BSC_E_EXISTS);
    CHECK(host_vm_fill(addr, pages.data(), kPage / 2) == BSC_E_INVALID); // not whole pages
    CHECK(host_vm_fill(addr + 4 * kPage, pages.data(), kPage) == BSC_E_INVALID); // beyond
    CHECK(host_vm_fill(addr, kBadPointer, kPage) == BSC_E_FAULT);
    REQUIRE(host_vm_fill_end(addr, 4 * kPage) == BSC_OK);
    CHECK(bytes(addr)[0] == 0);
    CHECK(bytes(addr + kPage)[kPage - 1] == 'a');
    CHECK(bytes(addr + 2 * kPage)[0] == 'b');
    CHECK(bytes(addr + 3 * kPage)[kPage - 1] == 0);
    bytes(addr)[0] = 'w'; // ordinary memory now
    CHECK(bytes(addr)[0] == 'w');
    // Filling has ended, and only once.
    CHECK(host_vm_fill(addr, pages.data(), kPage) == BSC_E_INVALID);
    CHECK(host_vm_fill_end(addr, 4 * kPage) == BSC_E_INVALID);
    CHECK(host_vm_free(addr, 4 * kPage) == BSC_OK);
}

TEST_CASE("vm_fill fills from several threads at once", "[host][memory]") {
    host_ready();
    constexpr size_t kPages = 256;
    uint64_t addr = alloc_ok(kPages * kPage, 0, BSC_MAP_FILL | BSC_MAP_NORESERVE);
    std::vector<std::vector<char>> sources;
    for (char c : {'x', 'y'})
        sources.emplace_back(kPage, c);
    std::vector<std::thread> fillers;
    for (size_t t = 0; t < 2; t++)
        fillers.emplace_back([&, t] {
            for (size_t page = t; page < kPages; page += 2)
                CHECK(host_vm_fill(addr + page * kPage, sources[t].data(), kPage) == BSC_OK);
        });
    for (auto &filler : fillers)
        filler.join();
    REQUIRE(host_vm_fill_end(addr, kPages * kPage) == BSC_OK);
    for (size_t page = 0; page < kPages; page++)
        CHECK(bytes(addr + page * kPage)[page % kPage] == (page % 2 ? 'y' : 'x'));
    CHECK(host_vm_free(addr, kPages * kPage) == BSC_OK);
}

// What a lazy restore does: the guest runs while its pages are being filled, and the
// filler hears of each page touched before its turn, from user code or from a system call.
TEST_CASE("lazy filling: vm_fill_wait names each touched page, which waits to be filled",
          "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(4 * kPage, 0, BSC_MAP_FILL);
    uint64_t page = 0;
    bsc_status status = host_vm_fill_wait(&page, 0);
    if (status == BSC_E_NOT_SUPPORTED) {
        REQUIRE(::geteuid() != 0); // root may always have faults from the kernel too
        REQUIRE(host_vm_fill_end(addr, 4 * kPage) == BSC_OK);
        WARN("not run: this process's userfaultfd sees faults from user mode only");
        return;
    }
    CHECK(status == BSC_E_TIMED_OUT); // nothing touched yet
    CHECK(host_vm_fill_wait(&page, -5) == BSC_E_INVALID);
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    char read_by_user = 0;
    std::thread user([&] { read_by_user = bytes(addr + 2 * kPage)[7]; });
    std::thread kernel([&] { CHECK(::write(ends[1], bytes(addr + kPage), 1) == 1); });
    std::vector<char> source(kPage);
    for (int served = 0; served < 2; served++) {
        REQUIRE(host_vm_fill_wait(&page, 10 * 1000000000LL) == BSC_OK);
        REQUIRE((page == addr + kPage || page == addr + 2 * kPage));
        std::memset(source.data(), page == addr + kPage ? 'k' : 'u', kPage);
        CHECK(host_vm_fill(page, source.data(), kPage) == BSC_OK);
    }
    user.join();
    kernel.join();
    char through_pipe = 0;
    CHECK(::read(ends[0], &through_pipe, 1) == 1);
    CHECK(read_by_user == 'u');
    CHECK(through_pipe == 'k');
    CHECK(host_vm_fill_wait(&page, 0) == BSC_E_TIMED_OUT); // each touch is told once
    REQUIRE(host_vm_fill_end(addr, 4 * kPage) == BSC_OK);
    CHECK(bytes(addr)[0] == 0);
    ::close(ends[0]);
    ::close(ends[1]);
    CHECK(host_vm_free(addr, 4 * kPage) == BSC_OK);
}

// A lazy restore fills the pages around a touched one at once, and the guest may have
// protected some of them differently since (the kernel splits the mapping, and one
// UFFDIO_COPY fills one mapping only): one vm_fill still fills them all.
TEST_CASE("lazy filling: a range the guest split since by a protection change is filled whole",
          "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(4 * kPage, 0, BSC_MAP_FILL);
    uint64_t page = 0;
    if (host_vm_fill_wait(&page, 0) == BSC_E_NOT_SUPPORTED) {
        REQUIRE(::geteuid() != 0);
        REQUIRE(host_vm_fill_end(addr, 4 * kPage) == BSC_OK);
        WARN("not run: this process's userfaultfd sees faults from user mode only");
        return;
    }
    REQUIRE(host_vm_protect(addr + kPage, kPage, BSC_PROT_READ | BSC_PROT_EXEC) == BSC_OK);
    REQUIRE(host_vm_protect(addr + 2 * kPage, 2 * kPage, BSC_PROT_READ) == BSC_OK);
    std::vector<char> source(4 * kPage);
    for (size_t i = 0; i < source.size(); i++)
        source[i] = static_cast<char>('a' + i / kPage);
    CHECK(host_vm_fill(addr, source.data(), source.size()) == BSC_OK);
    REQUIRE(host_vm_fill_end(addr, 4 * kPage) == BSC_OK);
    for (uint64_t i = 0; i < 4; i++)
        CHECK(bytes(addr + i * kPage)[9] == static_cast<char>('a' + i));
    CHECK(host_vm_free(addr, 4 * kPage) == BSC_OK);
}

TEST_CASE("vm_fill refuses memory that is not being filled", "[host][memory]") {
    host_ready();
    std::vector<char> page(kPage, 'p');
    uint64_t plain = alloc_ok(2 * kPage);
    REQUIRE(host_vm_free(plain + kPage, kPage) == BSC_OK); // for the region below
    CHECK(host_vm_fill(plain, page.data(), kPage) == BSC_E_INVALID);
    CHECK(host_vm_fill_end(plain, kPage) == BSC_E_INVALID);
    CHECK(host_vm_fill(kWindowBase, page.data(), kPage) == BSC_E_INVALID); // not the guest's
    // A region to fill must be writable: without userfaultfd, vm_fill writes its pages.
    uint64_t addr = 0;
    CHECK(host_vm_alloc(&addr, kPage, BSC_PROT_READ, BSC_MAP_FILL) == BSC_E_INVALID);
    // A fill that runs into memory not being filled changes nothing.
    uint64_t filled = alloc_ok(kPage, plain + kPage, BSC_MAP_FIXED_NOREPLACE | BSC_MAP_FILL);
    std::vector<char> two(2 * kPage, 'q');
    CHECK(host_vm_fill(plain, two.data(), 2 * kPage) == BSC_E_INVALID);
    REQUIRE(host_vm_fill_end(filled, kPage) == BSC_OK);
    CHECK(bytes(filled)[0] == 0);
    CHECK(host_vm_free(plain, 2 * kPage) == BSC_OK);
}

// The pages vm_written_query reports for the 16 pages at `addr`, restarting the count.
std::vector<int> written_pages(uint64_t addr, uint32_t flags = BSC_WRITTEN_RESTART) {
    uint8_t bits[2] = {0xaa, 0xaa}; // the call writes every bit
    REQUIRE(host_vm_written_query(addr, 16 * kPage, flags, bits, sizeof bits) == BSC_OK);
    std::vector<int> pages;
    for (int page = 0; page < 16; page++)
        if (bits[page / 8] & (1 << (page % 8)))
            pages.push_back(page);
    return pages;
}

std::vector<int> all_16() {
    std::vector<int> all(16);
    for (int page = 0; page < 16; page++)
        all[static_cast<size_t>(page)] = page;
    return all;
}

TEST_CASE("vm_written_query reports the pages changed since it last restarted", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(16 * kPage);
    for (int page = 0; page < 8; page++)
        bytes(addr)[page * kPage] = 1;
    uint8_t bits[2];
    bsc_status first = host_vm_written_query(addr, 16 * kPage, BSC_WRITTEN_RESTART, bits, 2);
    if (first == BSC_E_NOT_SUPPORTED) {
        WARN("this kernel cannot count writes (Linux < 6.7): vm_written_query not tested");
        return;
    }
    REQUIRE(first == BSC_OK);
    CHECK(bits[0] == 0xff); // never counted: all of it may have changed
    CHECK(bits[1] == 0xff);
    CHECK(written_pages(addr, 0).empty());
    // A write by the program, one by the kernel (a read into the page), a reset; a read
    // of an untouched page is no change.
    bytes(addr)[1 * kPage + 5] = 2;
    int ends[2];
    REQUIRE(::pipe(ends) == 0);
    REQUIRE(::write(ends[1], "x", 1) == 1);
    REQUIRE(::read(ends[0], bytes(addr + 3 * kPage), 1) == 1);
    ::close(ends[0]);
    ::close(ends[1]);
    REQUIRE(host_vm_reset(addr + 2 * kPage, kPage) == BSC_OK);
    CHECK(*reinterpret_cast<volatile char *>(bytes(addr + 9 * kPage)) == 0);
    CHECK(written_pages(addr, 0) == std::vector<int>{1, 2, 3}); // asked, not restarted
    CHECK(written_pages(addr) == std::vector<int>{1, 2, 3});
    CHECK(written_pages(addr).empty());
    // A protection change is no write; memory mapped afresh over a page may be anything.
    REQUIRE(host_vm_protect(addr + 4 * kPage, kPage, BSC_PROT_NONE) == BSC_OK);
    REQUIRE(host_vm_protect(addr + 4 * kPage, kPage, kReadWrite) == BSC_OK);
    uint64_t fresh = addr + 5 * kPage;
    REQUIRE(host_vm_alloc(&fresh, kPage, kReadWrite, BSC_MAP_FIXED) == BSC_OK);
    CHECK(written_pages(addr) == std::vector<int>{5});
    CHECK(written_pages(addr).empty());
    CHECK(host_vm_free(addr, 16 * kPage) == BSC_OK);
}

TEST_CASE("vm_written_query reports shared memory and stream mappings as always changed",
          "[host][memory]") {
    host_ready();
    uint64_t shared = alloc_ok(16 * kPage, 0, BSC_MAP_SHARED);
    CHECK(written_pages(shared) == all_16());
    CHECK(written_pages(shared) == all_16());
    CHECK(host_vm_free(shared, 16 * kPage) == BSC_OK);
}

TEST_CASE("vm_written_query refuses bad arguments", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(16 * kPage);
    uint8_t bits[2];
    CHECK(host_vm_written_query(addr, 16 * kPage, 0, bits, 1) == BSC_E_INVALID); // too small
    CHECK(host_vm_written_query(addr, 16 * kPage, 2, bits, 2) == BSC_E_INVALID); // a flag
    CHECK(host_vm_written_query(addr + 1, kPage, 0, bits, 2) == BSC_E_INVALID);
    CHECK(host_vm_written_query(kWindowBase, kPage, 0, bits, 2) == BSC_E_INVALID); // not owned
    CHECK(host_vm_written_query(addr, 16 * kPage, 0, nullptr, 2) == BSC_E_FAULT);
    CHECK(host_vm_free(addr, 16 * kPage) == BSC_OK);
}

TEST_CASE("vm_lock faults pages in and vm_residency_query shows them", "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(4 * kPage);
    uint8_t pages[4] = {7, 7, 7, 7};
    REQUIRE(host_vm_residency_query(addr, 4 * kPage, pages, sizeof pages) == BSC_OK);
    CHECK(pages[0] == 0); // untouched
    bytes(addr)[kPage] = 1;
    REQUIRE(host_vm_residency_query(addr, 4 * kPage, pages, sizeof pages) == BSC_OK);
    CHECK(pages[1] == 1);
    bsc_status locked = host_vm_lock(addr + 2 * kPage, 2 * kPage, BSC_VM_LOCK);
    if (locked == BSC_E_NOT_PERMITTED || locked == BSC_E_AGAIN || locked == BSC_E_NO_MEMORY) {
        WARN("the host may not lock memory here: vm_lock's locking not tested");
    } else {
        REQUIRE(locked == BSC_OK);
        REQUIRE(host_vm_residency_query(addr, 4 * kPage, pages, sizeof pages) == BSC_OK);
        CHECK(pages[2] == 1); // faulted in
        CHECK(pages[3] == 1);
        CHECK(host_vm_lock(addr + 2 * kPage, 2 * kPage, 0) == BSC_OK);
    }
    CHECK(host_vm_lock(addr, kPage, BSC_VM_LOCK | BSC_VM_LOCK_ON_FAULT) == BSC_E_INVALID);
    CHECK(host_vm_lock(addr + 1, kPage, BSC_VM_LOCK) == BSC_E_INVALID);
    CHECK(host_vm_lock(kWindowBase, kPage, BSC_VM_LOCK) == BSC_E_INVALID); // not owned
    CHECK(host_vm_residency_query(addr, 4 * kPage, pages, 3) == BSC_E_INVALID); // too small
    CHECK(host_vm_residency_query(addr, 4 * kPage, nullptr, 4) == BSC_E_FAULT);
    CHECK(host_vm_free(addr, 4 * kPage) == BSC_OK);
}

TEST_CASE("vm_sync checks its range and writes nothing back for anonymous memory",
          "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(2 * kPage);
    bytes(addr)[0] = 1;
    CHECK(host_vm_sync(addr, 2 * kPage, 0) == BSC_OK);
    CHECK(host_vm_sync(addr + 1, kPage, 0) == BSC_E_INVALID);
    CHECK(host_vm_sync(addr, kPage, 1) == BSC_E_INVALID);              // a flag
    CHECK(host_vm_sync(kWindowBase, kPage, 0) == BSC_E_INVALID);       // not owned
    CHECK(host_vm_free(addr, 2 * kPage) == BSC_OK);
}

TEST_CASE("guest copies stop at an unreadable or read-only page with BSC_E_FAULT",
          "[host][memory]") {
    host_ready();
    uint64_t addr = alloc_ok(2 * kPage);
    REQUIRE(host_vm_protect(addr + kPage, kPage, BSC_PROT_READ) == BSC_OK);
    std::vector<char> buffer(2 * kPage, 'x');
    // Across into the read-only page: the writable part is written, the call fails.
    CHECK(bsc::copy_to_guest(bytes(addr + kPage - 8), buffer.data(), 16) == BSC_E_FAULT);
    CHECK(std::memcmp(bytes(addr + kPage - 8), "xxxxxxxx", 8) == 0);
    CHECK(bsc::copy_from_guest(buffer.data(), bytes(addr), 2 * kPage) == BSC_OK);
    REQUIRE(host_vm_protect(addr + kPage, kPage, BSC_PROT_NONE) == BSC_OK);
    CHECK(bsc::copy_from_guest(buffer.data(), bytes(addr), 2 * kPage) == BSC_E_FAULT);
    REQUIRE(host_vm_free(addr + kPage, kPage) == BSC_OK);
    CHECK(bsc::copy_from_guest(buffer.data(), bytes(addr + kPage), 1) == BSC_E_FAULT);
    CHECK(bsc::copy_to_guest(bytes(addr + kPage), buffer.data(), 1) == BSC_E_FAULT);
    // A non-canonical address faults as a general protection fault, not a page fault.
    CHECK(bsc::copy_from_guest(buffer.data(), reinterpret_cast<void *>(0x8000000000000000), 1) ==
          BSC_E_FAULT);
    std::string text;
    std::memcpy(bytes(addr + kPage - 3), "ab", 3);
    CHECK(bsc::read_guest_string(static_cast<const char *>(bytes(addr + kPage - 3)), text) ==
          BSC_OK);
    CHECK(text == "ab");
    CHECK(host_vm_free(addr, kPage) == BSC_OK);
}
