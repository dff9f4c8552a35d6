// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's file streams: stream_open for file:, dir: and dev:, reads,
// writes, seeks, directory listings, locks, flush, set_length, and adopt_stdio.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

#include "handles.h"
#include "host_fixtures.h"
#include "stream_uri.h"

using namespace bsc::test;

namespace {

// Names and types of every record in one directory listing.
std::map<std::string, uint8_t> parse_dirents(const std::string &buffer) {
    std::map<std::string, uint8_t> entries;
    size_t at = 0;
    while (at < buffer.size()) {
        bsc_dirent header;
        REQUIRE(at + offsetof(bsc_dirent, name) <= buffer.size());
        std::memcpy(&header, buffer.data() + at, offsetof(bsc_dirent, name));
        REQUIRE(header.record_length % 8 == 0);
        REQUIRE(at + header.record_length <= buffer.size());
        const char *name = buffer.data() + at + offsetof(bsc_dirent, name);
        size_t room = header.record_length - offsetof(bsc_dirent, name);
        REQUIRE(::strnlen(name, room) < room); // NUL-terminated inside the record
        CHECK(header.inode != 0);
        entries[name] = header.type;
        at += header.record_length;
    }
    return entries;
}

std::map<std::string, uint8_t> list_all(bsc_handle dir, size_t buffer_size) {
    std::map<std::string, uint8_t> entries;
    for (;;) {
        std::string chunk = read_ok(dir, buffer_size);
        if (chunk.empty())
            return entries;
        entries.merge(parse_dirents(chunk));
    }
}

std::string uri_of(bsc_handle handle) { return bsc::host::handles().find(handle)->uri; }

} // namespace

TEST_CASE("stream_open creates, opens and refuses files", "[host][files]") {
    host_ready();
    TempDir dir;
    std::string uri = dir.uri("file", "new");
    CHECK(open_status(uri, BSC_ACCESS_READ) == BSC_E_NOT_FOUND);
    bsc_handle handle = open_ok(uri, BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    struct stat st;
    REQUIRE(::stat(dir.path("new").c_str(), &st) == 0);
    mode_t mask = ::umask(0);
    ::umask(mask);
    CHECK((st.st_mode & 0777) == (0644 & ~mask));
    CHECK(open_status(uri, BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS) == BSC_E_EXISTS);
    CHECK(open_status(uri, BSC_ACCESS_RDWR, BSC_CREATE_TRY) == BSC_OK);
    CHECK(open_status(uri, BSC_ACCESS_READ) == BSC_OK);
    CHECK(open_status(dir.uri("file", "missing/x"), BSC_ACCESS_READ, BSC_CREATE_TRY) ==
          BSC_E_NOT_FOUND);
    CHECK(open_status(dir.uri("file", "new/x"), BSC_ACCESS_READ) == BSC_E_NOT_DIRECTORY);
    CHECK(uri_of(handle) == uri);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("stream_open rejects bad arguments and pointers", "[host][files]") {
    host_ready();
    TempDir dir;
    std::string uri = dir.uri("file", "f");
    bsc_handle handle;
    CHECK(open_status(uri, 0, BSC_CREATE_TRY) == BSC_E_INVALID);
    CHECK(open_status(uri, 8, BSC_CREATE_TRY) == BSC_E_INVALID);
    CHECK(open_status(uri, BSC_ACCESS_READ, 3) == BSC_E_INVALID);
    CHECK(open_status(uri, BSC_ACCESS_READ, BSC_CREATE_TRY, 32) == BSC_E_INVALID);
    CHECK(host_stream_open(uri.c_str(), BSC_ACCESS_READ, 010000, BSC_CREATE_TRY, 0, &handle) ==
          BSC_E_INVALID);
    CHECK(open_status("nonsense:/tmp", BSC_ACCESS_READ) == BSC_E_INVALID);
    CHECK(open_status("file:", BSC_ACCESS_READ) == BSC_E_INVALID);
    CHECK(open_status("/tmp/no-scheme", BSC_ACCESS_READ) == BSC_E_INVALID);
    CHECK(open_status("file:" + std::string(5000, 'a'), BSC_ACCESS_READ) == BSC_E_NAME_TOO_LONG);

    NoAccessPage page;
    CHECK(host_stream_open(static_cast<const char *>(kBadPointer), BSC_ACCESS_READ, 0, 0, 0,
                           &handle) == BSC_E_FAULT);
    CHECK(host_stream_open(page.as<char>(), BSC_ACCESS_READ, 0, 0, 0, &handle) == BSC_E_FAULT);
    // A bad handle pointer is refused before the file is created.
    CHECK(host_stream_open(uri.c_str(), BSC_ACCESS_RDWR, 0644, BSC_CREATE_ALWAYS, 0,
                           page.as<bsc_handle>()) == BSC_E_FAULT);
    CHECK(host_stream_open(uri.c_str(), BSC_ACCESS_RDWR, 0644, BSC_CREATE_ALWAYS, 0, nullptr) ==
          BSC_E_FAULT);
    CHECK(::access(dir.path("f").c_str(), F_OK) != 0);
}

TEST_CASE("stream_open options: TRUNCATE, NOFOLLOW, DIRECTORY", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "contents");
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);
    bsc_handle handle = open_ok(dir.uri("file", "f"), BSC_ACCESS_WRITE, BSC_CREATE_NEVER,
                                BSC_OPTION_TRUNCATE | BSC_OPTION_SYNC);
    CHECK(file_contents(dir.path("f")).empty());
    CHECK(host_object_close(handle) == BSC_OK);
    CHECK(open_status(dir.uri("file", "link"), BSC_ACCESS_READ, 0, BSC_OPTION_NOFOLLOW) ==
          BSC_E_LOOP);
    CHECK(open_status(dir.uri("file", "link"), BSC_ACCESS_READ) == BSC_OK);
    CHECK(open_status(dir.uri("file", "f"), BSC_ACCESS_READ, 0, BSC_OPTION_DIRECTORY) ==
          BSC_E_NOT_DIRECTORY);
    CHECK(open_status(dir.uri("file"), BSC_ACCESS_READ, 0, BSC_OPTION_DIRECTORY) == BSC_OK);
    CHECK(open_status(dir.uri("file"), BSC_ACCESS_WRITE) == BSC_E_IS_DIRECTORY);
}

