// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's socket calls of ABI 1.3: socket_create, socket_create_pair,
// socket_bind, socket_listen, socket_connect, socket_address_query, socket_shutdown,
// socket_send, socket_receive, socket_option_get and socket_option_set.
#include <unistd.h>

#include <cstring>

#include "host_fixtures.h"

using namespace bsc::test;

namespace {

bsc_socket_address loopback(uint16_t port = 0) {
    bsc_socket_address address{};
    address.domain = BSC_SOCKET_INET;
    address.port = port;
    const uint8_t ip[4] = {127, 0, 0, 1};
    std::memcpy(address.ip, ip, 4);
    return address;
}

bsc_handle make_socket(uint32_t domain, uint32_t type, uint32_t options = 0) {
    bsc_handle handle = BSC_NO_HANDLE;
    REQUIRE(host_socket_create(domain, type, options, &handle) == BSC_OK);
    return handle;
}

bsc_socket_message message_of(void *buffer, uint64_t size) {
    bsc_socket_message message{};
    message.buffer = reinterpret_cast<uint64_t>(buffer);
    message.size = size;
    return message;
}

} // namespace

TEST_CASE("socket_create checks its domain, type and options", "[host][sockets]") {
    host_ready();
    bsc_handle handle;
    CHECK(host_socket_create(0, BSC_SOCKET_STREAM, 0, &handle) == BSC_E_INVALID);
    CHECK(host_socket_create(BSC_SOCKET_INET, 9, 0, &handle) == BSC_E_INVALID);
    CHECK(host_socket_create(BSC_SOCKET_INET, BSC_SOCKET_STREAM, 2, &handle) == BSC_E_INVALID);
    CHECK(host_socket_create(BSC_SOCKET_INET, BSC_SOCKET_SEQPACKET, 0, &handle) ==
          BSC_E_NOT_SUPPORTED);
    CHECK(host_socket_create(BSC_SOCKET_INET, BSC_SOCKET_STREAM, 0, nullptr) == BSC_E_FAULT);
    handle = make_socket(BSC_SOCKET_INET6, BSC_SOCKET_DATAGRAM);
    int64_t value = 0;
    CHECK(host_socket_option_get(handle, BSC_SOCKOPT_DOMAIN, &value) == BSC_OK);
    CHECK(value == BSC_SOCKET_INET6);
    CHECK(host_socket_option_get(handle, BSC_SOCKOPT_TYPE, &value) == BSC_OK);
    CHECK(value == BSC_SOCKET_DATAGRAM);
    CHECK(host_socket_option_get(handle, 999, &value) == BSC_E_INVALID);
    CHECK(host_socket_option_set(handle, BSC_SOCKOPT_TYPE, 1) == BSC_E_INVALID);
    CHECK(host_object_close(handle) == BSC_OK);
}

