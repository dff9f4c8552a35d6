// SPDX-License-Identifier: MIT
// The TCP ends of a migration: `tcp://HOST:PORT` to send to, `tcp://[HOST]:PORT` (or a
// bare port) to listen on. Failures throw std::runtime_error with the reason.
#pragma once

#include <string>

namespace bsc::snap {

// A descriptor connected to `uri` ("tcp://HOST:PORT", HOST a name, an IPv4 address or an
// IPv6 one in brackets).
int connect_tcp(const std::string &uri);

// Listens on `where` ("tcp://:PORT", "tcp://HOST:PORT" or "PORT"; without a host, every
// address), says so on stderr, and returns the first connection accepted.
int accept_tcp(const std::string &where);

} // namespace bsc::snap