TEST_CASE("relative paths resolve against the working directory", "[host][files]") {
    host_ready();
    TempDir dir;
    char saved[4096];
    REQUIRE(::getcwd(saved, sizeof saved) != nullptr);
    REQUIRE(::chdir(dir.path().c_str()) == 0);
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_status status =
        open_status("file:relative", BSC_ACCESS_WRITE, BSC_CREATE_ALWAYS, 0, &handle);
    std::string uri = status == BSC_OK ? uri_of(handle) : "";
    REQUIRE(::chdir(saved) == 0);
    REQUIRE(status == BSC_OK);
    CHECK(uri == dir.uri("file", "relative")); // the handle keeps the absolute path
    CHECK(::access(dir.path("relative").c_str(), F_OK) == 0);
    CHECK(host_object_close(handle) == BSC_OK);

    bsc::host::StreamUri parsed;
    CHECK(bsc::host::parse_uri("dir:/a/b", parsed) == BSC_OK);
    CHECK(parsed.scheme == bsc::host::Scheme::dir);
    CHECK(parsed.path == "/a/b");
    CHECK(bsc::host::parse_uri("dev:null", parsed) == BSC_OK);
    CHECK(parsed.path == "/dev/null");
    CHECK(parsed.text == "dev:null");
    CHECK(bsc::host::parse_uri("dev:nothing", parsed) == BSC_E_NOT_FOUND);
    CHECK(bsc::host::parse_uri("dev:", parsed) == BSC_E_INVALID);
    CHECK(bsc::host::parse_uri("FILE:/x", parsed) == BSC_E_INVALID);
}

