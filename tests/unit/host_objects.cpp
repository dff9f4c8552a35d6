// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's objects: object_close, objects_wait_any, events, and
// sync_wait / sync_wake.
#include <cstring>
#include <vector>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

constexpr int64_t kMillisecond = 1000000;

bsc_handle event_ok(uint32_t flags) {
    bsc_handle event = BSC_NO_HANDLE;
    REQUIRE(host_event_create(flags, &event) == BSC_OK);
    return event;
}

// Waits on one handle for READ; the status, with the item's ready bits in `ready_bits`.
bsc_status wait_read(bsc_handle handle, int64_t timeout_ns, uint16_t *ready_bits = nullptr) {
    bsc_wait_item item{handle, BSC_WAIT_READ, 0xffff};
    uint32_t ready = 99;
    bsc_status status = host_objects_wait_any(&item, 1, timeout_ns, &ready);
    CHECK(ready == (status == BSC_OK ? 1u : 0u));
    if (ready_bits)
        *ready_bits = item.ready;
    return status;
}

} // namespace

TEST_CASE("object_close releases a handle once", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(0);
    CHECK(host_object_close(event) == BSC_OK);
    CHECK(host_object_close(event) == BSC_E_BAD_HANDLE);
    CHECK(host_object_close(BSC_NO_HANDLE) == BSC_E_BAD_HANDLE);
    CHECK(host_event_set(event) == BSC_E_BAD_HANDLE); // never reused
}

