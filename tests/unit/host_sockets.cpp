// SPDX-License-Identifier: MIT
// Unit tests of the host PAL's pipes and sockets: stream_open_pair, the network schemes
// of stream_open, stream_accept, and their URI parsing.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <random>

#include "handles.h"
#include "host_fixtures.h"
#include "stream_uri.h"

using namespace bsc::test;
using bsc::host::parse_uri;
using bsc::host::Scheme;
using bsc::host::StreamUri;

namespace {

// Listens on the first free port of a few tried in 40000-60000; returns the server.
bsc_handle listen_somewhere(const std::string &scheme, const std::string &address, uint16_t &port) {
    std::mt19937 random(std::random_device{}());
    for (int attempt = 0; attempt < 50; attempt++) {
        port = static_cast<uint16_t>(40000 + random() % 20000);
        bsc_handle server;
        bsc_status status = open_status(scheme + ":" + address + ":" + std::to_string(port),
                                        BSC_ACCESS_RDWR, BSC_CREATE_NEVER, 0, &server);
        if (status == BSC_OK)
            return server;
        REQUIRE(status == BSC_E_ADDR_IN_USE);
    }
    FAIL("no free port");
    return BSC_NO_HANDLE;
}

uint32_t wait_one(bsc_handle handle, uint16_t wanted, int64_t timeout_ns) {
    bsc_wait_item item{handle, wanted, 0};
    uint32_t ready = 0;
    bsc_status status = host_objects_wait_any(&item, 1, timeout_ns, &ready);
    return status == BSC_OK ? item.ready : 0;
}

void close_all(std::initializer_list<bsc_handle> handles) {
    for (bsc_handle handle : handles)
        CHECK(host_object_close(handle) == BSC_OK);
}

} // namespace

TEST_CASE("stream URIs for sockets parse strictly", "[host][sockets]") {
    StreamUri uri;
    REQUIRE(parse_uri("tcp:127.0.0.1:8080", uri) == BSC_OK);
    CHECK(uri.scheme == Scheme::tcp);
    CHECK(uri.address.ss_family == AF_INET);
    CHECK(ntohs(reinterpret_cast<sockaddr_in &>(uri.address).sin_port) == 8080);
    REQUIRE(parse_uri("udp.srv:[::1]:53", uri) == BSC_OK);
    CHECK(uri.scheme == Scheme::udp_server);
    CHECK(uri.address.ss_family == AF_INET6);
    CHECK(uri.text == "udp.srv:[::1]:53");
    REQUIRE(parse_uri("unix.srv:/run/x.sock", uri) == BSC_OK);
    CHECK(uri.scheme == Scheme::unix_server);
    CHECK(uri.path == "/run/x.sock");
    REQUIRE(parse_uri("unix:", uri) == BSC_OK);
    CHECK(uri.address_length == 0);
    REQUIRE(parse_uri("pipe:", uri) == BSC_OK);
    CHECK(uri.scheme == Scheme::pipe);
    for (const char *bad :
         {"tcp:localhost:80", "tcp:1.2.3.4", "tcp:1.2.3.4:", "tcp:1.2.3.4:65536", "tcp:1.2.3.4:8x",
          "tcp:1.2.3:80", "tcp:::1:80", "tcp:[::1:80", "tcp.srv::80", "udp:[zz]:1", "pipe:x",
          "unix.srv:", "socket:x", "tcp:1.2.3.4:-1"}) {
        INFO(bad);
        CHECK(parse_uri(bad, uri) == BSC_E_INVALID);
    }
    CHECK(parse_uri("unix:/" + std::string(200, 'x'), uri) == BSC_E_NAME_TOO_LONG);
}

TEST_CASE("stream_open_pair: a pipe", "[host][sockets]") {
    host_ready();
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    CHECK(bsc::host::handles().find(ends[0])->type == BSC_TYPE_PIPE);
    write_ok(ends[1], "through");
    CHECK(read_ok(ends[0], 100) == "through");
    uint64_t done;
    CHECK(host_stream_write(ends[0], BSC_AT_POSITION, "x", 1, &done) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_read(ends[1], BSC_AT_POSITION, &done, 1, &done) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_read(ends[0], 0, &done, 1, &done) == BSC_E_INVALID); // not seekable
    uint64_t position;
    CHECK(host_stream_seek(ends[0], 0, BSC_SEEK_SET, &position) == BSC_E_INVALID);
    CHECK(host_object_close(ends[1]) == BSC_OK);
    CHECK((wait_one(ends[0], BSC_WAIT_READ, 0) & BSC_WAIT_HANGUP) != 0);
    CHECK(read_ok(ends[0], 100).empty()); // end of stream
    CHECK(host_object_close(ends[0]) == BSC_OK);
}

