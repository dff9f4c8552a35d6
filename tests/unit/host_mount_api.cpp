// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's new mount API (ABI 1.24): mount_open, mount_configure,
// mount_attach, mount_move, mount_attributes_set, mount_status_query and mount_list.
#include <linux/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "host_fixtures.h"

using namespace bsc::test;

TEST_CASE("mount API: a tmpfs made, attached, reported, listed and unmounted",
          "[host][files]") {
    host_ready();
    if (::geteuid() != 0)
        return; // mounting needs the host's privilege
    TempDir dir;
    bsc_handle context = BSC_NO_HANDLE, mount = BSC_NO_HANDLE;
    REQUIRE(host_mount_open(BSC_NO_HANDLE, "name:tmpfs", BSC_MOUNT_OPEN_FILE_SYSTEM, 0,
                            &context) == BSC_OK);
    CHECK(host_mount_configure(context, FSCONFIG_SET_STRING, "size", "1m", 0, BSC_NO_HANDLE) ==
          BSC_OK);
    CHECK(host_mount_configure(context, FSCONFIG_SET_FLAG, "no-such-key", nullptr, 0,
                               BSC_NO_HANDLE) == BSC_E_INVALID);
    char message[256] = {};
    uint64_t done = 0; // the kernel's message, read from the context
    REQUIRE(host_stream_read(context, BSC_AT_POSITION, message, sizeof message - 1, &done) ==
            BSC_OK);
    CHECK(std::string(message).find("no-such-key") != std::string::npos);
    REQUIRE(host_mount_configure(context, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0,
                                 BSC_NO_HANDLE) == BSC_OK);
    REQUIRE(host_mount_attach(context, 0, MOUNT_ATTR_NOEXEC, &mount) == BSC_OK);
    REQUIRE(host_mount_move(mount, "", BSC_NO_HANDLE, dir.uri("dir").c_str(), 0) == BSC_OK);
    struct statfs fs;
    REQUIRE(::statfs(dir.path().c_str(), &fs) == 0);
    CHECK(fs.f_type == 0x01021994); // TMPFS_MAGIC
    bsc_mount_attributes read_only{MOUNT_ATTR_RDONLY, 0, 0};
    REQUIRE(host_mount_attributes_set(BSC_NO_HANDLE, dir.uri("dir").c_str(), 0, &read_only) ==
            BSC_OK);
    REQUIRE(::statfs(dir.path().c_str(), &fs) == 0);
    CHECK((fs.f_flags & ST_RDONLY) != 0);
    bsc_stream_details details{};
    REQUIRE(host_stream_details_query(dir.uri("dir").c_str(), 0, BSC_DETAIL_MOUNT_ID_UNIQUE,
                                      &details) == BSC_OK);
    REQUIRE((details.mask & BSC_DETAIL_MOUNT_ID_UNIQUE) != 0);
    bsc_mount_request request{details.mount_id, 0x20 /* STATMOUNT_FS_TYPE */, 0};
    alignas(8) char report[1024];
    uint64_t length = 0;
    REQUIRE(host_mount_status_query(&request, report, sizeof report, &length) == BSC_OK);
    uint32_t size, fs_type;
    std::memcpy(&size, report, sizeof size);
    std::memcpy(&fs_type, report + 36, sizeof fs_type);
    CHECK(length == size);
    CHECK(std::string(report + 512 + fs_type) == "tmpfs"); // the string table's offset
    CHECK(host_mount_status_query(&request, report, 8, &length) == BSC_E_OVERFLOW);
    uint64_t ids[64], found = 0;
    bsc_mount_request root{~0ull, 0, 0}; // LSMT_ROOT
    REQUIRE(host_mount_list(&root, ids, 64, 0, &found) == BSC_OK);
    CHECK(found > 0);
    host_object_close(mount);
    host_object_close(context);
    REQUIRE(host_stream_unmount(dir.uri("dir").c_str(), 0) == BSC_OK);
}

TEST_CASE("mount API: what the calls refuse", "[host][files]") {
    host_ready();
    TempDir dir;
    bsc_handle handle = BSC_NO_HANDLE;
    CHECK(host_mount_open(BSC_NO_HANDLE, "name:tmpfs", 3, 0, &handle) == BSC_E_INVALID);
    CHECK(host_mount_open(BSC_NO_HANDLE, "name:tmpfs", BSC_MOUNT_OPEN_FILE_SYSTEM, 1, &handle) ==
          BSC_E_INVALID);
    CHECK(host_mount_open(BSC_NO_HANDLE, dir.uri("dir").c_str(), BSC_MOUNT_OPEN_FILE_SYSTEM, 0,
                          &handle) == BSC_E_INVALID);
    CHECK(host_mount_open(BSC_NO_HANDLE, "name:tmpfs", BSC_MOUNT_OPEN_FILE_SYSTEM, 0,
                          static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    CHECK(host_mount_open(kNoSuchHandle, "", BSC_MOUNT_OPEN_PICK, 0, &handle) ==
          BSC_E_BAD_HANDLE);
    CHECK(host_mount_configure(kNoSuchHandle, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0,
                               BSC_NO_HANDLE) == BSC_E_BAD_HANDLE);
    bsc_handle file = open_ok(dir.uri("file", "f"), BSC_ACCESS_RDWR, BSC_CREATE_ALWAYS);
    CHECK(host_mount_configure(file, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0, BSC_NO_HANDLE) ==
          BSC_E_INVALID); // no context
    CHECK(host_mount_attach(file, 0, 0, &handle) == BSC_E_INVALID);
    CHECK(host_mount_attach(file, 1, 0, &handle) == BSC_E_INVALID);
    CHECK(host_mount_move(file, "", BSC_NO_HANDLE, dir.uri("dir").c_str(),
                          MOVE_MOUNT_F_EMPTY_PATH) == BSC_E_INVALID);
    bsc_mount_attributes idmap{MOUNT_ATTR_IDMAP, 0, 0};
    CHECK(host_mount_attributes_set(BSC_NO_HANDLE, dir.uri("dir").c_str(), 0, &idmap) ==
          BSC_E_NOT_SUPPORTED);
    CHECK(host_mount_attributes_set(BSC_NO_HANDLE, dir.uri("dir").c_str(), 0,
                                    static_cast<bsc_mount_attributes *>(kBadPointer)) ==
          BSC_E_FAULT);
    bsc_mount_request request{5, 0, 0}; // an old id
    char report[512];
    uint64_t length = 0;
    CHECK(host_mount_status_query(&request, report, sizeof report, &length) == BSC_E_INVALID);
    CHECK(host_mount_status_query(static_cast<bsc_mount_request *>(kBadPointer), report,
                                  sizeof report, &length) == BSC_E_FAULT);
    host_object_close(file);
}