TEST_CASE("reads and writes at the position and at offsets", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_handle handle = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    write_ok(handle, "hello world");
    uint64_t position = 1;
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_CURRENT, &position) == BSC_OK);
    CHECK(position == 11);
    CHECK(read_ok(handle, 10).empty()); // at the end
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_SET, &position) == BSC_OK);
    CHECK(read_ok(handle, 5) == "hello");
    CHECK(read_ok(handle, 5, 6) == "world"); // an offset leaves the position alone
    CHECK(read_ok(handle, 100) == " world"); // short read at the end of file
    CHECK(read_ok(handle, 100).empty());
    write_ok(handle, "HELLO", 0);
    CHECK(file_contents(dir.path("f")) == "HELLO world");
    REQUIRE(host_stream_seek(handle, -5, BSC_SEEK_END, &position) == BSC_OK);
    CHECK(position == 6);
    CHECK(read_ok(handle, 100) == "world");
    REQUIRE(host_stream_seek(handle, -3, BSC_SEEK_CURRENT, nullptr) == BSC_OK); // may be null
    CHECK(read_ok(handle, 100) == "rld");
    CHECK(host_stream_seek(handle, -100, BSC_SEEK_SET, &position) == BSC_E_INVALID);
    CHECK(host_stream_seek(handle, 0, 5, &position) == BSC_E_INVALID);
    REQUIRE(host_stream_seek(handle, 2, BSC_SEEK_DATA, &position) == BSC_OK);
    CHECK(position == 2);
    REQUIRE(host_stream_seek(handle, 2, BSC_SEEK_HOLE, &position) == BSC_OK);
    CHECK(position == 11); // the end counts as a hole
    CHECK(host_stream_seek(handle, 11, BSC_SEEK_DATA, &position) == BSC_E_NOT_FOUND);
    CHECK(host_stream_seek(handle, 11, BSC_SEEK_HOLE, &position) == BSC_E_NOT_FOUND);
    CHECK(host_stream_seek(handle, 0, BSC_SEEK_SET, static_cast<uint64_t *>(kBadPointer)) ==
          BSC_E_FAULT);
    uint64_t done;
    CHECK(host_stream_read(handle, uint64_t{INT64_MAX} + 1, &done, 1, &done) == BSC_E_INVALID);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("append access writes at the end", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("log"), "one\n");
    bsc_handle handle = open_ok(dir.uri("file", "log"), BSC_ACCESS_APPEND);
    write_ok(handle, "two\n");
    write_ok(handle, "three\n", 0); // the offset does not matter when appending
    CHECK(file_contents(dir.path("log")) == "one\ntwo\nthree\n");
    uint64_t done;
    char byte;
    CHECK(host_stream_read(handle, BSC_AT_POSITION, &byte, 1, &done) == BSC_E_BAD_HANDLE);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("stream calls on bad handles and bad buffers", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "data");
    bsc_handle reader = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    char buffer[8];
    uint64_t done = 0, position;
    bsc_lock lock{BSC_LOCK_READ, 0, 0, 0};
    for (bsc_handle bad : {bsc_handle{0}, bsc_handle{kNoSuchHandle}, event}) {
        CHECK(host_stream_read(bad, BSC_AT_POSITION, buffer, 1, &done) == BSC_E_BAD_HANDLE);
        CHECK(host_stream_write(bad, BSC_AT_POSITION, buffer, 1, &done) == BSC_E_BAD_HANDLE);
        CHECK(host_stream_seek(bad, 0, BSC_SEEK_SET, &position) == BSC_E_BAD_HANDLE);
        CHECK(host_stream_flush(bad, 0) == BSC_E_BAD_HANDLE);
        CHECK(host_stream_set_length(bad, 0) == BSC_E_BAD_HANDLE);
        CHECK(host_stream_lock(bad, BSC_LOCK_SET, &lock) == BSC_E_BAD_HANDLE);
    }
    NoAccessPage page;
    CHECK(host_stream_read(reader, BSC_AT_POSITION, kBadPointer, 4, &done) == BSC_E_FAULT);
    CHECK(host_stream_read(reader, 0, page.as<char>(), 4, &done) == BSC_E_FAULT);
    CHECK(host_stream_read(reader, 0, buffer, 4, nullptr) == BSC_E_FAULT);
    CHECK(host_stream_read(reader, 0, buffer, 4, page.as<uint64_t>()) == BSC_E_FAULT);
    CHECK(host_stream_write(reader, 0, "x", 1, &done) == BSC_E_BAD_HANDLE); // not writable
    bsc_handle writer = open_ok(dir.uri("file", "f"), BSC_ACCESS_WRITE);
    CHECK(host_stream_write(writer, 0, page.as<char>(), 4, &done) == BSC_E_FAULT);
    CHECK(host_stream_write(writer, 0, kBadPointer, 4, &done) == BSC_E_FAULT);
    CHECK(file_contents(dir.path("f")) == "data");
    for (bsc_handle handle : {reader, writer, event})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("set_length and flush", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_handle handle = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    write_ok(handle, "0123456789");
    REQUIRE(host_stream_set_length(handle, 4) == BSC_OK);
    CHECK(file_contents(dir.path("f")) == "0123");
    REQUIRE(host_stream_set_length(handle, 6) == BSC_OK);
    CHECK(file_contents(dir.path("f")) == std::string("0123\0\0", 6));
    CHECK(host_stream_set_length(handle, uint64_t{INT64_MAX} + 1) == BSC_E_TOO_BIG);
    CHECK(host_stream_flush(handle, 0) == BSC_OK);
    CHECK(host_stream_flush(handle, BSC_FLUSH_DATA_ONLY) == BSC_OK);
    CHECK(host_stream_flush(handle, BSC_FLUSH_FILE_SYSTEM) == BSC_OK); // syncfs
    CHECK(host_stream_flush(BSC_NO_HANDLE, BSC_FLUSH_EVERYTHING) == BSC_OK); // sync
    CHECK(host_stream_flush(handle, BSC_FLUSH_EVERYTHING) == BSC_E_INVALID);
    CHECK(host_stream_flush(handle, BSC_FLUSH_DATA_ONLY | BSC_FLUSH_FILE_SYSTEM) == BSC_E_INVALID);
    CHECK(host_stream_flush(handle, 8) == BSC_E_INVALID);
    bsc_handle reader = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    CHECK(host_stream_set_length(reader, 0) != BSC_OK);
    CHECK(host_object_close(reader) == BSC_OK);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("dir: streams list whole bsc_dirent records", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("file"), "x");
    REQUIRE(::mkdir(dir.path("sub").c_str(), 0755) == 0);
    REQUIRE(::symlink("file", dir.path("link").c_str()) == 0);
    REQUIRE(::mkfifo(dir.path("fifo").c_str(), 0644) == 0);
    std::string long_name(200, 'n');
    write_file(dir.path(long_name), "");
    bsc_handle handle = open_ok(dir.uri("dir"), BSC_ACCESS_READ);

    std::map<std::string, uint8_t> expected = {
        {".", BSC_TYPE_DIRECTORY},   {"..", BSC_TYPE_DIRECTORY}, {"file", BSC_TYPE_FILE},
        {"sub", BSC_TYPE_DIRECTORY}, {"link", BSC_TYPE_SYMLINK}, {"fifo", BSC_TYPE_PIPE},
        {long_name, BSC_TYPE_FILE}};
    CHECK(list_all(handle, 4096) == expected);

    // Rewind, then list one record at a time: a buffer that holds exactly one of the
    // longest record never splits or loses one.
    uint64_t position;
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_SET, &position) == BSC_OK);
    size_t longest = (offsetof(bsc_dirent, name) + long_name.size() + 1 + 7) & ~size_t{7};
    CHECK(list_all(handle, longest) == expected);

    // Too small for any record.
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_SET, &position) == BSC_OK);
    uint64_t done = 99;
    char small[16];
    CHECK(host_stream_read(handle, BSC_AT_POSITION, small, 15, &done) == BSC_E_TOO_BIG);
    CHECK(list_all(handle, 4096) == expected); // nothing was skipped

    // A position from SEEK_CURRENT comes back to the same place.
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_SET, &position) == BSC_OK);
    parse_dirents(read_ok(handle, 24));
    uint64_t cookie;
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_CURRENT, &cookie) == BSC_OK);
    auto rest = list_all(handle, 4096);
    REQUIRE(host_stream_seek(handle, static_cast<int64_t>(cookie), BSC_SEEK_SET, &position) ==
            BSC_OK);
    CHECK(list_all(handle, 4096) == rest);
    CHECK(rest.size() == expected.size() - 1);

    CHECK(host_stream_write(handle, BSC_AT_POSITION, "x", 1, &done) == BSC_E_IS_DIRECTORY);
    CHECK(host_stream_read(handle, 0, small, sizeof small, &done) == BSC_E_INVALID);
    CHECK(host_stream_set_length(handle, 0) == BSC_E_IS_DIRECTORY);
    REQUIRE(host_stream_seek(handle, 0, BSC_SEEK_SET, &position) == BSC_OK);
    CHECK(host_stream_read(handle, BSC_AT_POSITION, kBadPointer, 4096, &done) == BSC_E_FAULT);
    CHECK(list_all(handle, 4096) == expected); // a fault loses no record
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("dir: URIs open and create directories only", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("file"), "x");
    CHECK(open_status(dir.uri("dir", "file"), BSC_ACCESS_READ) == BSC_E_NOT_DIRECTORY);
    CHECK(open_status(dir.uri("dir", "none"), BSC_ACCESS_READ) == BSC_E_NOT_FOUND);
    CHECK(open_status(dir.uri("dir"), BSC_ACCESS_RDWR) == BSC_E_IS_DIRECTORY);
    bsc_handle made = open_ok(dir.uri("dir", "made"), BSC_ACCESS_READ, BSC_CREATE_ALWAYS);
    struct stat st;
    REQUIRE(::stat(dir.path("made").c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK(open_status(dir.uri("dir", "made"), BSC_ACCESS_READ, BSC_CREATE_ALWAYS) == BSC_E_EXISTS);
    CHECK(open_status(dir.uri("dir", "made"), BSC_ACCESS_READ, BSC_CREATE_TRY) == BSC_OK);
    CHECK(open_status(dir.uri("dir", "file"), BSC_ACCESS_READ, BSC_CREATE_TRY) ==
          BSC_E_NOT_DIRECTORY);
    CHECK(host_object_close(made) == BSC_OK);
}

TEST_CASE("dev:null swallows writes and reads as empty", "[host][files]") {
    host_ready();
    bsc_handle null = open_ok("dev:null", BSC_ACCESS_RDWR);
    write_ok(null, "discarded");
    CHECK(read_ok(null, 10).empty());
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query_by_handle(null, &attributes) == BSC_OK);
    CHECK(attributes.type == BSC_TYPE_CHAR_DEVICE);
    CHECK(host_object_close(null) == BSC_OK);
    CHECK(open_status("dev:nothing", BSC_ACCESS_READ) == BSC_E_NOT_FOUND);
}

