// SPDX-License-Identifier: MIT
// TCP ends for the tools: `tcp://HOST:PORT` to send to (a migration's image), and
// `tcp://[HOST]:PORT` (or HOST:PORT, or a bare port) to listen on (a migration's receiver,
// gdb's connection to a replay). Failures throw std::runtime_error with the reason.
#pragma once

#include <string>

namespace bsc::tools {

// A descriptor connected to `uri` ("tcp://HOST:PORT", HOST a name, an IPv4 address or an
// IPv6 one in brackets).
int connect_tcp(const std::string &uri);

// A socket listening on `where` ("tcp://:PORT", "tcp://HOST:PORT", "HOST:PORT" or "PORT";
// without a host, every address): a port in use is an error here, before anyone waits.
struct Listener {
    int fd;
    std::string port;
};
Listener listen_tcp(const std::string &where);

// The first connection to `listener`, which it closes.
int accept_one(const Listener &listener, const std::string &where);

} // namespace bsc::tools
