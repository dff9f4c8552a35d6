// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's namespace calls: stream_delete, stream_rename, stream_link,
// stream_read_link and stream_make_node.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bool exists(const std::string &path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
}

bsc_status remove(const std::string &uri, uint32_t flags = 0) {
    return host_stream_delete(uri.c_str(), flags);
}

bsc_status rename(const std::string &from, const std::string &to, uint32_t flags = 0) {
    return host_stream_rename(from.c_str(), to.c_str(), flags);
}

bsc_status link(const std::string &uri, const std::string &target, uint32_t kind) {
    return host_stream_link(uri.c_str(), target.c_str(), kind);
}

} // namespace

TEST_CASE("stream_delete removes files and empty directories", "[host][namespace]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    REQUIRE(::mkdir(dir.path("empty").c_str(), 0755) == 0);
    REQUIRE(::mkdir(dir.path("empty2").c_str(), 0755) == 0);
    REQUIRE(::mkdir(dir.path("full").c_str(), 0755) == 0);
    write_file(dir.path("full/x"), "");

    CHECK(remove(dir.uri("file", "f")) == BSC_OK);
    CHECK_FALSE(exists(dir.path("f")));
    CHECK(remove(dir.uri("file", "f")) == BSC_E_NOT_FOUND);
    CHECK(remove(dir.uri("file", "empty")) == BSC_E_IS_DIRECTORY);
    CHECK(remove(dir.uri("dir", "empty")) == BSC_OK);
    CHECK(remove(dir.uri("file", "empty2"), BSC_DELETE_DIRECTORY) == BSC_OK);
    CHECK_FALSE(exists(dir.path("empty2")));
    CHECK(remove(dir.uri("dir", "full")) == BSC_E_NOT_EMPTY);
    CHECK(remove(dir.uri("dir", "full/x")) == BSC_E_NOT_DIRECTORY);
    CHECK(exists(dir.path("full/x")));
}

TEST_CASE("stream_delete errors", "[host][namespace]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    CHECK(remove(dir.uri("file", "f"), 2) == BSC_E_INVALID);
    CHECK(remove("tcp:127.0.0.1:80") == BSC_E_INVALID);
    CHECK(remove("dev:null") == BSC_E_INVALID);
    CHECK(host_stream_delete(static_cast<const char *>(kBadPointer), 0) == BSC_E_FAULT);
    CHECK(exists(dir.path("f")));
}

TEST_CASE("stream_rename: plain, NOREPLACE and EXCHANGE", "[host][namespace]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("a"), "A");
    write_file(dir.path("b"), "B");
    CHECK(rename(dir.uri("file", "a"), dir.uri("file", "c")) == BSC_OK);
    CHECK(file_contents(dir.path("c")) == "A");
    CHECK_FALSE(exists(dir.path("a")));
    CHECK(rename(dir.uri("file", "c"), dir.uri("file", "b"), BSC_RENAME_NOREPLACE) == BSC_E_EXISTS);
    CHECK(rename(dir.uri("file", "c"), dir.uri("file", "b"), BSC_RENAME_EXCHANGE) == BSC_OK);
    CHECK(file_contents(dir.path("c")) == "B");
    CHECK(file_contents(dir.path("b")) == "A");
    CHECK(rename(dir.uri("file", "c"), dir.uri("file", "b")) == BSC_OK); // replaces
    CHECK(file_contents(dir.path("b")) == "B");

    CHECK(rename(dir.uri("file", "none"), dir.uri("file", "x")) == BSC_E_NOT_FOUND);
    CHECK(rename(dir.uri("file", "b"), dir.uri("file", "x"),
                 BSC_RENAME_NOREPLACE | BSC_RENAME_EXCHANGE) == BSC_E_INVALID);
    CHECK(rename(dir.uri("file", "b"), dir.uri("file", "x"), 4) == BSC_E_INVALID);
    CHECK(rename(dir.uri("file", "b"), dir.uri("file", "none"), BSC_RENAME_EXCHANGE) ==
          BSC_E_NOT_FOUND);
    REQUIRE(::mkdir(dir.path("d").c_str(), 0755) == 0);
    write_file(dir.path("d/x"), "");
    REQUIRE(::mkdir(dir.path("e").c_str(), 0755) == 0);
    CHECK(rename(dir.uri("dir", "e"), dir.uri("dir", "d")) == BSC_E_NOT_EMPTY);
    CHECK(host_stream_rename(static_cast<const char *>(kBadPointer), "file:/x", 0) == BSC_E_FAULT);
    CHECK(host_stream_rename(dir.uri("file", "b").c_str(), static_cast<const char *>(kBadPointer),
                             0) == BSC_E_FAULT);
    CHECK(exists(dir.path("b")));
}

