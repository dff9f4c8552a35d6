// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's attribute calls: query and set, by URI and by handle.
#include <pty.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bsc_stream_attributes query_ok(const std::string &uri, uint32_t flags = 0) {
    bsc_stream_attributes attributes{};
    INFO(uri);
    REQUIRE(host_stream_attributes_query(uri.c_str(), flags, &attributes) == BSC_OK);
    return attributes;
}

bsc_stream_attributes query_ok(bsc_handle handle) {
    bsc_stream_attributes attributes{};
    REQUIRE(host_stream_attributes_query_by_handle(handle, &attributes) == BSC_OK);
    return attributes;
}

struct stat stat_ok(const std::string &path) {
    struct stat st;
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st;
}

constexpr int64_t kSecond = 1000000000;

} // namespace

TEST_CASE("attributes_query describes files, directories and links", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "12345");
    REQUIRE(::chmod(dir.path("f").c_str(), 0640) == 0);
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);

    auto file = query_ok(dir.uri("file", "f"));
    struct stat st = stat_ok(dir.path("f"));
    CHECK(file.type == BSC_TYPE_FILE);
    CHECK(file.mode == 0640);
    CHECK(file.size == 5);
    CHECK(file.inode == st.st_ino);
    CHECK(file.device == st.st_dev);
    CHECK(file.links == 1);
    CHECK(file.owner == st.st_uid);
    CHECK(file.group == st.st_gid);
    CHECK(file.block_size > 0);
    CHECK(file.modify_time == st.st_mtim.tv_sec * kSecond + st.st_mtim.tv_nsec);
    CHECK(file.options == 0);

    CHECK(query_ok(dir.uri("dir")).type == BSC_TYPE_DIRECTORY);
    CHECK(query_ok(dir.uri("file")).type == BSC_TYPE_DIRECTORY);
    CHECK(query_ok(dir.uri("file", "link")).type == BSC_TYPE_FILE);
    auto link = query_ok(dir.uri("file", "link"), BSC_QUERY_NOFOLLOW);
    CHECK(link.type == BSC_TYPE_SYMLINK);
    CHECK(link.size == 1); // the length of the link's text
    CHECK(query_ok("dev:null").type == BSC_TYPE_CHAR_DEVICE);
}

TEST_CASE("attributes_query errors", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    bsc_stream_attributes attributes;
    NoAccessPage page;
    auto query = [&](const std::string &uri, uint32_t flags = 0) {
        return host_stream_attributes_query(uri.c_str(), flags, &attributes);
    };
    CHECK(query(dir.uri("file", "missing")) == BSC_E_NOT_FOUND);
    CHECK(query(dir.uri("dir", "f")) == BSC_E_NOT_DIRECTORY);
    CHECK(query(dir.uri("file", "f/x")) == BSC_E_NOT_DIRECTORY);
    CHECK(query(dir.uri("file", "f"), 2) == BSC_E_INVALID);
    CHECK(query("tcp:127.0.0.1:1") == BSC_E_INVALID);
    CHECK(host_stream_attributes_query(static_cast<const char *>(kBadPointer), 0, &attributes) ==
          BSC_E_FAULT);
    CHECK(host_stream_attributes_query(dir.uri("file", "f").c_str(), 0,
                                       page.as<bsc_stream_attributes>()) == BSC_E_FAULT);
}

TEST_CASE("attributes_query_by_handle: files, pipes, sockets, events", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "abc");
    bsc_handle file =
        open_ok(dir.uri("file", "f"), BSC_ACCESS_READ, BSC_CREATE_NEVER, BSC_OPTION_NONBLOCK);
    auto attributes = query_ok(file);
    CHECK(attributes.type == BSC_TYPE_FILE);
    CHECK(attributes.size == 3);
    CHECK(attributes.inode == stat_ok(dir.path("f")).st_ino);
    CHECK(attributes.options == BSC_OPTION_NONBLOCK);

    bsc_handle pipe[2], pair[2], event;
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    REQUIRE(host_stream_open_pair("unix:", 0, pair) == BSC_OK);
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    write_ok(pipe[1], "four");
    write_ok(pair[0], "seven!!");
    attributes = query_ok(pipe[0]);
    CHECK(attributes.type == BSC_TYPE_PIPE);
    CHECK(attributes.size == 4);
    attributes = query_ok(pair[1]);
    CHECK(attributes.type == BSC_TYPE_SOCKET);
    CHECK(attributes.size == 7);
    CHECK(query_ok(event).type == BSC_TYPE_EVENT);
    CHECK(host_stream_attributes_query_by_handle(987654, &attributes) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_attributes_query_by_handle(
              file, static_cast<bsc_stream_attributes *>(kBadPointer)) == BSC_E_FAULT);
    for (bsc_handle handle : {file, pipe[0], pipe[1], pair[0], pair[1], event})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("a terminal reports BSC_TYPE_TTY and its window size", "[host][attributes]") {
    host_ready();
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
        WARN("no pseudo-terminals here; skipped");
        return;
    }
    winsize size{};
    size.ws_row = 33;
    size.ws_col = 101;
    REQUIRE(::ioctl(master, TIOCSWINSZ, &size) == 0);
    bsc_handle tty = open_ok(std::string("file:") + ::ptsname(master), BSC_ACCESS_RDWR);
    auto attributes = query_ok(tty);
    CHECK(attributes.type == BSC_TYPE_TTY);
    CHECK(attributes.tty_rows == 33);
    CHECK(attributes.tty_columns == 101);
    CHECK(host_object_close(tty) == BSC_OK);
    ::close(master);
}