TEST_CASE("writing to a pipe without a reader is BROKEN_PIPE", "[host][sockets]") {
    host_ready();
    // The runtime ignores SIGPIPE (see the report to initialise_signals); do the same here.
    ::signal(SIGPIPE, SIG_IGN);
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    CHECK(host_object_close(ends[0]) == BSC_OK);
    uint64_t done;
    CHECK(host_stream_write(ends[1], BSC_AT_POSITION, "x", 1, &done) == BSC_E_BROKEN_PIPE);
    CHECK(host_object_close(ends[1]) == BSC_OK);
}

TEST_CASE("a socket whose peer is gone is BROKEN_PIPE without a SIGPIPE", "[host][sockets]") {
    host_ready();
    ::signal(SIGPIPE, SIG_DFL); // sockets must not need SIGPIPE ignored
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("unix:", 0, ends) == BSC_OK);
    CHECK(host_object_close(ends[0]) == BSC_OK);
    uint64_t done;
    CHECK(host_stream_write(ends[1], BSC_AT_POSITION, "x", 1, &done) == BSC_E_BROKEN_PIPE);
    CHECK(host_object_close(ends[1]) == BSC_OK);
}

TEST_CASE("stream_open_pair: a unix socket pair, NONBLOCK", "[host][sockets]") {
    host_ready();
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("unix:", BSC_OPTION_NONBLOCK, ends) == BSC_OK);
    CHECK(bsc::host::handles().find(ends[1])->type == BSC_TYPE_SOCKET);
    write_ok(ends[0], "ping");
    CHECK(read_ok(ends[1], 10) == "ping");
    write_ok(ends[1], "pong");
    CHECK(read_ok(ends[0], 10) == "pong");
    uint64_t done;
    char byte;
    CHECK(host_stream_read(ends[0], BSC_AT_POSITION, &byte, 1, &done) == BSC_E_AGAIN);
    close_all({ends[0], ends[1]});
}