TEST_CASE("stream_lock: byte ranges owned by each handle", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), std::string(100, 'x'));
    bsc_handle first = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    bsc_handle second = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);

    bsc_lock lock{BSC_LOCK_WRITE, 0, 0, 10};
    REQUIRE(host_stream_lock(first, BSC_LOCK_SET, &lock) == BSC_OK);
    bsc_lock other{BSC_LOCK_WRITE, 0, 5, 10};
    CHECK(host_stream_lock(second, BSC_LOCK_SET, &other) == BSC_E_AGAIN);
    bsc_lock test{BSC_LOCK_READ, 0, 5, 1};
    REQUIRE(host_stream_lock(second, BSC_LOCK_TEST, &test) == BSC_OK);
    CHECK(test.type == BSC_LOCK_WRITE);
    CHECK(test.start == 0);
    CHECK(test.length == 10);
    bsc_lock clear{BSC_LOCK_WRITE, 0, 50, 0}; // 0: to the end of the file
    REQUIRE(host_stream_lock(second, BSC_LOCK_TEST, &clear) == BSC_OK);
    CHECK(clear.type == BSC_LOCK_UNLOCK);
    REQUIRE(host_stream_lock(second, BSC_LOCK_SET, &clear) == BSC_OK);
    bsc_lock mine{BSC_LOCK_WRITE, 0, 0, 5}; // a handle never conflicts with itself
    CHECK(host_stream_lock(first, BSC_LOCK_SET, &mine) == BSC_OK);

    // SET_WAIT blocks until the holder lets go.
    std::atomic<bsc_status> waited{BSC_E_IO};
    std::thread waiter([&] {
        bsc_lock wanted{BSC_LOCK_READ, 0, 0, 10};
        waited = host_stream_lock(second, BSC_LOCK_SET_WAIT, &wanted);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(waited == BSC_E_IO); // still waiting
    bsc_lock unlock{BSC_LOCK_UNLOCK, 0, 0, 0};
    REQUIRE(host_stream_lock(first, BSC_LOCK_SET, &unlock) == BSC_OK);
    waiter.join();
    CHECK(waited == BSC_OK);

    CHECK(host_stream_lock(first, 3, &lock) == BSC_E_INVALID);
    bsc_lock bad_type{7, 0, 0, 0};
    CHECK(host_stream_lock(first, BSC_LOCK_SET, &bad_type) == BSC_E_INVALID);
    CHECK(host_stream_lock(first, BSC_LOCK_TEST, &unlock) == BSC_E_INVALID);
    bsc_lock huge{BSC_LOCK_READ, 0, UINT64_MAX, 1};
    CHECK(host_stream_lock(first, BSC_LOCK_SET, &huge) == BSC_E_INVALID);
    CHECK(host_stream_lock(first, BSC_LOCK_SET, static_cast<bsc_lock *>(kBadPointer)) ==
          BSC_E_FAULT);
    bsc_handle reader = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    bsc_lock write_lock{BSC_LOCK_WRITE, 0, 90, 1};
    CHECK(host_stream_lock(reader, BSC_LOCK_SET, &write_lock) == BSC_E_BAD_HANDLE);
    for (bsc_handle handle : {first, second, reader})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("stream_lock: whole-file locks are the handle's, apart from range locks",
          "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "x");
    bsc_handle first = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    bsc_handle second = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    bsc_lock exclusive{BSC_LOCK_WRITE, BSC_LOCK_WHOLE_FILE, 0, 0};
    REQUIRE(host_stream_lock(first, BSC_LOCK_SET, &exclusive) == BSC_OK);
    bsc_lock shared{BSC_LOCK_READ, BSC_LOCK_WHOLE_FILE, 0, 0};
    CHECK(host_stream_lock(second, BSC_LOCK_SET, &shared) == BSC_E_AGAIN);
    bsc_lock range{BSC_LOCK_READ, 0, 0, 0}; // a range lock is another kind
    CHECK(host_stream_lock(second, BSC_LOCK_SET, &range) == BSC_OK);
    CHECK(interrupt_while_blocked([&] {
              bsc_lock wanted = shared;
              return host_stream_lock(second, BSC_LOCK_SET_WAIT, &wanted);
          }) == BSC_E_INTERRUPTED);
    bsc_lock unlock{BSC_LOCK_UNLOCK, BSC_LOCK_WHOLE_FILE, 0, 0};
    REQUIRE(host_stream_lock(first, BSC_LOCK_SET, &unlock) == BSC_OK);
    CHECK(host_stream_lock(second, BSC_LOCK_SET_WAIT, &shared) == BSC_OK);

    // Only SET and SET_WAIT, without a range, and alone.
    CHECK(host_stream_lock(first, BSC_LOCK_TEST, &exclusive) == BSC_E_INVALID);
    uint64_t holder = 0;
    CHECK(host_stream_lock_query(first, &exclusive, &holder) == BSC_E_INVALID);
    bsc_lock ranged{BSC_LOCK_READ, BSC_LOCK_WHOLE_FILE, 0, 1};
    CHECK(host_stream_lock(first, BSC_LOCK_SET, &ranged) == BSC_E_INVALID);
    bsc_lock both{BSC_LOCK_READ, BSC_LOCK_WHOLE_FILE | BSC_LOCK_PROCESS, 0, 0};
    CHECK(host_stream_lock(first, BSC_LOCK_SET, &both) == BSC_E_INVALID);
    CHECK(host_object_close(first) == BSC_OK);
    CHECK(host_object_close(second) == BSC_OK);
}

TEST_CASE("stream_lock_query names the process that holds a lock", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "0123456789");
    bsc_handle handle = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    int ready[2], release[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(release) == 0);
    pid_t child = ::fork();
    if (child == 0) { // holds a record lock on bytes 2..5 until released
        int fd = ::open(dir.path("f").c_str(), O_RDWR);
        struct flock held {};
        held.l_type = F_WRLCK, held.l_whence = SEEK_SET, held.l_start = 2, held.l_len = 4;
        char byte = ::fcntl(fd, F_SETLK, &held) == 0 ? 'y' : 'n';
        (void)!::write(ready[1], &byte, 1);
        (void)!::read(release[0], &byte, 1);
        ::_exit(0);
    }
    REQUIRE(child > 0);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    CHECK(byte == 'y');
    bsc_lock lock{BSC_LOCK_READ, BSC_LOCK_PROCESS, 0, 0};
    uint64_t holder = 99;
    CHECK(host_stream_lock_query(handle, &lock, &holder) == BSC_OK);
    CHECK(lock.type == BSC_LOCK_WRITE);
    CHECK(lock.flags == BSC_LOCK_PROCESS);
    CHECK(lock.start == 2);
    CHECK(lock.length == 4);
    CHECK(holder == static_cast<uint64_t>(child));
    (void)!::write(release[1], "x", 1);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    lock = {BSC_LOCK_WRITE, BSC_LOCK_PROCESS, 0, 0};
    holder = 99;
    CHECK(host_stream_lock_query(handle, &lock, &holder) == BSC_OK);
    CHECK(lock.type == BSC_LOCK_UNLOCK);
    CHECK(holder == 0);
    lock = {BSC_LOCK_WRITE, BSC_LOCK_PROCESS, 0, 0};
    CHECK(host_stream_lock_query(handle, &lock, static_cast<uint64_t *>(kBadPointer)) ==
          BSC_E_FAULT);
    for (int fd : {ready[0], ready[1], release[0], release[1]})
        ::close(fd);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("SET_WAIT lock returns INTERRUPTED on a signal", "[host][files]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "x");
    bsc_handle first = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    bsc_handle second = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    bsc_lock lock{BSC_LOCK_WRITE, 0, 0, 0};
    REQUIRE(host_stream_lock(first, BSC_LOCK_SET, &lock) == BSC_OK);
    CHECK(interrupt_while_blocked([&] {
              bsc_lock wanted{BSC_LOCK_WRITE, 0, 0, 0};
              return host_stream_lock(second, BSC_LOCK_SET_WAIT, &wanted);
          }) == BSC_E_INTERRUPTED);
    CHECK(host_object_close(first) == BSC_OK);
    CHECK(host_object_close(second) == BSC_OK);
}

TEST_CASE("adopt_stdio names what a descriptor is", "[host][files]") {
    host_ready();
    TempDir dir;
    int pipe_fds[2], pair[2];
    REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    int file = ::open(dir.path("out").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(file >= 0);
    REQUIRE(null >= 0);

    struct Case {
        int fd;
        std::string uri;
        uint32_t type, access;
    };
    for (const Case &c :
         {Case{pipe_fds[0], "pipe:", BSC_TYPE_PIPE, BSC_ACCESS_READ},
          Case{pipe_fds[1], "pipe:", BSC_TYPE_PIPE, BSC_ACCESS_WRITE},
          Case{pair[0], "unix:", BSC_TYPE_SOCKET, BSC_ACCESS_RDWR},
          Case{file, dir.uri("file", "out"), BSC_TYPE_FILE, BSC_ACCESS_WRITE | BSC_ACCESS_APPEND},
          Case{null, "dev:null", BSC_TYPE_CHAR_DEVICE, BSC_ACCESS_READ}}) {
        INFO(c.uri);
        bsc_handle handle = bsc::host::adopt_stdio(c.fd);
        REQUIRE(handle != BSC_NO_HANDLE);
        auto object = bsc::host::handles().find(handle);
        CHECK(object->uri == c.uri);
        CHECK(object->type == c.type);
        CHECK(object->access == c.access);
        CHECK(object->fd >= 10);
        CHECK((::fcntl(object->fd, F_GETFD) & FD_CLOEXEC) != 0);
        CHECK(host_object_close(handle) == BSC_OK);
        CHECK(::fcntl(c.fd, F_GETFD) >= 0); // the runtime's own descriptor stays open
    }
    write_ok(bsc::host::adopt_stdio(file), "through the handle");
    CHECK(file_contents(dir.path("out")) == "through the handle");
    for (int fd : {pipe_fds[0], pipe_fds[1], pair[0], pair[1], file, null})
        ::close(fd);
    CHECK(bsc::host::adopt_stdio(pipe_fds[0]) == BSC_NO_HANDLE); // closed now
}

TEST_CASE("stream_control: a pipe's capacity, bytes readable, terminal requests",
          "[host][files]") {
    host_ready();
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    uint64_t value = 0;
    REQUIRE(host_stream_control(ends[0], BSC_CONTROL_PIPE_CAPACITY, &value, 8) == BSC_OK);
    CHECK(value == 65536);
    value = 3 * 4096;
    REQUIRE(host_stream_control(ends[1], BSC_CONTROL_PIPE_SET_CAPACITY, &value, 8) == BSC_OK);
    CHECK(value == 4 * 4096); // rounded up to a power-of-two number of pages
    value = (uint64_t{1} << 31) + 1;
    CHECK(host_stream_control(ends[1], BSC_CONTROL_PIPE_SET_CAPACITY, &value, 8) ==
          BSC_E_INVALID);
    write_ok(ends[1], "abc");
    REQUIRE(host_stream_control(ends[0], BSC_CONTROL_READABLE, &value, 8) == BSC_OK);
    CHECK(value == 3);
    CHECK(host_stream_control(ends[0], BSC_CONTROL_PIPE_CAPACITY, &value, 4) == BSC_E_INVALID);
    CHECK(host_stream_control(ends[0], 999, &value, 8) == BSC_E_INVALID);
    CHECK(host_stream_control(ends[0], BSC_CONTROL_PIPE_CAPACITY, kBadPointer, 8) ==
          BSC_E_FAULT);
    bsc_terminal_settings settings;
    CHECK(host_stream_control(ends[0], BSC_CONTROL_TTY_SETTINGS, &settings, sizeof settings) ==
          BSC_E_NOT_TTY);
    uint32_t number;
    CHECK(host_stream_control(ends[0], BSC_CONTROL_PTY_NUMBER, &number, sizeof number) ==
          BSC_E_NOT_TTY);
    CHECK(host_stream_control(999999, BSC_CONTROL_PIPE_CAPACITY, &value, 8) == BSC_E_BAD_HANDLE);
    host_object_close(ends[0]);
    host_object_close(ends[1]);
    TempDir dir;
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    CHECK(host_stream_control(file, BSC_CONTROL_PIPE_CAPACITY, &value, 8) == BSC_E_NOT_SUPPORTED);
    host_object_close(file);
}

TEST_CASE("stream_control: DEVICE_REQUEST's checks and file requests, stream_unmount's flags",
          "[host][files]") {
    host_ready();
    struct {
        bsc_device_request header;
        uint64_t bytes;
    } request{};
    request.header.request = 0x80081272u; // BLKGETSIZE64: 8 bytes out
    TempDir dir;
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    CHECK(host_stream_control(file, BSC_CONTROL_DEVICE_REQUEST, &request, sizeof request) ==
          BSC_E_NOT_TTY); // no device: no driver takes it
    CHECK(host_stream_control(file, BSC_CONTROL_DEVICE_REQUEST, &request, sizeof request - 4) ==
          BSC_E_INVALID); // the size does not fit the request
    request.header.request = 0x1234; // not in BSC_DEVICE_REQUESTS
    CHECK(host_stream_control(file, BSC_CONTROL_DEVICE_REQUEST, &request, sizeof request) ==
          BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_DEVICE_REQUEST, kBadPointer, sizeof request) ==
          BSC_E_FAULT);
    // Since 1.21 a file system's request (FS_IOC_GETFLAGS: an int out) goes to a file's.
    request.header.request = 0x80086601u;
    bsc_device_shape shape;
    REQUIRE(bsc_device_shape_of(request.header.request, &shape) == 1);
    CHECK((shape.files == 1 && shape.kind == BSC_DEVICE_OUT && shape.size == 4));
    uint64_t file_request = sizeof request.header + shape.size;
    CHECK(host_stream_control(file, BSC_CONTROL_DEVICE_REQUEST, &request, file_request) ==
          BSC_OK);
    host_object_close(file);
    bsc_handle null = open_ok("dev:null", BSC_ACCESS_RDWR, BSC_CREATE_NEVER);
    CHECK(host_stream_control(null, BSC_CONTROL_DEVICE_REQUEST, &request, file_request) ==
          BSC_E_NOT_TTY); // no file system's request on a device
    request.header.request = 0x80081272u;
    CHECK(host_stream_control(null, BSC_CONTROL_DEVICE_REQUEST, &request, sizeof request) ==
          BSC_E_NOT_TTY); // the null driver's answer: ENOTTY
    host_object_close(null);
    CHECK(host_stream_unmount(dir.uri("file", "").c_str(), 0x100) == BSC_E_INVALID);
    CHECK(host_stream_mount("name:none", static_cast<const char *>(kBadPointer), "tmpfs", 0,
                            "") == BSC_E_FAULT);
}

TEST_CASE("stream_volume_query: statfs by URI and by handle", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_volume_info by_uri{}, by_handle{};
    REQUIRE(host_stream_volume_query(dir.uri("dir").c_str(), &by_uri) == BSC_OK);
    CHECK(by_uri.type != 0);
    CHECK(by_uri.block_size > 0);
    CHECK(by_uri.name_max > 0);
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    REQUIRE(host_stream_volume_query_by_handle(file, &by_handle) == BSC_OK);
    CHECK(by_handle.type == by_uri.type);
    CHECK(std::memcmp(by_handle.id, by_uri.id, sizeof by_uri.id) == 0);
    CHECK(host_stream_volume_query_by_handle(file, static_cast<bsc_volume_info *>(kBadPointer)) ==
          BSC_E_FAULT);
    host_object_close(file);
    CHECK(host_stream_volume_query_by_handle(999999, &by_handle) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_volume_query(dir.uri("file", "missing").c_str(), &by_uri) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_volume_query("proc:", &by_uri) == BSC_E_INVALID);
}

TEST_CASE("stream_mount_added_query: a mount made since the start, by name", "[host][files]") {
    host_ready();
    char shown[256];
    uint64_t length = 99;
    REQUIRE(host_stream_mount_added_query(shown, sizeof shown, &length) == BSC_OK);
    CHECK(length == 0);
    CHECK(host_stream_mount_added_query(shown, sizeof shown,
                                        static_cast<uint64_t *>(kBadPointer)) == BSC_E_FAULT);
    TempDir dir;
    std::string point = dir.uri("dir", "");
    // Only a privileged runtime mounts (in its own namespace); an unprivileged one's mount
    // is refused, and then nothing was added.
    bsc_status mounted = host_stream_mount("name:none", point.c_str(), "tmpfs", 0, "");
    REQUIRE((mounted == BSC_OK || mounted == BSC_E_NOT_PERMITTED));
    REQUIRE(host_stream_mount_added_query(shown, sizeof shown, &length) == BSC_OK);
    if (mounted != BSC_OK) {
        CHECK(length == 0);
        return;
    }
    std::string expected = "tmpfs on " + dir.path();
    CHECK(std::string(shown, length) == expected);
    REQUIRE(host_stream_mount_added_query(shown, 5, &length) == BSC_OK); // cut to capacity
    CHECK(std::string(shown, length) == "tmpfs");
    REQUIRE(host_stream_unmount(point.c_str(), 0) == BSC_OK);
    REQUIRE(host_stream_mount_added_query(shown, sizeof shown, &length) == BSC_OK);
    CHECK(length == 0);
}

TEST_CASE("stream_control: ALLOCATE, a file's space", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    bsc_allocation request{0, 0, 0, 8192};
    REQUIRE(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) == BSC_OK);
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query_by_handle(file, &attributes) == BSC_OK);
    CHECK(attributes.size == 8192);
    request = {BSC_ALLOCATE_KEEP_SIZE, 0, 8192, 4096};
    REQUIRE(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) == BSC_OK);
    REQUIRE(host_stream_attributes_query_by_handle(file, &attributes) == BSC_OK);
    CHECK(attributes.size == 8192);
    request = {BSC_ALLOCATE_PUNCH_HOLE, 0, 0, 4096}; // without KEEP_SIZE: the host refuses
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_NOT_SUPPORTED);
    request = {0x100, 0, 0, 1};
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_INVALID);
    request = {0, 1, 0, 1}; // reserved must be 0
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_INVALID);
    request = {0, 0, 0, 0};
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, 8) == BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, kBadPointer, sizeof request) ==
          BSC_E_FAULT);
    request = {0, 0, uint64_t{1} << 62, 1};
    CHECK(host_stream_control(file, BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_TOO_BIG);
    host_object_close(file);
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    request = {0, 0, 0, 1};
    CHECK(host_stream_control(ends[1], BSC_CONTROL_ALLOCATE, &request, sizeof request) ==
          BSC_E_NOT_SUPPORTED); // ESPIPE: the caller knows it is a pipe
    host_object_close(ends[0]);
    host_object_close(ends[1]);
}

