// SPDX-License-Identifier: MIT
// The host's POSIX message queue calls (ABI 1.22): mqueue_open, mqueue_unlink,
// mqueue_send, mqueue_receive and stream_control's MQUEUE_ATTRIBUTES and MQUEUE_NOTIFY.
// Every queue a test makes is unlinked before it ends; buffers are guest memory.
#include <unistd.h>

#include <cstring>
#include <string>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

std::string queue_name(const char *what) {
    return "bascule-unit-mq-" + std::to_string(::getpid()) + "-" + what;
}

} // namespace

TEST_CASE("mqueue_open, send, receive and the attributes", "[host][mqueue]") {
    host_ready();
    GuestPage page;
    std::string name = queue_name("basic");
    host_mqueue_unlink(name.c_str());
    auto *attributes = page.at<bsc_mqueue_attributes>(0);
    *attributes = {0, 0, 2, 16, 0};
    auto *handle = page.at<bsc_handle>(64);
    REQUIRE(host_mqueue_open(name.c_str(), BSC_ACCESS_RDWR, 0600, BSC_CREATE_ALWAYS, attributes,
                             handle) == BSC_OK);
    bsc_handle queue = *handle;
    CHECK(host_mqueue_open(name.c_str(), BSC_ACCESS_RDWR, 0600, BSC_CREATE_ALWAYS, attributes,
                           handle) == BSC_E_EXISTS);
    CHECK(host_mqueue_open(name.c_str(), 0, 0, BSC_CREATE_NEVER, attributes, handle) ==
          BSC_E_INVALID);
    CHECK(host_mqueue_open(name.c_str(), BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                           static_cast<bsc_mqueue_attributes *>(kBadPointer), handle) ==
          BSC_E_FAULT);
    CHECK(host_mqueue_open("bascule-unit-mq-none", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                           attributes, handle) == BSC_E_NOT_FOUND);
    CHECK(host_mqueue_open("a/b", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, attributes, handle) ==
          BSC_E_ACCESS);

    auto *text = page.at<char>(128);
    std::strcpy(text, "hello");
    CHECK(host_mqueue_send(queue, text, 6, 32768, BSC_WAIT_FOREVER) == BSC_E_INVALID);
    CHECK(host_mqueue_send(queue, text, 17, 1, BSC_WAIT_FOREVER) == BSC_E_MESSAGE_TOO_BIG);
    CHECK(host_mqueue_send(queue, text, 6, 1, -5) == BSC_E_INVALID);
    REQUIRE(host_mqueue_send(queue, text, 6, 7, BSC_WAIT_FOREVER) == BSC_OK);
    REQUIRE(host_mqueue_send(queue, text, 2, 1, BSC_WAIT_FOREVER) == BSC_OK);
    CHECK(host_mqueue_send(queue, text, 2, 1, 0) == BSC_E_TIMED_OUT); // full, deadline past

    auto *now = page.at<bsc_mqueue_attributes>(256);
    REQUIRE(host_stream_control(queue, BSC_CONTROL_MQUEUE_ATTRIBUTES, now, sizeof *now) ==
            BSC_OK);
    CHECK(now->max_messages == 2);
    CHECK(now->message_size == 16);
    CHECK(now->messages == 2);
    CHECK(host_stream_control(queue, BSC_CONTROL_MQUEUE_ATTRIBUTES, now, 8) == BSC_E_INVALID);

    auto *out = page.at<char>(512);
    auto *priority = page.at<uint32_t>(1024);
    auto *length = page.at<uint64_t>(1032);
    CHECK(host_mqueue_receive(queue, out, 15, BSC_WAIT_FOREVER, priority, length) ==
          BSC_E_MESSAGE_TOO_BIG);
    REQUIRE(host_mqueue_receive(queue, out, 16, BSC_WAIT_FOREVER, priority, length) == BSC_OK);
    CHECK(*length == 6);
    CHECK(*priority == 7);
    CHECK(std::strcmp(out, "hello") == 0);
    REQUIRE(host_mqueue_receive(queue, out, 16, BSC_WAIT_FOREVER, nullptr, length) == BSC_OK);
    CHECK(*length == 2);
    CHECK(host_mqueue_receive(queue, out, 16, 0, priority, length) == BSC_E_TIMED_OUT);

    CHECK(host_object_close(queue) == BSC_OK);
    CHECK(host_mqueue_unlink(name.c_str()) == BSC_OK);
    CHECK(host_mqueue_unlink(name.c_str()) == BSC_E_NOT_FOUND);
    CHECK(host_mqueue_unlink(static_cast<const char *>(kBadPointer)) == BSC_E_FAULT);
}

TEST_CASE("mqueue commands refuse other streams and bad requests", "[host][mqueue]") {
    host_ready();
    GuestPage page;
    std::string name = queue_name("notify");
    host_mqueue_unlink(name.c_str());
    auto *attributes = page.at<bsc_mqueue_attributes>(0);
    *attributes = {uint32_t{BSC_OPTION_NONBLOCK} | BSC_MQUEUE_DEFAULT_SIZE, 0, 0, 0, 0};
    auto *handle = page.at<bsc_handle>(64);
    REQUIRE(host_mqueue_open(name.c_str(), BSC_ACCESS_READ, 0600, BSC_CREATE_TRY, attributes,
                             handle) == BSC_OK);
    bsc_handle queue = *handle;
    auto *text = page.at<char>(128);
    CHECK(host_mqueue_send(queue, text, 1, 0, BSC_WAIT_FOREVER) == BSC_E_BAD_HANDLE); // read-only
    CHECK(host_mqueue_receive(queue, text, 8192, BSC_WAIT_FOREVER, nullptr,
                              page.at<uint64_t>(1024)) == BSC_E_AGAIN); // non-blocking

    auto *notification = page.at<bsc_mqueue_notification>(256);
    *notification = {BSC_MQUEUE_NOTIFY_NONE, 0};
    CHECK(host_stream_control(queue, BSC_CONTROL_MQUEUE_NOTIFY, notification,
                              sizeof *notification) == BSC_OK);
    CHECK(host_stream_control(queue, BSC_CONTROL_MQUEUE_NOTIFY, notification,
                              sizeof *notification) == BSC_E_BUSY);
    *notification = {BSC_MQUEUE_NOTIFY_REMOVE, 0};
    CHECK(host_stream_control(queue, BSC_CONTROL_MQUEUE_NOTIFY, notification,
                              sizeof *notification) == BSC_OK);
    *notification = {9, 0};
    CHECK(host_stream_control(queue, BSC_CONTROL_MQUEUE_NOTIFY, notification,
                              sizeof *notification) == BSC_E_INVALID);

    auto *pipe = page.at<bsc_handle>(2048);
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    CHECK(host_stream_control(pipe[0], BSC_CONTROL_MQUEUE_ATTRIBUTES, attributes,
                              sizeof *attributes) == BSC_E_NOT_SUPPORTED);
    CHECK(host_mqueue_send(pipe[1], text, 1, 0, BSC_WAIT_FOREVER) == BSC_E_BAD_HANDLE);
    host_object_close(pipe[0]);
    host_object_close(pipe[1]);
    host_object_close(queue);
    CHECK(host_mqueue_unlink(name.c_str()) == BSC_OK);
}
