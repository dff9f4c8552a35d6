// SPDX-License-Identifier: MIT
#include "gdb_connection.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include <fmt/core.h>

#include "tcp.h"

namespace bsc::replay_tool {

std::optional<GdbConnection> accept_gdb(const std::string &where) {
    std::string address = where.find(':') == std::string::npos ? "localhost:" + where : where;
    try {
        auto listener = tools::listen_tcp(address);
        fmt::print(stderr, "bascule-replay: waiting for gdb on port {} (gdb PROGRAM -ex "
                           "'target remote :{}')\n", listener.port, listener.port);
        int fd = tools::accept_one(listener, address);
        return GdbConnection{fd, fd};
    } catch (const std::runtime_error &e) {
        fmt::print(stderr, "bascule-replay: --gdb {}: {}\n", where, e.what());
        return std::nullopt;
    }
}

GdbConnection gdb_on_stdio() {
    GdbConnection connection{::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3),
                             ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)};
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null, STDIN_FILENO);
    ::close(null);
    return connection;
}

std::optional<GdbConnection> taken_over_gdb(const std::string &fds) {
    GdbConnection connection;
    if (std::sscanf(fds.c_str(), "%d:%d", &connection.in, &connection.out) != 2 ||
        ::fcntl(connection.in, F_SETFD, FD_CLOEXEC) != 0 ||
        ::fcntl(connection.out, F_SETFD, FD_CLOEXEC) != 0) {
        fmt::print(stderr, "bascule-replay: --gdb-fds {}: not the descriptors of a connection\n",
                   fds);
        return std::nullopt;
    }
    return connection;
}

} // namespace bsc::replay_tool
