// SPDX-License-Identifier: MIT
#include "stream_io.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace bsc::snapshot {

bool send_all(int fd, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes = bytes.subspan(static_cast<size_t>(n));
    }
    return true;
}

bool receive_all(int fd, std::span<std::byte> bytes, size_t &got) {
    got = 0;
    while (got < bytes.size()) {
        ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = 0; // the end of the stream
        if (n <= 0)
            return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

} // namespace bsc::snapshot
