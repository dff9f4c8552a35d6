// SPDX-License-Identifier: MIT
// socket_option_get and socket_option_set: the ABI's socket options on the host's.
#include <netinet/in.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest_memory.h"
#include "host_calls.h"
#include "streams.h"

namespace bsc::host {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// Where an ABI option lives on the host, and how its value is kept there.
enum class Form { flag, integer, timeout, linger, error, domain, type, peer, unsent };

struct HostOption {
    int level, name;
    Form form;
    bool settable;
};

bool host_option(uint32_t option, HostOption &out) {
    switch (option) {
    case BSC_SOCKOPT_REUSE_ADDRESS: out = {SOL_SOCKET, SO_REUSEADDR, Form::flag, true}; break;
    case BSC_SOCKOPT_REUSE_PORT: out = {SOL_SOCKET, SO_REUSEPORT, Form::flag, true}; break;
    case BSC_SOCKOPT_KEEP_ALIVE: out = {SOL_SOCKET, SO_KEEPALIVE, Form::flag, true}; break;
    case BSC_SOCKOPT_RECEIVE_BUFFER: out = {SOL_SOCKET, SO_RCVBUF, Form::integer, true}; break;
    case BSC_SOCKOPT_SEND_BUFFER: out = {SOL_SOCKET, SO_SNDBUF, Form::integer, true}; break;
    case BSC_SOCKOPT_ERROR: out = {SOL_SOCKET, SO_ERROR, Form::error, false}; break;
    case BSC_SOCKOPT_LISTENING: out = {SOL_SOCKET, SO_ACCEPTCONN, Form::flag, false}; break;
    case BSC_SOCKOPT_NO_DELAY: out = {IPPROTO_TCP, TCP_NODELAY, Form::flag, true}; break;
    case BSC_SOCKOPT_V6_ONLY: out = {IPPROTO_IPV6, IPV6_V6ONLY, Form::flag, true}; break;
    case BSC_SOCKOPT_RECEIVE_TIMEOUT: out = {SOL_SOCKET, SO_RCVTIMEO, Form::timeout, true}; break;
    case BSC_SOCKOPT_SEND_TIMEOUT: out = {SOL_SOCKET, SO_SNDTIMEO, Form::timeout, true}; break;
    case BSC_SOCKOPT_LINGER: out = {SOL_SOCKET, SO_LINGER, Form::linger, true}; break;
    case BSC_SOCKOPT_DOMAIN: out = {SOL_SOCKET, SO_DOMAIN, Form::domain, false}; break;
    case BSC_SOCKOPT_TYPE: out = {SOL_SOCKET, SO_TYPE, Form::type, false}; break;
    case BSC_SOCKOPT_PEER_USER:
    case BSC_SOCKOPT_PEER_GROUP:
    case BSC_SOCKOPT_PEER_IS_SELF:
    case BSC_SOCKOPT_PEER_PROCESS: out = {SOL_SOCKET, SO_PEERCRED, Form::peer, false}; break;
    case BSC_SOCKOPT_UNSENT: out = {SOL_SOCKET, SO_PROTOCOL, Form::unsent, false}; break;
    default: return false;
    }
    return true;
}

uint32_t abi_type(int type) {
    switch (type) {
    case SOCK_STREAM: return BSC_SOCKET_STREAM;
    case SOCK_DGRAM: return BSC_SOCKET_DATAGRAM;
    case SOCK_SEQPACKET: return BSC_SOCKET_SEQPACKET;
    default: return 0;
    }
}

// The bytes a TCP socket holds that its peer has not got (SIOCOUTQNSD: not sent yet; sent
// ones are in the peer's receive queue on loopback, or in flight). Other sockets hand
// their writes to the peer at once.
bsc_status read_unsent(int fd, int protocol, int64_t &value) {
    int unsent = 0;
    if (protocol == IPPROTO_TCP && ::ioctl(fd, SIOCOUTQNSD, &unsent) != 0)
        return errno_status();
    value = unsent;
    return BSC_OK;
}

// The value of an option read as the host keeps it.
bsc_status read_option(int fd, uint32_t option, const HostOption &host, int64_t &value) {
    union {
        int integer;
        timeval time;
        linger wait;
        ucred peer;
    } raw{};
    socklen_t length = sizeof raw;
    if (::getsockopt(fd, host.level, host.name, &raw, &length) != 0)
        return errno_status();
    switch (host.form) {
    case Form::flag: value = raw.integer != 0; break;
    case Form::integer: value = raw.integer; break;
    case Form::error: value = raw.integer ? status_from_errno(raw.integer) : 0; break;
    case Form::domain: value = abi_domain(raw.integer); break;
    case Form::type: value = abi_type(raw.integer); break;
    case Form::timeout: value = raw.time.tv_sec * kNanosPerSecond + raw.time.tv_usec * 1000; break;
    case Form::linger:
        value = (int64_t{raw.wait.l_onoff != 0} << 32) | static_cast<uint32_t>(raw.wait.l_linger);
        break;
    case Form::unsent: return read_unsent(fd, raw.integer, value);
    case Form::peer:
        value = option == BSC_SOCKOPT_PEER_USER      ? int64_t{raw.peer.uid}
                : option == BSC_SOCKOPT_PEER_GROUP   ? int64_t{raw.peer.gid}
                : option == BSC_SOCKOPT_PEER_PROCESS ? int64_t{raw.peer.pid}
                                                     : int64_t{raw.peer.pid == ::getpid()};
        break;
    }
    return BSC_OK;
}

bsc_status write_option(int fd, const HostOption &host, int64_t value) {
    if (host.form == Form::timeout) {
        if (value < 0)
            return BSC_E_INVALID;
        timeval time{value / kNanosPerSecond, (value % kNanosPerSecond) / 1000};
        return check(::setsockopt(fd, host.level, host.name, &time, sizeof time));
    }
    if (host.form == Form::linger) {
        linger wait{static_cast<int>((value >> 32) & 1), static_cast<int>(value & 0x7fffffff)};
        return check(::setsockopt(fd, host.level, host.name, &wait, sizeof wait));
    }
    if (value < INT32_MIN || value > INT32_MAX)
        return BSC_E_INVALID;
    int integer = static_cast<int>(value);
    return check(::setsockopt(fd, host.level, host.name, &integer, sizeof integer));
}

} // namespace
} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_socket_option_get(bsc_handle handle, uint32_t option,
                                             int64_t *value) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    HostOption host;
    if (!host_option(option, host))
        return BSC_E_INVALID;
    int64_t result = 0;
    if (bsc_status s = read_option(socket->fd, option, host, result))
        return s;
    return write_guest(value, result);
}

extern "C" bsc_status host_socket_option_set(bsc_handle handle, uint32_t option, int64_t value) {
    auto socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    HostOption host;
    if (!host_option(option, host) || !host.settable)
        return BSC_E_INVALID;
    return write_option(socket->fd, host, value);
}