TEST_CASE("a TCP connection made step by step", "[host][sockets]") {
    host_ready();
    bsc_handle server = make_socket(BSC_SOCKET_INET, BSC_SOCKET_STREAM);
    bsc_socket_address address = loopback();
    REQUIRE(host_socket_bind(server, &address) == BSC_OK);
    CHECK(host_socket_bind(server, &address) == BSC_E_INVALID); // bound already
    REQUIRE(host_socket_listen(server, 4) == BSC_OK);
    int64_t listening = 0;
    CHECK(host_socket_option_get(server, BSC_SOCKOPT_LISTENING, &listening) == BSC_OK);
    CHECK(listening == 1);
    bsc_socket_address bound{};
    REQUIRE(host_socket_address_query(server, BSC_ADDRESS_LOCAL, &bound) == BSC_OK);
    CHECK(bound.domain == BSC_SOCKET_INET);
    CHECK(bound.port != 0);
    bsc_handle client = make_socket(BSC_SOCKET_INET, BSC_SOCKET_STREAM, BSC_OPTION_NONBLOCK);
    bsc_status connecting = host_socket_connect(client, &bound);
    CHECK((connecting == BSC_OK || connecting == BSC_E_IN_PROGRESS));
    bsc_handle accepted;
    REQUIRE(host_stream_accept(server, 0, &accepted) == BSC_OK);
    bsc_socket_address peer{};
    REQUIRE(host_socket_address_query(client, BSC_ADDRESS_PEER, &peer) == BSC_OK);
    CHECK(peer.port == bound.port);
    char text[] = "hello";
    bsc_socket_message out = message_of(text, 5);
    REQUIRE(host_socket_send(client, &out, 0) == BSC_OK);
    CHECK(out.done == 5);
    char buffer[8] = {};
    bsc_socket_message in = message_of(buffer, sizeof buffer);
    REQUIRE(host_socket_receive(accepted, &in, BSC_MESSAGE_WAIT_ALL | BSC_MESSAGE_DONT_WAIT) ==
            BSC_OK);
    CHECK(in.done == 5);
    CHECK(std::string(buffer, 5) == "hello");
    CHECK(host_socket_shutdown(client, 0) == BSC_E_INVALID);
    REQUIRE(host_socket_shutdown(client, BSC_SHUTDOWN_WRITE) == BSC_OK);
    CHECK(host_socket_send(client, &out, 0) == BSC_E_BROKEN_PIPE);
    in = message_of(buffer, sizeof buffer);
    REQUIRE(host_socket_receive(accepted, &in, 0) == BSC_OK);
    CHECK(in.done == 0);
    CHECK(host_socket_connect(client, &bound) == BSC_E_IS_CONNECTED);
    for (bsc_handle h : {client, accepted, server})
        CHECK(host_object_close(h) == BSC_OK);
    bsc_handle refused = make_socket(BSC_SOCKET_INET, BSC_SOCKET_STREAM);
    CHECK(host_socket_connect(refused, &bound) == BSC_E_CONN_REFUSED);
    CHECK(host_object_close(refused) == BSC_OK);
}

TEST_CASE("datagrams carry their sender's address", "[host][sockets]") {
    host_ready();
    bsc_handle a = make_socket(BSC_SOCKET_INET, BSC_SOCKET_DATAGRAM);
    bsc_handle b = make_socket(BSC_SOCKET_INET, BSC_SOCKET_DATAGRAM);
    bsc_socket_address address = loopback();
    REQUIRE(host_socket_bind(a, &address) == BSC_OK);
    REQUIRE(host_socket_address_query(a, BSC_ADDRESS_LOCAL, &address) == BSC_OK);
    char text[] = "datagram";
    bsc_socket_message out = message_of(text, 8);
    CHECK(host_socket_send(b, &out, 0) == BSC_E_DESTINATION_REQUIRED);
    out.address = reinterpret_cast<uint64_t>(&address);
    REQUIRE(host_socket_send(b, &out, 0) == BSC_OK);
    char buffer[4];
    bsc_socket_address from{};
    bsc_socket_message in = message_of(buffer, sizeof buffer);
    in.address = reinterpret_cast<uint64_t>(&from);
    REQUIRE(host_socket_receive(a, &in, BSC_MESSAGE_TRUNCATE) == BSC_OK);
    CHECK(in.done == 8);
    CHECK((in.result_flags & BSC_MESSAGE_TRUNCATED) != 0);
    CHECK(from.domain == BSC_SOCKET_INET);
    CHECK(from.ip[0] == 127);
    CHECK(host_socket_receive(a, &in, BSC_MESSAGE_DONT_WAIT) == BSC_E_AGAIN);
    CHECK(host_socket_receive(a, &in, 64) == BSC_E_INVALID);
    CHECK(host_socket_receive(a, nullptr, 0) == BSC_E_FAULT);
    CHECK(host_object_close(a) == BSC_OK);
    CHECK(host_object_close(b) == BSC_OK);
}

