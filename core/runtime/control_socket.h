// SPDX-License-Identifier: MIT
// The control socket of a running guest: where it lives, and who may use it. A runtime
// listens on /tmp/bascule-UID/PID.sock (directory 0700, socket 0600); a client sends it
// one request and reads replies (control_messages.h) until the final one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace bsc::runtime {

// The socket of the runtime with process id `pid`, run by user `uid`.
std::string control_socket_path(pid_t pid, uid_t uid);

// A listening socket at control_socket_path(getpid(), getuid()); throws
// std::system_error.
int listen_on_control_socket();

// Where this process's listening socket is, to remove it at the end: the path it was given
// then, since the guest's thread that ends the process may have other ids by now.
std::string listening_control_socket_path();

// Connects to a runtime's socket; throws std::system_error.
int connect_to_control_socket(const std::string &path);

// The peer's user id may use this runtime: the same user, or root.
bool peer_is_trusted(int connection);

} // namespace bsc::runtime