TEST_CASE("stream_control: CREATED, whether the open made the file", "[host][files]") {
    host_ready();
    TempDir dir;
    std::string uri = dir.uri("file", "f");
    bsc_handle made = open_ok(uri, BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    bsc_handle tried = open_ok(uri, BSC_ACCESS_RDWR, BSC_CREATE_TRY);
    bsc_handle opened = open_ok(uri, BSC_ACCESS_READ, BSC_CREATE_NEVER);
    uint32_t created = 7;
    REQUIRE(host_stream_control(made, BSC_CONTROL_CREATED, &created, 4) == BSC_OK);
    CHECK(created == 1);
    REQUIRE(host_stream_control(tried, BSC_CONTROL_CREATED, &created, 4) == BSC_OK);
    CHECK(created == 0); // it existed
    REQUIRE(host_stream_control(opened, BSC_CONTROL_CREATED, &created, 4) == BSC_OK);
    CHECK(created == 0);
    bsc_handle fresh = open_ok(dir.uri("file", "g"), BSC_ACCESS_RDWR, BSC_CREATE_TRY);
    REQUIRE(host_stream_control(fresh, BSC_CONTROL_CREATED, &created, 4) == BSC_OK);
    CHECK(created == 1);
    CHECK(host_stream_control(made, BSC_CONTROL_CREATED, &created, 8) == BSC_E_INVALID);
    CHECK(host_stream_control(made, BSC_CONTROL_CREATED, kBadPointer, 4) == BSC_E_FAULT);
    CHECK(host_stream_control(kNoSuchHandle, BSC_CONTROL_CREATED, &created, 4) ==
          BSC_E_BAD_HANDLE);
    for (bsc_handle handle : {made, tried, opened, fresh})
        host_object_close(handle);
}

TEST_CASE("stream_control: CACHE_STATUS, a file's pages in the page cache", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    write_ok(file, std::string(3 * 4096, 'x'));
    bsc_cache_status status{};
    REQUIRE(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, &status, sizeof status) ==
            BSC_OK);
    CHECK(status.cached == 3); // just written: all in the cache (length 0: to the end)
    status = {};
    status.offset = 4096, status.length = 4096;
    REQUIRE(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, &status, sizeof status) ==
            BSC_OK);
    CHECK(status.cached == 1);
    status = {};
    status.flags = 1; // the host's kernel refuses flags
    CHECK(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, &status, sizeof status) ==
          BSC_E_INVALID);
    status = {};
    status.reserved = 1;
    CHECK(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, &status, sizeof status) ==
          BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, &status, 16) == BSC_E_INVALID);
    CHECK(host_stream_control(file, BSC_CONTROL_CACHE_STATUS, kBadPointer, sizeof status) ==
          BSC_E_FAULT);
    CHECK(host_stream_control(kNoSuchHandle, BSC_CONTROL_CACHE_STATUS, &status,
                              sizeof status) == BSC_E_BAD_HANDLE);
    host_object_close(file);
}

