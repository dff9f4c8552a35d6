// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's file handle calls (ABI 1.24): stream_file_handle_query
// (name_to_handle_at) and stream_open_by_file_handle (open_by_handle_at).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bsc_file_handle file_handle_ok(const std::string &uri, uint32_t flags = 0) {
    bsc_file_handle handle{};
    INFO(uri);
    REQUIRE(host_stream_file_handle_query(uri.c_str(), flags, &handle) == BSC_OK);
    return handle;
}

} // namespace

TEST_CASE("stream_file_handle_query gives the host's handle and mount id", "[host][handles]") {
    TempDir dir;
    write_file(dir.path("f"), "12345");
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);
    bsc_file_handle handle = file_handle_ok(dir.uri("file", "f"));
    CHECK(handle.length > 0);
    CHECK(handle.length <= BSC_FILE_HANDLE_MAX);
    struct statx sx {};
    REQUIRE(::statx(AT_FDCWD, dir.path("f").c_str(), 0, STATX_MNT_ID, &sx) == 0);
    CHECK(handle.mount_id == sx.stx_mnt_id);
    // The final link followed, or the link itself with NOFOLLOW.
    bsc_file_handle followed = file_handle_ok(dir.uri("file", "link"));
    CHECK(followed.length == handle.length);
    CHECK(std::memcmp(followed.bytes, handle.bytes, handle.length) == 0);
    bsc_file_handle link = file_handle_ok(dir.uri("file", "link"), BSC_QUERY_NOFOLLOW);
    CHECK(std::memcmp(link.bytes, handle.bytes, handle.length) != 0);
    file_handle_ok(dir.uri("file", "f"), BSC_FILE_HANDLE_FID);

    CHECK(host_stream_file_handle_query(dir.uri("file", "missing").c_str(), 0, &handle) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_file_handle_query(dir.uri("file", "f").c_str(), 0x80, &handle) ==
          BSC_E_INVALID);
    CHECK(host_stream_file_handle_query(dir.uri("file", "f").c_str(), 0,
                                        static_cast<bsc_file_handle *>(kBadPointer)) ==
          BSC_E_FAULT);
}

TEST_CASE("stream_open_by_file_handle opens the object again", "[host][handles]") {
    TempDir dir;
    write_file(dir.path("f"), "12345");
    REQUIRE(::mkdir(dir.path("d").c_str(), 0755) == 0);
    bsc_file_handle handle = file_handle_ok(dir.uri("file", "f"));
    bsc_handle stream = BSC_NO_HANDLE;
    REQUIRE(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "d").c_str(), &handle, BSC_ACCESS_READ,
                                            0, &stream) == BSC_OK);
    char text[8] = {};
    uint64_t done = 0;
    REQUIRE(host_stream_read(stream, BSC_AT_POSITION, text, 5, &done) == BSC_OK);
    CHECK(std::string(text, done) == "12345");
    bsc_object_info info{};
    char uri[4200] = "";
    REQUIRE(host_object_query(stream, &info, uri, sizeof uri) == BSC_OK);
    CHECK(std::string(uri) == dir.uri("file", "f"));
    host_object_close(stream);
    // By an open stream on the mount.
    bsc_handle any = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    REQUIRE(host_stream_open_by_file_handle(any, "", &handle, BSC_ACCESS_READ, 0, &stream) ==
            BSC_OK);
    host_object_close(stream);
    host_object_close(any);
    CHECK(host_stream_open_by_file_handle(987654, "", &handle, BSC_ACCESS_READ, 0, &stream) ==
          BSC_E_BAD_HANDLE);

    // A handle of a removed file does not decode; nor does a damaged one.
    bsc_file_handle removed = file_handle_ok(dir.uri("file", "f"));
    REQUIRE(::unlink(dir.path("f").c_str()) == 0);
    CHECK(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "d").c_str(), &removed, BSC_ACCESS_READ,
                                          0, &stream) == BSC_E_STALE);
    bsc_file_handle empty = handle;
    empty.length = 0;
    CHECK(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "d").c_str(), &empty, BSC_ACCESS_READ, 0,
                                          &stream) == BSC_E_INVALID);
    CHECK(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "d").c_str(), &handle, 0, 0, &stream) ==
          BSC_E_INVALID);
    CHECK(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "missing").c_str(), &handle,
                                          BSC_ACCESS_READ, 0, &stream) == BSC_E_NOT_FOUND);
    CHECK(host_stream_open_by_file_handle(BSC_NO_HANDLE, dir.uri("dir", "d").c_str(),
                                          static_cast<const bsc_file_handle *>(kBadPointer),
                                          BSC_ACCESS_READ, 0, &stream) == BSC_E_FAULT);
}