TEST_CASE("attributes_set by URI changes mode, owner and times", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    std::string uri = dir.uri("file", "f");
    bsc_stream_attributes in{};
    in.mode = 0604;
    REQUIRE(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_MODE, &in) == BSC_OK);
    CHECK((stat_ok(dir.path("f")).st_mode & 07777) == 0604);

    in.owner = ::getuid();
    in.group = ::getgid();
    CHECK(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_OWNER | BSC_SET_GROUP, &in) == BSC_OK);

    in.access_time = 1000 * kSecond + 5;
    in.modify_time = -kSecond / 2; // before 1970
    REQUIRE(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_ACCESS_TIME | BSC_SET_MODIFY_TIME,
                                       &in) == BSC_OK);
    auto out = query_ok(uri);
    CHECK(out.access_time == 1000 * kSecond + 5);
    CHECK(out.modify_time == -kSecond / 2);

    int64_t before = 0;
    REQUIRE(host_time_query(BSC_CLOCK_REALTIME, &before) == BSC_OK);
    REQUIRE(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_MODIFY_TIME_NOW, &in) == BSC_OK);
    out = query_ok(uri);
    CHECK(out.modify_time >= before - kSecond);
    CHECK(out.access_time == 1000 * kSecond + 5); // untouched

    // NOFOLLOW changes the link itself.
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);
    in.modify_time = 77 * kSecond;
    REQUIRE(host_stream_attributes_set(dir.uri("file", "link").c_str(), BSC_QUERY_NOFOLLOW,
                                       BSC_SET_MODIFY_TIME, &in) == BSC_OK);
    CHECK(stat_ok(dir.path("link")).st_mtim.tv_sec == 77);
    CHECK(stat_ok(dir.path("f")).st_mtim.tv_sec != 77);
}