TEST_CASE("stream_control: a pseudo-terminal from dev:ptmx", "[host][files]") {
    host_ready();
    bsc_handle master = open_ok("dev:ptmx", BSC_ACCESS_RDWR, BSC_CREATE_NEVER);
    uint32_t locked = 0, number = 0;
    REQUIRE(host_stream_control(master, BSC_CONTROL_PTY_LOCKED, &locked, 4) == BSC_OK);
    CHECK(locked == 1);
    locked = 0;
    REQUIRE(host_stream_control(master, BSC_CONTROL_PTY_SET_LOCKED, &locked, 4) == BSC_OK);
    REQUIRE(host_stream_control(master, BSC_CONTROL_PTY_NUMBER, &number, 4) == BSC_OK);
    bsc_handle peer = open_ok("file:/dev/pts/" + std::to_string(number), BSC_ACCESS_RDWR,
                              BSC_CREATE_NEVER);
    bsc_terminal_window window{24, 80, 0, 0};
    REQUIRE(host_stream_control(peer, BSC_CONTROL_TTY_SET_WINDOW, &window, sizeof window) ==
            BSC_OK);
    bsc_terminal_window got{};
    REQUIRE(host_stream_control(master, BSC_CONTROL_TTY_WINDOW, &got, sizeof got) == BSC_OK);
    CHECK(got.rows == 24);
    CHECK(got.columns == 80);
    bsc_terminal_settings settings{};
    REQUIRE(host_stream_control(peer, BSC_CONTROL_TTY_SETTINGS, &settings, sizeof settings) ==
            BSC_OK);
    CHECK((settings.local_modes & 0x2) != 0); // ICANON
    settings.local_modes &= ~uint32_t{0x2 | 0x8}; // raw: no ICANON, no ECHO
    REQUIRE(host_stream_control(peer, BSC_CONTROL_TTY_SET_SETTINGS, &settings,
                                sizeof settings) == BSC_OK);
    write_ok(master, "x");
    CHECK(read_ok(peer, 1) == "x");
    host_object_close(peer);
    host_object_close(master);
}

