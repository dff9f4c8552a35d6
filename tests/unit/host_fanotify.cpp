// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's file-system access events (ABI 1.23): fanotify: streams,
// stream_mark, and their records, whose descriptors are handles.
#include <sys/fanotify.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "host_fixtures.h"

using namespace bsc::test;

TEST_CASE("a fanotify: stream reports accesses with a handle for each file", "[host][notify]") {
    host_ready();
    if (::geteuid() != 0)
        return; // a group needs the host's privilege
    TempDir dir;
    write_file(dir.path("f"), "abc");
    bsc_handle group = open_ok("fanotify:0,0", BSC_ACCESS_READ, BSC_CREATE_NEVER,
                               BSC_OPTION_NONBLOCK);
    REQUIRE(host_stream_mark(group, BSC_NO_HANDLE, dir.uri("file", "f").c_str(), FAN_MARK_ADD,
                             FAN_OPEN) == BSC_OK);
    char buffer[256];
    uint64_t done = 0;
    CHECK(host_stream_read(group, BSC_AT_POSITION, buffer, sizeof buffer, &done) == BSC_E_AGAIN);
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ, BSC_CREATE_NEVER, 0);
    CHECK(host_stream_read(group, BSC_AT_POSITION, buffer, 8, &done) == BSC_E_INVALID);
    REQUIRE(host_stream_read(group, BSC_AT_POSITION, buffer, sizeof buffer, &done) == BSC_OK);
    fanotify_event_metadata event;
    REQUIRE(done == sizeof event);
    std::memcpy(&event, buffer, sizeof event);
    CHECK(event.mask == FAN_OPEN);
    CHECK(event.pid == ::getpid());
    REQUIRE(event.fd > 0);
    // The record's fd is a handle of the file, named by its path.
    char uri[4096];
    bsc_object_info info{};
    REQUIRE(host_object_query(static_cast<bsc_handle>(event.fd), &info, uri, sizeof uri) ==
            BSC_OK);
    CHECK(std::string(uri) == dir.uri("file", "f"));
    char content[4];
    REQUIRE(host_stream_read(static_cast<bsc_handle>(event.fd), 0, content, 3, &done) == BSC_OK);
    CHECK(std::string(content, 3) == "abc");
    host_object_close(static_cast<bsc_handle>(event.fd));
    host_object_close(file);
    // A response on a notification group is the kernel's to refuse; the marks flush.
    fanotify_response response{event.fd, FAN_ALLOW};
    CHECK(host_stream_write(group, BSC_AT_POSITION, &response, sizeof response, &done) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_mark(group, BSC_NO_HANDLE, "", FAN_MARK_FLUSH, 0) == BSC_OK);
    host_object_close(group);
}

TEST_CASE("fanotify: streams and stream_mark refuse what they do not take", "[host][notify]") {
    host_ready();
    if (::geteuid() != 0)
        return;
    TempDir dir;
    bsc_handle handle = BSC_NO_HANDLE;
    CHECK(host_stream_open("fanotify:", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle) ==
          BSC_E_INVALID);
    CHECK(host_stream_open("fanotify:0,x", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle) ==
          BSC_E_INVALID);
    CHECK(host_stream_open("fanotify:0,0", BSC_ACCESS_RDWR, 0, BSC_CREATE_NEVER, 0, &handle) ==
          BSC_E_INVALID);
    CHECK(host_stream_open("fanotify:2147483648,0", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0,
                           &handle) == BSC_E_INVALID); // the kernel's check of the flags
    bsc_handle group = open_ok("fanotify:0,0", BSC_ACCESS_READ, BSC_CREATE_NEVER, 0);
    bsc_handle notifier = open_ok("notify:", BSC_ACCESS_READ, BSC_CREATE_NEVER, 0);
    std::string here = dir.uri("dir");
    CHECK(host_stream_mark(kNoSuchHandle, BSC_NO_HANDLE, here.c_str(), FAN_MARK_ADD, FAN_OPEN) ==
          BSC_E_BAD_HANDLE);
    CHECK(host_stream_mark(notifier, BSC_NO_HANDLE, here.c_str(), FAN_MARK_ADD, FAN_OPEN) ==
          BSC_E_NOT_SUPPORTED);
    CHECK(host_stream_mark(group, kNoSuchHandle, "", FAN_MARK_ADD, FAN_OPEN) ==
          BSC_E_BAD_HANDLE);
    CHECK(host_stream_mark(group, BSC_NO_HANDLE, "", FAN_MARK_ADD, FAN_OPEN) == BSC_E_INVALID);
    CHECK(host_stream_mark(group, BSC_NO_HANDLE, "pipe:", FAN_MARK_ADD, FAN_OPEN) ==
          BSC_E_INVALID);
    CHECK(host_stream_mark(group, BSC_NO_HANDLE, dir.uri("file", "missing").c_str(),
                           FAN_MARK_ADD, FAN_OPEN) == BSC_E_NOT_FOUND);
    CHECK(host_stream_mark(group, BSC_NO_HANDLE, here.c_str(), FAN_MARK_ADD | FAN_MARK_REMOVE,
                           FAN_OPEN) == BSC_E_INVALID);
    bsc_handle opened = open_ok(here, BSC_ACCESS_READ, BSC_CREATE_NEVER, 0);
    CHECK(host_stream_mark(group, opened, "", FAN_MARK_ADD | FAN_MARK_ONLYDIR, FAN_OPEN) ==
          BSC_OK);
    host_object_close(opened);
    host_object_close(notifier);
    host_object_close(group);
}
