// SPDX-License-Identifier: MIT
// Pipes and sockets: stream_open for the network schemes, stream_open_pair and
// stream_accept, and the socket calls of ABI 1.3 that make, name, connect and shut down
// a socket step by step (socket_messages.cpp and socket_options.cpp have the rest).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
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

int host_type(uint32_t type) {
    switch (type) {
    case BSC_SOCKET_STREAM:
        return SOCK_STREAM;
    case BSC_SOCKET_DATAGRAM:
        return SOCK_DGRAM;
    case BSC_SOCKET_SEQPACKET:
        return SOCK_SEQPACKET;
    default:
        return -1;
    }
}

// The URI a socket's handle reports: its scheme, as a name for messages (object_query);
// a socket made step by step cannot be opened again from it.
std::string socket_scheme(int fd) {
    int family = 0, type = 0;
    socklen_t length = sizeof family;
    ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &length);
    length = sizeof type;
    ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length);
    if (family == AF_UNIX)
        return "unix:";
    return type == SOCK_STREAM ? "tcp:" : "udp:";
}

// The host's `call` on a socket handle's descriptor with a guest address.
template <class Call> bsc_status with_address(bsc_handle handle, const bsc_socket_address *guest,
                                              Call call) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    bsc_socket_address address;
    if (read_guest(guest, address) != BSC_OK)
        return BSC_E_FAULT;
    sockaddr_storage host{};
    socklen_t length = 0;
    if (bsc_status s = host_address(address, host, length))
        return s;
    return check(call(socket->fd, reinterpret_cast<const sockaddr *>(&host), length));
}

} // namespace

std::shared_ptr<Object> find_socket(bsc_handle handle) {
    auto stream = find_stream(handle);
    return stream && stream->type == BSC_TYPE_SOCKET ? stream : nullptr;
}

std::shared_ptr<Object> make_socket_stream(UniqueFd fd, uint32_t options) {
    std::string uri = socket_scheme(fd.get());
    return make_stream(std::move(fd), std::move(uri), BSC_ACCESS_RDWR, options);
}

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
    UniqueFd fd(static_cast<int>(blocking_fd_syscall(POLLIN, SYS_accept4, listener->fd,
                                                     reinterpret_cast<long>(&peer),
                                                     reinterpret_cast<long>(&length), flags)));
    if (!fd)
        return errno_status();
    Scheme scheme = peer.ss_family == AF_UNIX ? Scheme::unix_stream : Scheme::tcp;
    return publish(
        make_stream(std::move(fd), socket_uri(scheme, peer, length), BSC_ACCESS_RDWR, options),
        client);
}

// ---- Sockets made step by step (since 1.3) ----------------------------------------------

extern "C" bsc_status host_socket_create(uint32_t domain, uint32_t type, uint32_t options,
                                         bsc_handle *handle) {
    int family = host_domain(domain), host = host_type(type);
    if (family < 0 || host < 0 || (options & ~uint32_t{BSC_OPTION_NONBLOCK}))
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(handle))
        return s;
    int flags = SOCK_CLOEXEC | (options & BSC_OPTION_NONBLOCK ? SOCK_NONBLOCK : 0);
    UniqueFd fd(::socket(family, host | flags, 0));
    if (!fd)
        return errno_status();
    return publish(make_socket_stream(std::move(fd), options), handle);
}

extern "C" bsc_status host_socket_create_pair(uint32_t domain, uint32_t type, uint32_t options,
                                              bsc_handle *ends) {
    int family = host_domain(domain), host = host_type(type);
    if (family < 0 || host < 0 || (options & ~uint32_t{BSC_OPTION_NONBLOCK}))
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(ends, 2))
        return s;
    int flags = SOCK_CLOEXEC | (options & BSC_OPTION_NONBLOCK ? SOCK_NONBLOCK : 0);
    int fds[2];
    if (::socketpair(family, host | flags, 0, fds) != 0)
        return errno_status();
    std::shared_ptr<Object> pair[2];
    for (int i = 0; i < 2; i++)
        pair[i] = make_socket_stream(UniqueFd(fds[i]), options);
    return publish(pair, ends);
}

extern "C" bsc_status host_socket_bind(bsc_handle handle, const bsc_socket_address *address) {
    return with_address(handle, address, ::bind);
}

extern "C" bsc_status host_socket_connect(bsc_handle handle, const bsc_socket_address *address) {
    // An interrupt ends the wait for the connection (which goes on, as on Linux).
    return with_address(handle, address, [](int fd, const sockaddr *to, socklen_t length) {
        return blocking_syscall(SYS_connect, fd, reinterpret_cast<long>(to), length);
    });
}

extern "C" bsc_status host_socket_listen(bsc_handle handle, uint32_t backlog) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    return check(::listen(socket->fd, backlog > INT_MAX ? INT_MAX : static_cast<int>(backlog)));
}

extern "C" bsc_status host_socket_address_query(bsc_handle handle, uint32_t which,
                                                bsc_socket_address *address) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    if (which != BSC_ADDRESS_LOCAL && which != BSC_ADDRESS_PEER)
        return BSC_E_INVALID;
    sockaddr_storage host{};
    socklen_t length = sizeof host;
    auto *name = reinterpret_cast<sockaddr *>(&host);
    if ((which == BSC_ADDRESS_LOCAL ? ::getsockname(socket->fd, name, &length)
                                    : ::getpeername(socket->fd, name, &length)) != 0)
        return errno_status();
    return write_guest(address, abi_address(host, length));
}

extern "C" bsc_status host_socket_shutdown(bsc_handle handle, uint32_t how) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    constexpr int kHow[] = {-1, SHUT_RD, SHUT_WR, SHUT_RDWR};
    if (how == 0 || how > 3)
        return BSC_E_INVALID;
    return check(::shutdown(socket->fd, kHow[how]));
}
