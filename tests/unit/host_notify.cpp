// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's file-system notifications: notify: streams, stream_watch,
// BSC_CONTROL_WATCH_REMOVE, and the lease controls.
#include <cstring>
#include <string>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bsc_watch_event read_event(bsc_handle notifier, std::string &name) {
    char buffer[256];
    uint64_t done = 0;
    REQUIRE(host_stream_read(notifier, BSC_AT_POSITION, buffer, sizeof buffer, &done) == BSC_OK);
    bsc_watch_event event;
    REQUIRE(done >= sizeof event);
    std::memcpy(&event, buffer, sizeof event);
    REQUIRE(done == sizeof event + event.name_length);
    name = event.name_length ? std::string(buffer + sizeof event) : std::string();
    return event;
}

} // namespace

TEST_CASE("a notify: stream queues the events of its watches", "[host][notify]") {
    host_ready();
    TempDir dir;
    bsc_handle notifier = open_ok("notify:", BSC_ACCESS_READ, BSC_CREATE_NEVER,
                                  BSC_OPTION_NONBLOCK);
    int32_t watch = 0;
    REQUIRE(host_stream_watch(notifier, dir.uri("dir").c_str(), BSC_WATCH_CREATE, &watch) ==
            BSC_OK);
    CHECK(watch > 0);
    char buffer[64];
    uint64_t done = 0;
    CHECK(host_stream_read(notifier, BSC_AT_POSITION, buffer, sizeof buffer, &done) ==
          BSC_E_AGAIN);
    write_file(dir.path("new"), "x");
    uint64_t readable = 0;
    REQUIRE(host_stream_control(notifier, BSC_CONTROL_READABLE, &readable, sizeof readable) ==
            BSC_OK);
    CHECK(readable == sizeof(bsc_watch_event) + 16); // the name NUL-padded
    CHECK(host_stream_read(notifier, BSC_AT_POSITION, buffer, 16, &done) == BSC_E_INVALID);
    std::string name;
    bsc_watch_event event = read_event(notifier, name);
    CHECK(event.watch == watch);
    CHECK(event.events == BSC_WATCH_CREATE);
    CHECK(name == "new");
    int32_t removed = watch;
    REQUIRE(host_stream_control(notifier, BSC_CONTROL_WATCH_REMOVE, &removed, sizeof removed) ==
            BSC_OK);
    CHECK(host_stream_control(notifier, BSC_CONTROL_WATCH_REMOVE, &removed, sizeof removed) ==
          BSC_E_INVALID);
    event = read_event(notifier, name);
    CHECK(event.watch == watch);
    CHECK(event.events == BSC_WATCH_IGNORED);
    CHECK(name.empty());
    host_object_close(notifier);
}

TEST_CASE("notify: streams and stream_watch refuse what they do not take", "[host][notify]") {
    host_ready();
    TempDir dir;
    CHECK(open_status("notify:", BSC_ACCESS_WRITE) == BSC_E_INVALID);
    CHECK(open_status("notify:", BSC_ACCESS_READ, BSC_CREATE_TRY) == BSC_E_INVALID);
    CHECK(open_status("notify:", BSC_ACCESS_READ, BSC_CREATE_NEVER, BSC_OPTION_TRUNCATE) ==
          BSC_E_INVALID);
    CHECK(open_status("notify:x", BSC_ACCESS_READ) == BSC_E_INVALID);
    bsc_handle notifier = open_ok("notify:", BSC_ACCESS_READ);
    int32_t watch = 0;
    std::string here = dir.uri("dir");
    CHECK(host_stream_watch(notifier, dir.uri("file", "missing").c_str(), BSC_WATCH_MODIFY,
                            &watch) == BSC_E_NOT_FOUND);
    CHECK(host_stream_watch(notifier, "pipe:", BSC_WATCH_MODIFY, &watch) == BSC_E_INVALID);
    CHECK(host_stream_watch(notifier, here.c_str(), 0, &watch) == BSC_E_INVALID);
    CHECK(host_stream_watch(notifier, here.c_str(), BSC_WATCH_MODIFY,
                            static_cast<int32_t *>(kBadPointer)) == BSC_E_FAULT);
    CHECK(host_stream_watch(kNoSuchHandle, here.c_str(), BSC_WATCH_MODIFY, &watch) ==
          BSC_E_BAD_HANDLE);
    write_file(dir.path("f"), "");
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    CHECK(host_stream_watch(file, here.c_str(), BSC_WATCH_MODIFY, &watch) ==
          BSC_E_NOT_SUPPORTED);
    CHECK(host_stream_watch(notifier, dir.uri("file", "f").c_str(),
                            BSC_WATCH_MODIFY | BSC_WATCH_ONLY_DIRECTORY, &watch) ==
          BSC_E_NOT_DIRECTORY);
    int32_t any = 1;
    CHECK(host_stream_control(file, BSC_CONTROL_WATCH_REMOVE, &any, sizeof any) ==
          BSC_E_NOT_SUPPORTED);
    CHECK(host_stream_control(notifier, BSC_CONTROL_WATCH_REMOVE, &any, 8) == BSC_E_INVALID);
    host_object_close(file);
    host_object_close(notifier);
}

TEST_CASE("stream_control takes, reports and drops a file's lease", "[host][notify]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "x");
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    uint32_t lease = 7;
    REQUIRE(host_stream_control(file, BSC_CONTROL_LEASE, &lease, sizeof lease) == BSC_OK);
    CHECK(lease == BSC_LOCK_UNLOCK);
    lease = BSC_LOCK_READ;
    REQUIRE(host_stream_control(file, BSC_CONTROL_SET_LEASE, &lease, sizeof lease) == BSC_OK);
    lease = 7;
    REQUIRE(host_stream_control(file, BSC_CONTROL_LEASE, &lease, sizeof lease) == BSC_OK);
    CHECK(lease == BSC_LOCK_READ);
    lease = BSC_LOCK_UNLOCK;
    CHECK(host_stream_control(file, BSC_CONTROL_SET_LEASE, &lease, sizeof lease) == BSC_OK);
    CHECK(host_stream_control(file, BSC_CONTROL_SET_LEASE, &lease, sizeof lease) ==
          BSC_E_AGAIN); // none to drop
    lease = 5;
    CHECK(host_stream_control(file, BSC_CONTROL_SET_LEASE, &lease, sizeof lease) ==
          BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_SET_LEASE, &lease, 8) == BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_SET_LEASE, kBadPointer, sizeof lease) ==
          BSC_E_FAULT);
    bsc_handle directory = open_ok(dir.uri("dir"), BSC_ACCESS_READ);
    lease = BSC_LOCK_READ;
    CHECK(host_stream_control(directory, BSC_CONTROL_SET_LEASE, &lease, sizeof lease) ==
          BSC_E_INVALID);
    uint32_t none = 0;
    CHECK(host_stream_control(directory, BSC_CONTROL_WATCH_DIRECTORY, &none, sizeof none) ==
          BSC_OK);
    uint32_t create = BSC_DIRECTORY_CREATE;
    CHECK(host_stream_control(file, BSC_CONTROL_WATCH_DIRECTORY, &create, sizeof create) ==
          BSC_E_NOT_DIRECTORY);
    uint32_t count = 9;
    bsc_notice notices[4];
    CHECK(host_process_notices_take(notices, 4, &count) == BSC_OK);
    CHECK(count == 0);
    CHECK(host_process_notices_take(notices, 4, static_cast<uint32_t *>(kBadPointer)) ==
          BSC_E_FAULT);
    host_object_close(directory);
    host_object_close(file);
}
