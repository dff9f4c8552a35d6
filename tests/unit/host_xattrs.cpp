// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's extended-attribute calls, by URI and by handle, and of the
// exact modes stream_open creates with.
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cstring>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

// Whether the file system under /tmp takes user attributes (tmpfs before Linux 6.6 does not).
bool user_xattrs_supported(const std::string &path) {
    if (::setxattr(path.c_str(), "user.probe", "1", 1, 0) == 0)
        return ::removexattr(path.c_str(), "user.probe") == 0;
    return false;
}

} // namespace

TEST_CASE("xattr calls get, set, list and remove by URI", "[host][xattr]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    std::string uri = dir.uri("file", "f");
    uint64_t length = 0;
    char value[64];
    CHECK(host_stream_xattr_get(dir.uri("file", "missing").c_str(), 0, "user.a", value,
                                sizeof value, &length) == BSC_E_NOT_FOUND);
    if (!user_xattrs_supported(dir.path("f"))) {
        CHECK(host_stream_xattr_set(uri.c_str(), 0, "user.a", "1", 1) == BSC_E_NOT_SUPPORTED);
        return;
    }
    REQUIRE(host_stream_xattr_set(uri.c_str(), 0, "user.a", "blue", 4) == BSC_OK);
    CHECK(host_stream_xattr_set(uri.c_str(), BSC_XATTR_CREATE, "user.a", "x", 1) == BSC_E_EXISTS);
    CHECK(host_stream_xattr_set(uri.c_str(), BSC_XATTR_REPLACE, "user.b", "x", 1) ==
          BSC_E_NO_ATTRIBUTE);
    CHECK(host_stream_xattr_set(uri.c_str(), 8, "user.a", "x", 1) == BSC_E_INVALID);
    REQUIRE(host_stream_xattr_get(uri.c_str(), 0, "user.a", value, sizeof value, &length) ==
            BSC_OK);
    CHECK(length == 4);
    CHECK(std::memcmp(value, "blue", 4) == 0);
    CHECK(host_stream_xattr_get(uri.c_str(), 0, "user.a", nullptr, 0, &length) == BSC_OK);
    CHECK(length == 4);
    CHECK(host_stream_xattr_get(uri.c_str(), 0, "user.a", value, 2, &length) == BSC_E_TOO_BIG);
    CHECK(host_stream_xattr_get(uri.c_str(), 0, "user.none", value, sizeof value, &length) ==
          BSC_E_NO_ATTRIBUTE);
    CHECK(host_stream_xattr_get(uri.c_str(), 0, "user.a", value, sizeof value, nullptr) ==
          BSC_E_FAULT);
    char names[256];
    REQUIRE(host_stream_xattr_list(uri.c_str(), 0, names, sizeof names, &length) == BSC_OK);
    CHECK(memmem(names, length, "user.a", sizeof "user.a") != nullptr);
    REQUIRE(host_stream_xattr_remove(uri.c_str(), 0, "user.a") == BSC_OK);
    CHECK(host_stream_xattr_remove(uri.c_str(), 0, "user.a") == BSC_E_NO_ATTRIBUTE);
    REQUIRE(::symlink("f", dir.path("link").c_str()) == 0);
    CHECK(host_stream_xattr_set(dir.uri("file", "link").c_str(), BSC_XATTR_NOFOLLOW, "user.a",
                                "1", 1) == BSC_E_NOT_PERMITTED);
}

TEST_CASE("xattr calls by handle", "[host][xattr]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    bsc_handle handle;
    REQUIRE(host_stream_open(dir.uri("file", "f").c_str(), BSC_ACCESS_RDWR, 0, BSC_CREATE_NEVER, 0,
                             &handle) == BSC_OK);
    uint64_t length = 0;
    char value[8];
    CHECK(host_stream_xattr_get_by_handle(0, "user.a", value, sizeof value, &length) ==
          BSC_E_BAD_HANDLE);
    CHECK(host_stream_xattr_set_by_handle(handle, BSC_XATTR_NOFOLLOW, "user.a", "1", 1) ==
          BSC_E_INVALID);
    if (user_xattrs_supported(dir.path("f"))) {
        REQUIRE(host_stream_xattr_set_by_handle(handle, 0, "user.a", "1", 1) == BSC_OK);
        REQUIRE(host_stream_xattr_get_by_handle(handle, "user.a", value, sizeof value, &length) ==
                BSC_OK);
        CHECK(length == 1);
        REQUIRE(host_stream_xattr_list_by_handle(handle, nullptr, 0, &length) == BSC_OK);
        CHECK(length >= sizeof "user.a");
        CHECK(host_stream_xattr_remove_by_handle(handle, "user.a") == BSC_OK);
    }
    host_object_close(handle);
}

TEST_CASE("stream_open creates with exactly the mode asked, whatever the umask", "[host][files]") {
    host_ready();
    TempDir dir;
    CHECK(::umask(0) == 0); // initialise left the runtime's own umask at 0
    bsc_handle handle;
    REQUIRE(host_stream_open(dir.uri("file", "f").c_str(), BSC_ACCESS_WRITE, 0666,
                             BSC_CREATE_ALWAYS, 0, &handle) == BSC_OK);
    host_object_close(handle);
    REQUIRE(host_stream_open(dir.uri("dir", "d").c_str(), BSC_ACCESS_READ, 0777, BSC_CREATE_ALWAYS,
                             0, &handle) == BSC_OK);
    host_object_close(handle);
    struct stat st;
    REQUIRE(::stat(dir.path("f").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0666);
    REQUIRE(::stat(dir.path("d").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0777);
}

TEST_CASE("attributes_set with nothing to change still looks the object up",
          "[host][attributes]") {
    host_ready();
    TempDir dir;
    write_file(dir.path("f"), "");
    bsc_stream_attributes in{};
    CHECK(host_stream_attributes_set(dir.uri("file", "f").c_str(), 0, 0, &in) == BSC_OK);
    CHECK(host_stream_attributes_set(dir.uri("file", "missing").c_str(), 0, 0, &in) ==
          BSC_E_NOT_FOUND);
    CHECK(host_stream_attributes_set(dir.uri("file", "f/x").c_str(), 0, 0, &in) ==
          BSC_E_NOT_DIRECTORY);
}