TEST_CASE("stream_peek: a pipe's waiting bytes are copied and stay to be read",
          "[host][files]") {
    host_ready();
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    char buffer[16];
    uint64_t done = 99;
    REQUIRE(host_stream_peek(ends[0], buffer, sizeof buffer, &done) == BSC_OK);
    CHECK(done == 0); // nothing waits: no blocking
    write_ok(ends[1], "hello, pipe");
    REQUIRE(host_stream_peek(ends[0], buffer, 5, &done) == BSC_OK);
    CHECK(std::string(buffer, done) == "hello");
    REQUIRE(host_stream_peek(ends[0], buffer, sizeof buffer, &done) == BSC_OK);
    CHECK(std::string(buffer, done) == "hello, pipe");
    CHECK(read_ok(ends[0], 64) == "hello, pipe"); // still there for the reader
    CHECK(host_stream_peek(ends[1], buffer, sizeof buffer, &done) == BSC_E_INVALID);
    CHECK(host_stream_peek(ends[0], kBadPointer, sizeof buffer, &done) == BSC_OK); // nothing to copy
    write_ok(ends[1], "x");
    CHECK(host_stream_peek(ends[0], kBadPointer, sizeof buffer, &done) == BSC_E_FAULT);
    CHECK(host_stream_peek(ends[0], buffer, sizeof buffer, static_cast<uint64_t *>(kBadPointer)) ==
          BSC_E_FAULT);
    CHECK(host_stream_peek(999999, buffer, sizeof buffer, &done) == BSC_E_BAD_HANDLE);
    host_object_close(ends[0]);
    host_object_close(ends[1]);
    TempDir dir;
    write_file(dir.path("data"), "data");
    bsc_handle file = open_ok("file:" + dir.path("data"), BSC_ACCESS_READ);
    CHECK(host_stream_peek(file, buffer, sizeof buffer, &done) == BSC_E_NOT_SUPPORTED);
    host_object_close(file);
}