TEST_CASE("attributes_set by URI errors", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    std::string uri = dir.uri("file", "f");
    bsc_stream_attributes in{};
    in.mode = 010000;
    CHECK(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_MODE, &in) == BSC_E_INVALID);
    in.mode = 0600;
    CHECK(host_stream_attributes_set(uri.c_str(), 0, 256, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set(uri.c_str(), 4, BSC_SET_MODE, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_OPTIONS, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_ACCESS_TIME | BSC_SET_ACCESS_TIME_NOW,
                                     &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set(dir.uri("file", "missing").c_str(), 0, BSC_SET_MODE, &in) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_attributes_set("dev:null", 0, BSC_SET_MODE, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set(uri.c_str(), 0, BSC_SET_MODE,
                                     static_cast<bsc_stream_attributes *>(kBadPointer)) ==
          BSC_E_FAULT);
    CHECK(host_stream_attributes_set(static_cast<const char *>(kBadPointer), 0, BSC_SET_MODE,
                                     &in) == BSC_E_FAULT);
    CHECK((stat_ok(dir.path("f")).st_mode & 07777) != 0600); // nothing changed
}

TEST_CASE("attributes_set_by_handle changes mode, times and NONBLOCK", "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR);
    bsc_stream_attributes in{};
    in.mode = 0611;
    in.modify_time = 1234 * kSecond;
    REQUIRE(host_stream_attributes_set_by_handle(file, BSC_SET_MODE | BSC_SET_MODIFY_TIME, &in) ==
            BSC_OK);
    struct stat st = stat_ok(dir.path("f"));
    CHECK((st.st_mode & 07777) == 0611);
    CHECK(st.st_mtim.tv_sec == 1234);

    bsc_handle pipe[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    in.options = BSC_OPTION_NONBLOCK;
    REQUIRE(host_stream_attributes_set_by_handle(pipe[0], BSC_SET_OPTIONS, &in) == BSC_OK);
    CHECK(query_ok(pipe[0]).options == BSC_OPTION_NONBLOCK);
    uint64_t done;
    char byte;
    CHECK(host_stream_read(pipe[0], BSC_AT_POSITION, &byte, 1, &done) == BSC_E_AGAIN);
    in.options = 0;
    REQUIRE(host_stream_attributes_set_by_handle(pipe[0], BSC_SET_OPTIONS, &in) == BSC_OK);
    CHECK(query_ok(pipe[0]).options == 0);

    in.options = BSC_OPTION_SYNC;
    CHECK(host_stream_attributes_set_by_handle(pipe[0], BSC_SET_OPTIONS, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set_by_handle(file, 512, &in) == BSC_E_INVALID);
    CHECK(host_stream_attributes_set_by_handle(987654, BSC_SET_MODE, &in) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_attributes_set_by_handle(file, BSC_SET_MODE,
                                               static_cast<bsc_stream_attributes *>(kBadPointer)) ==
          BSC_E_FAULT);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_stream_attributes_set_by_handle(event, BSC_SET_MODE, &in) == BSC_E_BAD_HANDLE);
    for (bsc_handle handle : {file, pipe[0], pipe[1], event})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("details_query gives statx's further fields by URI and by handle",
          "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "12345");
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);
    struct statx sx {};
    uint32_t want = BSC_DETAIL_BASIC | BSC_DETAIL_BIRTH_TIME | BSC_DETAIL_MOUNT_ID;
    REQUIRE(::statx(AT_FDCWD, dir.path("f").c_str(), 0, want, &sx) == 0);

    bsc_stream_details by_uri{}, by_handle{};
    REQUIRE(host_stream_details_query(dir.uri("file", "f").c_str(), 0, want, &by_uri) == BSC_OK);
    CHECK(by_uri.mask == (sx.stx_mask & (want | BSC_DETAIL_DIRECT_IO)));
    CHECK(by_uri.attributes == sx.stx_attributes);
    CHECK(by_uri.attributes_mask == sx.stx_attributes_mask);
    CHECK(by_uri.mount_id == sx.stx_mnt_id);
    if (sx.stx_mask & STATX_BTIME)
        CHECK(by_uri.birth_time == sx.stx_btime.tv_sec * kSecond + sx.stx_btime.tv_nsec);
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ);
    REQUIRE(host_stream_details_query_by_handle(file, want, &by_handle) == BSC_OK);
    CHECK(by_handle.mask == by_uri.mask);
    CHECK(by_handle.birth_time == by_uri.birth_time);
    CHECK(by_handle.attributes_mask == by_uri.attributes_mask);

    // A final link itself with NOFOLLOW; a dir: URI of a file is NOT_DIRECTORY.
    REQUIRE(::statx(AT_FDCWD, dir.path("link").c_str(), AT_SYMLINK_NOFOLLOW, want, &sx) == 0);
    REQUIRE(host_stream_details_query(dir.uri("file", "link").c_str(), BSC_QUERY_NOFOLLOW, want,
                                      &by_uri) == BSC_OK);
    CHECK(by_uri.mask == (sx.stx_mask & (want | BSC_DETAIL_DIRECT_IO)));
    CHECK(host_stream_details_query(dir.uri("dir", "f").c_str(), 0, want, &by_uri) ==
          BSC_E_NOT_DIRECTORY);

    CHECK(host_stream_details_query(dir.uri("file", "missing").c_str(), 0, want, &by_uri) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_details_query(dir.uri("file", "f").c_str(), 2, want, &by_uri) ==
          BSC_E_INVALID);
    CHECK(host_stream_details_query(dir.uri("file", "f").c_str(), 0, 0x8000, &by_uri) ==
          BSC_E_INVALID); // STATX_SUBVOL: not carried
    // Since 1.24, STATX_MNT_ID_UNIQUE: the mount's 64-bit id, above the old ids' range.
    REQUIRE(host_stream_details_query(dir.uri("file", "f").c_str(), 0,
                                      BSC_DETAIL_MOUNT_ID_UNIQUE, &by_uri) == BSC_OK);
    if (by_uri.mask & BSC_DETAIL_MOUNT_ID_UNIQUE)
        CHECK(by_uri.mount_id > (1ull << 31));
    CHECK(host_stream_details_query(dir.uri("file", "f").c_str(), 0, want,
                                    static_cast<bsc_stream_details *>(kBadPointer)) ==
          BSC_E_FAULT);
    CHECK(host_stream_details_query_by_handle(987654, want, &by_handle) == BSC_E_BAD_HANDLE);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_stream_details_query_by_handle(event, want, &by_handle) == BSC_E_NOT_SUPPORTED);
    for (bsc_handle handle : {file, event})
        CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("NO_ACCESS_TIME opens and sets reads that leave the access time",
          "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "12345");
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_READ, BSC_CREATE_NEVER,
                              BSC_OPTION_NO_ACCESS_TIME);
    CHECK(query_ok(file).options & BSC_OPTION_NO_ACCESS_TIME);
    bsc_stream_attributes off{};
    REQUIRE(host_stream_attributes_set_by_handle(file, BSC_SET_NO_ACCESS_TIME, &off) == BSC_OK);
    CHECK(!(query_ok(file).options & BSC_OPTION_NO_ACCESS_TIME));
    off.options = BSC_OPTION_NO_ACCESS_TIME;
    REQUIRE(host_stream_attributes_set_by_handle(file, BSC_SET_NO_ACCESS_TIME, &off) == BSC_OK);
    CHECK(query_ok(file).options & BSC_OPTION_NO_ACCESS_TIME);
    // A change of options by URI is refused, as the other descriptor flags are.
    CHECK(host_stream_attributes_set(dir.uri("file", "f").c_str(), 0, BSC_SET_NO_ACCESS_TIME,
                                     &off) == BSC_E_INVALID);
    CHECK(host_object_close(file) == BSC_OK);
}