TEST_CASE("stream_open_pair errors", "[host][sockets]") {
    host_ready();
    bsc_handle ends[2];
    CHECK(host_stream_open_pair("tcp:127.0.0.1:1", 0, ends) == BSC_E_INVALID);
    CHECK(host_stream_open_pair("unix:/tmp/x", 0, ends) == BSC_E_INVALID);
    CHECK(host_stream_open_pair("file:/tmp/x", 0, ends) == BSC_E_INVALID);
    CHECK(host_stream_open_pair("pipe:", BSC_OPTION_TRUNCATE, ends) == BSC_E_INVALID);
    CHECK(host_stream_open_pair(static_cast<const char *>(kBadPointer), 0, ends) == BSC_E_FAULT);
    CHECK(host_stream_open_pair("pipe:", 0, static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    NoAccessPage page;
    // The second slot is unusable: no handle may stay behind.
    auto *last = reinterpret_cast<bsc_handle *>(page.as<char>() - sizeof(bsc_handle));
    void *before = ::mmap(page.as<char>() - 4096, 4096, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (before != MAP_FAILED) {
        CHECK(host_stream_open_pair("pipe:", 0, last) == BSC_E_FAULT);
        ::munmap(before, 4096);
    }
    CHECK(open_status("pipe:", BSC_ACCESS_READ) == BSC_E_INVALID);
    CHECK(open_status("unix:", BSC_ACCESS_RDWR) == BSC_E_INVALID);
}

TEST_CASE("tcp: listen, connect, accept and talk on 127.0.0.1", "[host][sockets]") {
    host_ready();
    uint16_t port;
    bsc_handle server = listen_somewhere("tcp.srv", "127.0.0.1", port);
    CHECK(bsc::host::handles().find(server)->uri == "tcp.srv:127.0.0.1:" + std::to_string(port));
    std::string address = "127.0.0.1:" + std::to_string(port);
    CHECK(open_status("tcp.srv:" + address, BSC_ACCESS_RDWR) == BSC_E_ADDR_IN_USE);

    CHECK(wait_one(server, BSC_WAIT_READ, 0) == 0); // nobody is connecting yet
    bsc_handle client = open_ok("tcp:" + address, BSC_ACCESS_RDWR);
    CHECK(wait_one(server, BSC_WAIT_READ, 1000000000) == BSC_WAIT_READ);
    bsc_handle accepted;
    REQUIRE(host_stream_accept(server, 0, &accepted) == BSC_OK);
    CHECK(bsc::host::handles().find(accepted)->uri.starts_with("tcp:127.0.0.1:"));
    write_ok(client, "request");
    CHECK(read_ok(accepted, 100) == "request");
    write_ok(accepted, "response");
    CHECK(read_ok(client, 100) == "response");
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query_by_handle(accepted, &attributes) == BSC_OK);
    CHECK(attributes.type == BSC_TYPE_SOCKET);

    bsc_handle none; // nothing more is waiting to be accepted
    bsc_stream_attributes nonblock{};
    nonblock.options = BSC_OPTION_NONBLOCK;
    REQUIRE(host_stream_attributes_set_by_handle(server, BSC_SET_OPTIONS, &nonblock) == BSC_OK);
    CHECK(host_stream_accept(server, 0, &none) == BSC_E_AGAIN);
    CHECK(host_stream_accept(client, 0, &none) == BSC_E_INVALID); // not listening
    CHECK(host_stream_accept(987654, 0, &none) == BSC_E_BAD_HANDLE);
    CHECK(host_stream_accept(server, BSC_OPTION_SYNC, &none) == BSC_E_INVALID);
    CHECK(host_stream_accept(server, 0, static_cast<bsc_handle *>(kBadPointer)) == BSC_E_FAULT);
    bsc_handle event;
    REQUIRE(host_event_create(0, &event) == BSC_OK);
    CHECK(host_stream_accept(event, 0, &none) == BSC_E_BAD_HANDLE);
    close_all({client, accepted, server, event});

    CHECK(open_status("tcp:" + address, BSC_ACCESS_RDWR) == BSC_E_CONN_REFUSED);
}

TEST_CASE("stream_accept blocks until interrupted", "[host][sockets]") {
    host_ready();
    uint16_t port;
    bsc_handle server = listen_somewhere("tcp.srv", "127.0.0.1", port);
    CHECK(interrupt_while_blocked([&] {
              bsc_handle client;
              return host_stream_accept(server, 0, &client);
          }) == BSC_E_INTERRUPTED);
    CHECK(host_object_close(server) == BSC_OK);
}

TEST_CASE("tcp over IPv6 loopback", "[host][sockets]") {
    host_ready();
    uint16_t port;
    bsc_handle server = listen_somewhere("tcp.srv", "[::1]", port);
    bsc_handle client = open_ok("tcp:[::1]:" + std::to_string(port), BSC_ACCESS_RDWR);
    bsc_handle accepted;
    REQUIRE(host_stream_accept(server, 0, &accepted) == BSC_OK);
    CHECK(bsc::host::handles().find(accepted)->uri.starts_with("tcp:[::1]:"));
    write_ok(client, "six");
    CHECK(read_ok(accepted, 10) == "six");
    close_all({client, accepted, server});
}

TEST_CASE("udp: a bound server and a connected client", "[host][sockets]") {
    host_ready();
    uint16_t port;
    bsc_handle server = listen_somewhere("udp.srv", "127.0.0.1", port);
    bsc_handle client = open_ok("udp:127.0.0.1:" + std::to_string(port), BSC_ACCESS_RDWR);
    write_ok(client, "datagram one");
    write_ok(client, "two");
    CHECK(read_ok(server, 100) == "datagram one");
    CHECK(read_ok(server, 100) == "two");
    close_all({client, server});
}

TEST_CASE("unix: a server on a path, a client, accept", "[host][sockets]") {
    host_ready();
    TempDir dir;
    bsc_handle server = open_ok(dir.uri("unix.srv", "sock"), BSC_ACCESS_RDWR);
    bsc_stream_attributes attributes;
    REQUIRE(host_stream_attributes_query(dir.uri("file", "sock").c_str(), 0, &attributes) ==
            BSC_OK);
    CHECK(attributes.type == BSC_TYPE_SOCKET);
    CHECK(open_status(dir.uri("unix.srv", "sock"), BSC_ACCESS_RDWR) == BSC_E_ADDR_IN_USE);
    bsc_handle client = open_ok(dir.uri("unix", "sock"), BSC_ACCESS_RDWR, 0, BSC_OPTION_NONBLOCK);
    bsc_handle accepted;
    REQUIRE(host_stream_accept(server, BSC_OPTION_NONBLOCK, &accepted) == BSC_OK);
    CHECK(bsc::host::handles().find(accepted)->uri == "unix:");
    write_ok(accepted, "hello");
    CHECK(wait_one(client, BSC_WAIT_READ, 1000000000) == BSC_WAIT_READ);
    CHECK(read_ok(client, 10) == "hello");
    close_all({client, accepted, server});
    CHECK(open_status(dir.uri("unix", "none"), BSC_ACCESS_RDWR) == BSC_E_NOT_FOUND);
}

TEST_CASE("a blocking pipe read returns INTERRUPTED on a signal", "[host][sockets]") {
    host_ready();
    bsc_handle ends[2];
    REQUIRE(host_stream_open_pair("pipe:", 0, ends) == BSC_OK);
    CHECK(interrupt_while_blocked([&] {
              char byte;
              uint64_t done;
              return host_stream_read(ends[0], BSC_AT_POSITION, &byte, 1, &done);
          }) == BSC_E_INTERRUPTED);
    close_all({ends[0], ends[1]});
}