TEST_CASE("an auto-reset event is consumed by the wait that sees it", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(0);
    CHECK(wait_read(event, 0) == BSC_E_TIMED_OUT);
    REQUIRE(host_event_set(event) == BSC_OK);
    REQUIRE(host_event_set(event) == BSC_OK); // setting a set event changes nothing
    uint16_t ready = 0;
    CHECK(wait_read(event, 0, &ready) == BSC_OK);
    CHECK(ready == BSC_WAIT_READ);
    CHECK(wait_read(event, 0, &ready) == BSC_E_TIMED_OUT);
    CHECK(ready == 0);
    REQUIRE(host_event_set(event) == BSC_OK);
    REQUIRE(host_event_clear(event) == BSC_OK);
    CHECK(wait_read(event, 0) == BSC_E_TIMED_OUT);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("a manual-reset event stays set until cleared", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(BSC_EVENT_MANUAL_RESET | BSC_EVENT_INITIALLY_SET);
    CHECK(wait_read(event, 0) == BSC_OK);
    CHECK(wait_read(event, 0) == BSC_OK);
    REQUIRE(host_event_clear(event) == BSC_OK);
    REQUIRE(host_event_clear(event) == BSC_OK); // clearing a clear event is fine
    CHECK(wait_read(event, 0) == BSC_E_TIMED_OUT);
    REQUIRE(host_event_set(event) == BSC_OK);
    CHECK(wait_read(event, 0) == BSC_OK);
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query_by_handle(event, &attributes) == BSC_OK);
    CHECK(attributes.type == BSC_TYPE_EVENT);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("event errors", "[host][objects]") {
    host_ready();
    bsc_handle event;
    CHECK(host_event_create(4, &event) == BSC_E_INVALID);
    CHECK(host_event_create(0, static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    CHECK(host_event_create(0, nullptr) == BSC_E_FAULT);
    bsc_handle pipe[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    CHECK(host_event_set(pipe[0]) == BSC_E_BAD_HANDLE);
    CHECK(host_event_clear(pipe[1]) == BSC_E_BAD_HANDLE);
    CHECK(host_event_set(987654) == BSC_E_BAD_HANDLE);
    CHECK(host_object_close(pipe[0]) == BSC_OK);
    CHECK(host_object_close(pipe[1]) == BSC_OK);
}

TEST_CASE("one set of an auto-reset event wakes exactly one waiter", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(0);
    std::atomic<int> woken{0}, timed_out{0};
    std::vector<std::thread> waiters;
    for (int i = 0; i < 4; i++)
        waiters.emplace_back([&] {
            bsc_status status = wait_read(event, 400 * kMillisecond);
            (status == BSC_OK ? woken : timed_out)++;
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(host_event_set(event) == BSC_OK);
    for (auto &waiter : waiters)
        waiter.join();
    CHECK(woken == 1);
    CHECK(timed_out == 3);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("wait_any over several kinds of objects", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(BSC_EVENT_MANUAL_RESET);
    bsc_handle pipe[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    bsc_wait_item items[3] = {
        {event, BSC_WAIT_READ, 0}, {pipe[0], BSC_WAIT_READ, 0}, {pipe[1], BSC_WAIT_WRITE, 0}};
    uint32_t ready = 0;
    REQUIRE(host_objects_wait_any(items, 3, 0, &ready) == BSC_OK);
    CHECK(ready == 1);
    CHECK(items[0].ready == 0);
    CHECK(items[1].ready == 0);
    CHECK(items[2].ready == BSC_WAIT_WRITE);

    write_ok(pipe[1], "x");
    REQUIRE(host_objects_wait_any(items, 2, 0, &ready) == BSC_OK);
    CHECK(ready == 1);
    CHECK(items[1].ready == BSC_WAIT_READ);
    CHECK(items[0].handle == event); // inputs untouched
    CHECK(items[1].wanted == BSC_WAIT_READ);

    // A set event from another thread wakes a FOREVER wait.
    std::thread setter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        host_event_set(event);
    });
    bsc_wait_item only_event{event, BSC_WAIT_READ, 0};
    CHECK(host_objects_wait_any(&only_event, 1, BSC_WAIT_FOREVER, &ready) == BSC_OK);
    CHECK(only_event.ready == BSC_WAIT_READ);
    setter.join();
    for (bsc_handle handle : {event, pipe[0], pipe[1]})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("wait_any times out after the timeout, and sleeps with no items", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(0);
    int64_t start = monotonic_ns();
    CHECK(wait_read(event, 50 * kMillisecond) == BSC_E_TIMED_OUT);
    CHECK(monotonic_ns() - start >= 50 * kMillisecond);

    start = monotonic_ns();
    uint32_t ready = 7;
    CHECK(host_objects_wait_any(nullptr, 0, 20 * kMillisecond, &ready) == BSC_E_TIMED_OUT);
    CHECK(ready == 0);
    CHECK(monotonic_ns() - start >= 20 * kMillisecond);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("wait_any errors", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(BSC_EVENT_INITIALLY_SET);
    bsc_wait_item item{event, BSC_WAIT_READ, 0};
    uint32_t ready;
    CHECK(host_objects_wait_any(&item, 4097, 0, &ready) == BSC_E_INVALID);
    CHECK(host_objects_wait_any(&item, 1, -2, &ready) == BSC_E_INVALID);
    CHECK(host_objects_wait_any(&item, 1, 0, nullptr) == BSC_E_FAULT);
    CHECK(host_objects_wait_any(static_cast<bsc_wait_item *>(kBadPointer), 1, 0, &ready) ==
          BSC_E_FAULT);
    bsc_wait_item bad_handle{987654, BSC_WAIT_READ, 0};
    CHECK(host_objects_wait_any(&bad_handle, 1, 0, &ready) == BSC_E_BAD_HANDLE);
    bsc_wait_item bad_wanted{event, 32, 0}; // BSC_WAIT_READ_HANGUP (16) is the last known
    CHECK(host_objects_wait_any(&bad_wanted, 1, 0, &ready) == BSC_E_INVALID);
    bsc_wait_item read_hangup{event, BSC_WAIT_READ_HANGUP, 0}; // an event never has it
    CHECK(host_objects_wait_any(&read_hangup, 1, 0, &ready) == BSC_E_TIMED_OUT);
    // A read-only item array: refused before the event is consumed.
    void *page = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(page != MAP_FAILED);
    std::memcpy(page, &item, sizeof item);
    REQUIRE(::mprotect(page, 4096, PROT_READ) == 0);
    CHECK(host_objects_wait_any(static_cast<bsc_wait_item *>(page), 1, 0, &ready) == BSC_E_FAULT);
    ::munmap(page, 4096);
    CHECK(wait_read(event, 0) == BSC_OK); // still set
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("wait_any returns INTERRUPTED on a signal", "[host][objects]") {
    host_ready();
    bsc_handle event = event_ok(0);
    CHECK(interrupt_while_blocked([&] { return wait_read(event, BSC_WAIT_FOREVER); }) ==
          BSC_E_INTERRUPTED);
    CHECK(host_object_close(event) == BSC_OK);
}

TEST_CASE("sync_wait sleeps while the word holds the value", "[host][objects]") {
    host_ready();
    alignas(4) uint32_t word = 5;
    CHECK(host_sync_wait(&word, 6, BSC_WAIT_FOREVER) == BSC_E_AGAIN);
    int64_t start = monotonic_ns();
    CHECK(host_sync_wait(&word, 5, 30 * kMillisecond) == BSC_E_TIMED_OUT);
    CHECK(monotonic_ns() - start >= 30 * kMillisecond);
    CHECK(host_sync_wait(&word, 5, 0) == BSC_E_TIMED_OUT);

    std::atomic<bsc_status> waited{BSC_E_IO};
    std::thread waiter([&] {
        bsc_status status;
        do // a wake-up may be spurious: wait again while the word still says so
            status = host_sync_wait(&word, 5, BSC_WAIT_FOREVER);
        while (status == BSC_OK && std::atomic_ref(word).load() == 5);
        waited = status;
    });
    uint32_t woken = 0;
    while (woken == 0) { // until the waiter is really asleep on the word
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::atomic_ref(word).store(6);
        REQUIRE(host_sync_wake(&word, 1, &woken) == BSC_OK);
        if (woken == 0 && waited != BSC_E_IO)
            break; // it saw 6 before sleeping
    }
    waiter.join();
    CHECK((waited == BSC_OK || waited == BSC_E_AGAIN));
    CHECK(host_sync_wake(&word, 10, &woken) == BSC_OK);
    CHECK(woken == 0);
    CHECK(host_sync_wake(&word, 10, nullptr) == BSC_OK);
}

TEST_CASE("sync_wait and sync_wake errors", "[host][objects]") {
    host_ready();
    alignas(4) uint32_t words[2] = {0, 0};
    auto *misaligned = reinterpret_cast<uint32_t *>(reinterpret_cast<char *>(words) + 1);
    CHECK(host_sync_wait(misaligned, 0, 0) == BSC_E_INVALID);
    CHECK(host_sync_wake(misaligned, 1, nullptr) == BSC_E_INVALID);
    CHECK(host_sync_wait(words, 0, -5) == BSC_E_INVALID);
    NoAccessPage page;
    CHECK(host_sync_wait(page.as<uint32_t>(), 0, 0) == BSC_E_FAULT);
    CHECK(host_sync_wait(nullptr, 0, 0) == BSC_E_FAULT);
    uint32_t woken;
    CHECK(host_sync_wake(words, 1, page.as<uint32_t>()) == BSC_E_FAULT);
    // A wake never reads the word, so an unmapped address simply has nobody to wake.
    CHECK(host_sync_wake(reinterpret_cast<uint32_t *>(16), 1, &woken) == BSC_OK);
    CHECK(woken == 0);
}

TEST_CASE("sync_wait returns INTERRUPTED on a signal", "[host][objects]") {
    host_ready();
    alignas(4) uint32_t word = 1;
    CHECK(interrupt_while_blocked([&] { return host_sync_wait(&word, 1, BSC_WAIT_FOREVER); }) ==
          BSC_E_INTERRUPTED);
}
