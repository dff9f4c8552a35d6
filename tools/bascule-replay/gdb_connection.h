// SPDX-License-Identifier: MIT
// gdb's end of a replay's connection (bascule-replay replay --gdb / --gdb-stdio): the
// descriptors the replay layer serves gdb's remote protocol on (replay/debugger.h).
#pragma once

#include <optional>
#include <string>

namespace bsc::replay_tool {

struct GdbConnection {
    int in = -1, out = -1;
};

// Listens on [HOST:]PORT (only this machine without a HOST: a replay's memory is the
// recording's, not for anyone on the network), says so, and waits for gdb to connect.
// Nothing, with a message, if the port cannot be listened on (in use) or accept fails.
std::optional<GdbConnection> accept_gdb(const std::string &where);

// `target remote | bascule-replay replay --gdb-stdio TRACE`: gdb is this process's stdin
// and stdout; the guest's output, which would go to stdout, goes to stderr instead.
GdbConnection gdb_on_stdio();

// A restarted replay's connection, "IN:OUT" (--gdb-fds): the descriptors it inherited.
std::optional<GdbConnection> taken_over_gdb(const std::string &fds);

} // namespace bsc::replay_tool