TEST_CASE("stream_link makes hard and symbolic links", "[host][namespace]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "data");
    CHECK(link(dir.uri("file", "hard"), dir.uri("file", "f"), BSC_LINK_HARD) == BSC_OK);
    CHECK(file_contents(dir.path("hard")) == "data");
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query(dir.uri("file", "f").c_str(), 0, &attributes) == BSC_OK);
    CHECK(attributes.links == 2);
    CHECK(link(dir.uri("file", "hard"), dir.uri("file", "f"), BSC_LINK_HARD) == BSC_E_EXISTS);
    CHECK(link(dir.uri("file", "h2"), dir.uri("file", "none"), BSC_LINK_HARD) == BSC_E_NOT_FOUND);
    CHECK(link(dir.uri("file", "h2"), "not a uri", BSC_LINK_HARD) == BSC_E_INVALID);

    // A symlink's text is stored verbatim, relative or not, existing or not.
    CHECK(link(dir.uri("file", "soft"), "f", BSC_LINK_SYMBOLIC) == BSC_OK);
    CHECK(file_contents(dir.path("soft")) == "data");
    CHECK(link(dir.uri("file", "dangling"), "../nowhere/x", BSC_LINK_SYMBOLIC) == BSC_OK);
    char text[64];
    REQUIRE(::readlink(dir.path("dangling").c_str(), text, sizeof text) == 12);
    CHECK(std::string(text, 12) == "../nowhere/x");
    CHECK(link(dir.uri("file", "soft"), "f", BSC_LINK_SYMBOLIC) == BSC_E_EXISTS);

    CHECK(link(dir.uri("file", "x"), "f", 2) == BSC_E_INVALID);
    CHECK(host_stream_link(dir.uri("file", "x").c_str(), static_cast<const char *>(kBadPointer),
                           BSC_LINK_SYMBOLIC) == BSC_E_FAULT);
    CHECK(host_stream_link(static_cast<const char *>(kBadPointer), "f", BSC_LINK_SYMBOLIC) ==
          BSC_E_FAULT);
    CHECK_FALSE(exists(dir.path("x")));
}

TEST_CASE("stream_read_link returns a link's text, cut to the buffer", "[host][namespace]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    REQUIRE(::symlink("some/target", dir.path("link").c_str()) == 0);
    std::string uri = dir.uri("file", "link");
    char buffer[64] = {};
    uint64_t length = 0;
    REQUIRE(host_stream_read_link(uri.c_str(), buffer, sizeof buffer, &length) == BSC_OK);
    CHECK(length == 11);
    CHECK(std::string(buffer, length) == "some/target");
    char small[4];
    REQUIRE(host_stream_read_link(uri.c_str(), small, sizeof small, &length) == BSC_OK);
    CHECK(length == 4);
    CHECK(std::string(small, 4) == "some");

    CHECK(host_stream_read_link(dir.uri("file", "f").c_str(), buffer, sizeof buffer, &length) ==
          BSC_E_INVALID);
    CHECK(host_stream_read_link(dir.uri("file", "none").c_str(), buffer, sizeof buffer, &length) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_read_link(uri.c_str(), buffer, 0, &length) == BSC_E_INVALID);
    CHECK(host_stream_read_link(uri.c_str(), buffer, sizeof buffer, nullptr) == BSC_E_FAULT);
    CHECK(host_stream_read_link(uri.c_str(), static_cast<char *>(kBadPointer), 64, &length) ==
          BSC_E_FAULT);
    NoAccessPage page;
    CHECK(host_stream_read_link(uri.c_str(), buffer, sizeof buffer, page.as<uint64_t>()) ==
          BSC_E_FAULT);
}

TEST_CASE("stream_make_node makes FIFOs, files, sockets and device nodes", "[host][namespace]") {
    host_ready();
    TempDir dir;
    auto make = [&](const char *name, uint32_t type, uint32_t mode, uint64_t device = 0) {
        return host_stream_make_node(dir.uri("file", name).c_str(), type, mode, device);
    };
    struct stat st;
    REQUIRE(make("fifo", BSC_TYPE_PIPE, 0666) == BSC_OK);
    REQUIRE(::lstat(dir.path("fifo").c_str(), &st) == 0);
    CHECK(st.st_mode == (S_IFIFO | 0666)); // exactly the mode: the host masks nothing
    REQUIRE(make("file", BSC_TYPE_FILE, 0600) == BSC_OK);
    CHECK(file_contents(dir.path("file")).empty());
    REQUIRE(make("socket", BSC_TYPE_SOCKET, 0700) == BSC_OK);
    REQUIRE(::lstat(dir.path("socket").c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    bsc_status device = make("null", BSC_TYPE_CHAR_DEVICE, 0600, makedev(1, 3));
    CHECK((device == BSC_OK || device == BSC_E_NOT_PERMITTED));
    CHECK(make("fifo", BSC_TYPE_PIPE, 0666) == BSC_E_EXISTS);
    CHECK(make("none/x", BSC_TYPE_PIPE, 0666) == BSC_E_NOT_FOUND);
    CHECK(make("x", BSC_TYPE_DIRECTORY, 0755) == BSC_E_INVALID);
    CHECK(make("x", BSC_TYPE_PIPE, 010000) == BSC_E_INVALID);
    CHECK(host_stream_make_node(static_cast<const char *>(kBadPointer), BSC_TYPE_PIPE, 0600, 0) ==
          BSC_E_FAULT);
    CHECK_FALSE(exists(dir.path("x")));
}
