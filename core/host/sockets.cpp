// SPDX-License-Identifier: MIT
// Pipes and sockets: stream_open for the network schemes, stream_open_pair and
// stream_accept.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest_memory.h"
#include "host_calls.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

constexpr int kBacklog = 128;

const sockaddr *address_of(const StreamUri &uri) {
    return reinterpret_cast<const sockaddr *>(&uri.address);
}

bsc_status new_socket(const StreamUri &uri, int type, UniqueFd &fd) {
    fd.reset(::socket(uri.address.ss_family, type | SOCK_CLOEXEC, 0));
    return fd ? BSC_OK : errno_status();
}

// Sockets are connected (blocking, so stream_open reports the outcome) before NONBLOCK
// takes effect.
bsc_status connect_socket(const StreamUri &uri, int type, UniqueFd &fd) {
    if (bsc_status s = new_socket(uri, type, fd))
        return s;
    return check(::connect(fd.get(), address_of(uri), uri.address_length));
}

// A server is known by the address it really got (an ephemeral port included), so the
// handle's URI names it exactly.
bsc_status bind_socket(const StreamUri &uri, int type, bool listen, UniqueFd &fd,
                       std::string &bound_uri) {
    if (bsc_status s = new_socket(uri, type, fd))
        return s;
    int on = 1;
    if (uri.scheme != Scheme::unix_server)
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (::bind(fd.get(), address_of(uri), uri.address_length) != 0 ||
        (listen && ::listen(fd.get(), kBacklog) != 0))
        return errno_status();
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    bound_uri = uri.scheme == Scheme::unix_server ||
                        ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &length) != 0
                    ? uri.text
                    : socket_uri(uri.scheme, bound, length);
    return BSC_OK;
}

bsc_status set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    return check(flags < 0 ? flags : ::fcntl(fd, F_SETFL, flags | O_NONBLOCK));
}

} // namespace

bsc_status open_socket(const StreamUri &uri, uint32_t access, uint32_t options,
                       std::shared_ptr<Object> &out) {
    UniqueFd fd;
    std::string name = uri.text;
    bsc_status status;
    switch (uri.scheme) {
    case Scheme::unix_stream:
        // "unix:" without a path names a socket pair: only stream_open_pair makes those.
        status = uri.address_length == 0 ? BSC_E_INVALID : connect_socket(uri, SOCK_STREAM, fd);
        break;
    case Scheme::tcp:
        status = connect_socket(uri, SOCK_STREAM, fd);
        break;
    case Scheme::udp:
        status = connect_socket(uri, SOCK_DGRAM, fd);
        break;
    case Scheme::unix_server:
    case Scheme::tcp_server:
        status = bind_socket(uri, SOCK_STREAM, true, fd, name);
        break;
    case Scheme::udp_server:
        status = bind_socket(uri, SOCK_DGRAM, false, fd, name);
        break;
    default: // pipe: comes only in pairs
        return BSC_E_INVALID;
    }
    if (status == BSC_OK && (options & BSC_OPTION_NONBLOCK))
        status = set_nonblocking(fd.get());
    if (status != BSC_OK)
        return status;
    out = make_stream(std::move(fd), std::move(name), access, options);
    return BSC_OK;
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_stream_open_pair(const char *uri, uint32_t options, bsc_handle *ends) {
    StreamUri parsed;
    if (bsc_status s = read_uri(uri, parsed))
        return s;
    if (options & ~uint32_t{BSC_OPTION_NONBLOCK | BSC_OPTION_PACKET})
        return BSC_E_INVALID;
    if ((options & BSC_OPTION_PACKET) && parsed.scheme != Scheme::pipe)
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(ends, 2))
        return s;
    bool nonblock = options & BSC_OPTION_NONBLOCK;
    int fds[2];
    uint32_t access[2];
    if (parsed.scheme == Scheme::pipe) {
        int packet = options & BSC_OPTION_PACKET ? O_DIRECT : 0;
        if (::pipe2(fds, O_CLOEXEC | packet | (nonblock ? O_NONBLOCK : 0)) != 0)
            return errno_status();
        access[0] = BSC_ACCESS_READ;
        access[1] = BSC_ACCESS_WRITE;
    } else if (parsed.scheme == Scheme::unix_stream && parsed.address_length == 0) {
        int type = SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
        if (::socketpair(AF_UNIX, type, 0, fds) != 0)
            return errno_status();
        access[0] = access[1] = BSC_ACCESS_RDWR;
    } else {
        return BSC_E_INVALID;
    }
    std::shared_ptr<Object> pair[2];
    for (int i = 0; i < 2; i++)
        pair[i] = make_stream(UniqueFd(fds[i]), parsed.text, access[i], options);
    return publish(pair, ends);
}

extern "C" bsc_status host_stream_accept(bsc_handle server, uint32_t options, bsc_handle *client) {
    if (options & ~uint32_t{BSC_OPTION_NONBLOCK})
        return BSC_E_INVALID;
    auto listener = find_stream(server);
    if (!listener || listener->type != BSC_TYPE_SOCKET)
        return BSC_E_BAD_HANDLE;
    if (bsc_status s = probe_out(client))
        return s;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int flags = SOCK_CLOEXEC | (options & BSC_OPTION_NONBLOCK ? SOCK_NONBLOCK : 0);
    UniqueFd fd(::accept4(listener->fd, reinterpret_cast<sockaddr *>(&peer), &length, flags));
    if (!fd)
        return errno_status();
    Scheme scheme = peer.ss_family == AF_UNIX ? Scheme::unix_stream : Scheme::tcp;
    return publish(
        make_stream(std::move(fd), socket_uri(scheme, peer, length), BSC_ACCESS_RDWR, options),
        client);
}
