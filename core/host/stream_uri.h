// SPDX-License-Identifier: MIT
// Stream URIs: parsing the names the guest gives (file:, dir:, dev:, pipe:, unix:, tcp:,
// udp:, notify:) into host paths and socket addresses, and the canonical text kept per handle.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "bascule.h"

namespace bsc::host {

// The ABI's limit for every guest string, a URI's included (abi/README.md).
inline constexpr size_t kMaxUri = 4096;

enum class Scheme {
    file,        // file:PATH
    dir,         // dir:PATH
    device,      // dev:tty, dev:null
    pipe,        // pipe: (stream_open_pair only)
    unix_stream, // unix: (stream_open_pair) or unix:PATH (connect)
    unix_server, // unix.srv:PATH (listen)
    tcp,         // tcp:HOST:PORT (connect)
    tcp_server,  // tcp.srv:ADDR:PORT (listen)
    udp,         // udp:HOST:PORT (connected datagrams)
    udp_server,  // udp.srv:ADDR:PORT (bound datagrams)
    notify,      // notify: (file-system notifications, since ABI 1.19)
    fanotify,    // fanotify:FLAGS,EVENT_FLAGS (access events, since ABI 1.23): `path` holds
                 // the two numbers
};

struct StreamUri {
    Scheme scheme = Scheme::file;
    std::string path;           // file:, dir:, unix*: absolute host path; dev: the device node
    sockaddr_storage address{}; // unix* with a path, tcp*, udp*
    socklen_t address_length = 0;
    std::string text; // canonical form: relative paths made absolute
};

// Parses a URI. Addresses are numeric (dotted IPv4 or [IPv6]); relative paths resolve
// against the runtime's working directory. Unknown scheme or malformed: BSC_E_INVALID.
bsc_status parse_uri(std::string_view text, StreamUri &out);

// Reads a guest URI string (FAULT, NAME_TOO_LONG) and parses it.
bsc_status read_uri(const char *guest, StreamUri &out);

// Reads a guest URI that must name a file system object: file: or dir:, and dev: too if
// allow_device. Anything else is BSC_E_INVALID.
bsc_status read_path_uri(const char *guest, StreamUri &out, bool allow_device = false);

// The URI of a socket address, e.g. of an accepted connection's peer.
std::string socket_uri(Scheme scheme, const sockaddr_storage &address, socklen_t length);

} // namespace bsc::host