TEST_CASE("handles pass through a unix socket pair", "[host][sockets]") {
    host_ready();
    bsc_handle pair[2], pipe[2];
    CHECK(host_socket_create_pair(BSC_SOCKET_INET, BSC_SOCKET_STREAM, 0, pair) ==
          BSC_E_NOT_SUPPORTED);
    REQUIRE(host_socket_create_pair(BSC_SOCKET_UNIX, BSC_SOCKET_SEQPACKET, 0, pair) == BSC_OK);
    REQUIRE(host_stream_open_pair("pipe:", 0, pipe) == BSC_OK);
    int64_t self = 0, user = -1;
    CHECK(host_socket_option_get(pair[0], BSC_SOCKOPT_PEER_IS_SELF, &self) == BSC_OK);
    CHECK(self == 1);
    CHECK(host_socket_option_get(pair[0], BSC_SOCKOPT_PEER_USER, &user) == BSC_OK);
    CHECK(user == ::getuid());
    int64_t process = 0;
    CHECK(host_socket_option_get(pair[0], BSC_SOCKOPT_PEER_PROCESS, &process) == BSC_OK);
    CHECK(process == ::getpid());
    char byte = 'x';
    bsc_socket_message out = message_of(&byte, 1);
    out.handles = reinterpret_cast<uint64_t>(&pipe[1]);
    out.handle_count = 1;
    REQUIRE(host_socket_send(pair[0], &out, 0) == BSC_OK);
    bsc_handle received = BSC_NO_HANDLE;
    bsc_socket_message in = message_of(&byte, 1);
    in.handles = reinterpret_cast<uint64_t>(&received);
    in.handle_count = 1;
    REQUIRE(host_socket_receive(pair[1], &in, 0) == BSC_OK);
    REQUIRE(in.handle_count == 1);
    write_ok(received, "via");
    CHECK(read_ok(pipe[0], 10) == "via");
    bsc_handle bad = 0xfffffff;
    out.handles = reinterpret_cast<uint64_t>(&bad);
    CHECK(host_socket_send(pair[0], &out, 0) == BSC_E_BAD_HANDLE);
    for (bsc_handle h : {pair[0], pair[1], pipe[0], pipe[1], received})
        CHECK(host_object_close(h) == BSC_OK);
}

TEST_CASE("socket options reach the host's", "[host][sockets]") {
    host_ready();
    bsc_handle s = make_socket(BSC_SOCKET_INET, BSC_SOCKET_STREAM);
    int64_t value = 0;
    REQUIRE(host_socket_option_set(s, BSC_SOCKOPT_RECEIVE_BUFFER, 65536) == BSC_OK);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_RECEIVE_BUFFER, &value) == BSC_OK);
    CHECK(value == 2 * 65536);
    REQUIRE(host_socket_option_set(s, BSC_SOCKOPT_RECEIVE_TIMEOUT, 2000000000) == BSC_OK);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_RECEIVE_TIMEOUT, &value) == BSC_OK);
    CHECK(value == 2000000000);
    REQUIRE(host_socket_option_set(s, BSC_SOCKOPT_LINGER, (int64_t{1} << 32) | 7) == BSC_OK);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_LINGER, &value) == BSC_OK);
    CHECK(value == ((int64_t{1} << 32) | 7));
    REQUIRE(host_socket_option_set(s, BSC_SOCKOPT_NO_DELAY, 1) == BSC_OK);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_NO_DELAY, &value) == BSC_OK);
    CHECK(value == 1);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_ERROR, &value) == BSC_OK);
    CHECK(value == 0);
    CHECK(host_socket_option_get(s, BSC_SOCKOPT_ERROR, nullptr) == BSC_E_FAULT);
    CHECK(host_socket_option_set(s, BSC_SOCKOPT_REUSE_ADDRESS, int64_t{1} << 40) == BSC_E_INVALID);
    CHECK(host_object_close(s) == BSC_OK);
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    CHECK(host_socket_option_get(ends[0], BSC_SOCKOPT_TYPE, &value) == BSC_E_BAD_HANDLE);
    CHECK(host_socket_listen(ends[0], 1) == BSC_E_BAD_HANDLE);
    CHECK(host_object_close(ends[0]) == BSC_OK);
    CHECK(host_object_close(ends[1]) == BSC_OK);
}
