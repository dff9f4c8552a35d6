// SPDX-License-Identifier: MIT
// Adopting the runtime's standard descriptors as handles, named by what they are.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "bascule_host.h"
#include "streams.h"

namespace bsc::host {
namespace {

// Adopted descriptors live above the numbers a program usually uses for itself.
constexpr int kAdoptFloor = 10;

std::string path_of(int fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    char path[PATH_MAX];
    ssize_t n = ::readlink(link.c_str(), path, sizeof path);
    return n > 0 ? std::string(path, static_cast<size_t>(n)) : std::string();
}

std::string socket_name(int fd) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &length) == 0 &&
        (peer.ss_family == AF_INET || peer.ss_family == AF_INET6))
        return socket_uri(Scheme::tcp, peer, length);
    return "unix:";
}

std::string uri_of(int fd) {
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return "dev:null";
    if (::isatty(fd))
        return "dev:tty";
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) // /dev/null's numbers
        return "dev:null";
    if (S_ISFIFO(st.st_mode))
        return "pipe:";
    if (S_ISSOCK(st.st_mode))
        return socket_name(fd);
    return (S_ISDIR(st.st_mode) ? "dir:" : "file:") + path_of(fd);
}

uint32_t access_of(int flags) {
    uint32_t access = (flags & O_ACCMODE) == O_RDONLY   ? BSC_ACCESS_READ
                      : (flags & O_ACCMODE) == O_WRONLY ? BSC_ACCESS_WRITE
                                                        : BSC_ACCESS_RDWR;
    return access | (flags & O_APPEND ? BSC_ACCESS_APPEND : 0);
}

} // namespace

bsc_handle adopt_stdio(int fd) {
    UniqueFd own(::fcntl(fd, F_DUPFD_CLOEXEC, kAdoptFloor));
    if (!own)
        return BSC_NO_HANDLE;
    int flags = ::fcntl(own.get(), F_GETFL);
    if (flags < 0)
        return BSC_NO_HANDLE;
    std::string uri = uri_of(own.get());
    uint32_t options = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    return handles().insert(make_stream(std::move(own), std::move(uri), access_of(flags), options));
}

} // namespace bsc::host
