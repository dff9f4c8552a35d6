// SPDX-License-Identifier: MIT
// The control socket of a running guest: where it lives, and the line protocol on it.
// A runtime listens on /tmp/bascule-UID/PID.sock (directory 0700, socket 0600); a client
// (bascule-snap) sends "key=value" lines ending with an empty line; the runtime answers
// with "progress DONE TOTAL" lines and one final "ok TEXT" or "error TEXT" line.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bsc::runtime {

using ControlMessage = std::vector<std::pair<std::string, std::string>>;

// The socket of the runtime with process id `pid`, run by user `uid`.
std::string control_socket_path(pid_t pid, uid_t uid);

// A listening socket at control_socket_path(getpid(), getuid()); throws
// std::system_error.
int listen_on_control_socket();

// Connects to a runtime's socket; throws std::system_error.
int connect_to_control_socket(const std::string &path);

// The peer's user id may use this runtime: the same user, or root.
bool peer_is_trusted(int connection);

// Sends a request (an empty line ends it); false if the peer is gone.
bool send_message(int fd, const ControlMessage &message);
// Reads a request up to its empty line; nullopt on a malformed or cut message.
std::optional<ControlMessage> receive_message(int fd);

// Sends one line (a newline is added); false if the peer is gone.
bool send_line(int fd, const std::string &line);
// Reads one line without its newline; nullopt at the end of the stream.
std::optional<std::string> receive_line(int fd);

// The value of `key` in a message, if present.
std::optional<std::string> find_value(const ControlMessage &message, const std::string &key);

} // namespace bsc::runtime
