// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's userfault streams (ABI 1.25): userfault_open, their
// requests (stream_control's device requests of BSC_USERFAULT_REQUESTS, IN_OUT written back
// whatever the status) and their records. UFFD_USER_MODE_ONLY keeps them unprivileged.
#include <sys/ioctl.h>
#include <linux/userfaultfd.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

// A request with its argument, as stream_control's BSC_CONTROL_DEVICE_REQUEST takes it.
template <class Argument> struct UserfaultRequest {
    bsc_device_request header{};
    Argument argument{};
};

template <class Argument>
bsc_status userfault_request(bsc_handle stream, uint32_t request, Argument &argument) {
    UserfaultRequest<Argument> r;
    r.header.request = request;
    r.argument = argument;
    bsc_status status = host_stream_control(stream, BSC_CONTROL_DEVICE_REQUEST, &r, sizeof r);
    argument = r.argument;
    return status;
}

bsc_handle open_userfault_ok(uint32_t flags) {
    bsc_handle handle = BSC_NO_HANDLE;
    REQUIRE(host_userfault_open(BSC_NO_HANDLE, flags | UFFD_USER_MODE_ONLY, BSC_OPTION_NONBLOCK,
                                &handle) == BSC_OK);
    return handle;
}

} // namespace

TEST_CASE("userfault_open refuses what it does not take", "[host][userfault]") {
    host_ready();
    bsc_handle handle = BSC_NO_HANDLE;
    CHECK(host_userfault_open(BSC_NO_HANDLE, UFFD_USER_MODE_ONLY, 0x100, &handle) ==
          BSC_E_INVALID); // an unknown option
    CHECK(host_userfault_open(BSC_NO_HANDLE, UFFD_USER_MODE_ONLY | 0x10, 0, &handle) ==
          BSC_E_INVALID); // the kernel's check of the flags
    CHECK(host_userfault_open(kNoSuchHandle, 0, 0, &handle) == BSC_E_BAD_HANDLE);
    bsc_handle null = open_ok("file:/dev/null", BSC_ACCESS_RDWR);
    CHECK(host_userfault_open(null, 0, 0, &handle) == BSC_E_NOT_TTY); // not /dev/userfaultfd
    host_object_close(null);
    CHECK(host_userfault_open(BSC_NO_HANDLE, UFFD_USER_MODE_ONLY, 0,
                              static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    bsc_handle stream = open_userfault_ok(0);
    bsc_object_info info{};
    char uri[64];
    REQUIRE(host_object_query(stream, &info, uri, sizeof uri) == BSC_OK);
    CHECK(info.type == BSC_TYPE_USERFAULT);
    // A userfault request on another stream is no request of its driver.
    uffdio_api api{.api = UFFD_API, .features = 0, .ioctls = 0};
    bsc_handle other = open_ok("file:/dev/null", BSC_ACCESS_READ);
    CHECK(userfault_request(other, UFFDIO_API, api) == BSC_E_NOT_TTY);
    host_object_close(other);
    host_object_close(stream);
}

TEST_CASE("a userfault stream's API request comes back even when refused", "[host][userfault]") {
    host_ready();
    bsc_handle stream = open_userfault_ok(0);
    uint64_t done = 0;
    char record[sizeof(uffd_msg)];
    CHECK(host_stream_read(stream, BSC_AT_POSITION, record, sizeof record, &done) ==
          BSC_E_INVALID); // before UFFDIO_API
    uffdio_api api{.api = 0x55, .features = 1, .ioctls = 3};
    CHECK(userfault_request(stream, UFFDIO_API, api) == BSC_E_INVALID);
    CHECK(api.api == 0); // the kernel cleared it
    CHECK(api.features == 0);
    CHECK(api.ioctls == 0);
    api = {.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID, .ioctls = 0};
    REQUIRE(userfault_request(stream, UFFDIO_API, api) == BSC_OK);
    CHECK((api.features & UFFD_FEATURE_THREAD_ID) != 0);
    CHECK(host_stream_read(stream, BSC_AT_POSITION, record, 8, &done) == BSC_E_INVALID);
    CHECK(host_stream_read(stream, BSC_AT_POSITION, record, sizeof record, &done) ==
          BSC_E_AGAIN);
    host_object_close(stream);
}

TEST_CASE("a fault on a registered page waits until a request fills it", "[host][userfault]") {
    host_ready();
    bsc_handle stream = open_userfault_ok(0);
    uffdio_api api{.api = UFFD_API, .features = UFFD_FEATURE_THREAD_ID, .ioctls = 0};
    REQUIRE(userfault_request(stream, UFFDIO_API, api) == BSC_OK);
    GuestPage page;
    uffdio_register reg{.range = {.start = page.addr, .len = 4096},
                        .mode = UFFDIO_REGISTER_MODE_MISSING, .ioctls = 0};
    REQUIRE(userfault_request(stream, UFFDIO_REGISTER, reg) == BSC_OK);
    CHECK((reg.ioctls & (1ull << _UFFDIO_COPY)) != 0);
    std::atomic<int> seen{-1};
    std::thread toucher([&] { seen = *page.at<volatile char>(5); });
    uffd_msg record{};
    uint64_t done = 0;
    bsc_status status;
    while ((status = host_stream_read(stream, BSC_AT_POSITION, &record, sizeof record, &done)) ==
           BSC_E_AGAIN)
        std::this_thread::yield();
    REQUIRE(status == BSC_OK);
    REQUIRE(done == sizeof record);
    CHECK(record.event == UFFD_EVENT_PAGEFAULT);
    CHECK(record.arg.pagefault.address == page.addr);
    CHECK(record.arg.pagefault.feat.ptid == 0); // a thread of no handle: not the guest's
    static char source[4096] __attribute__((aligned(4096)));
    std::memset(source, 7, sizeof source);
    uffdio_copy copy{.dst = page.addr, .src = reinterpret_cast<uint64_t>(source), .len = 4096,
                     .mode = 0, .copy = 0};
    REQUIRE(userfault_request(stream, UFFDIO_COPY, copy) == BSC_OK);
    toucher.join();
    CHECK(seen == 7);
    CHECK(copy.copy == 4096);
    CHECK(userfault_request(stream, UFFDIO_COPY, copy) == BSC_E_EXISTS);
    CHECK(copy.copy == -EEXIST); // the error the kernel wrote back
    host_object_close(stream);
}
