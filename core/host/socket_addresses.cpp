// SPDX-License-Identifier: MIT
// Socket addresses between the ABI's bsc_socket_address and the host's sockaddr.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "streams.h"

namespace bsc::host {

int host_domain(uint32_t domain) {
    switch (domain) {
    case BSC_SOCKET_UNIX:
        return AF_UNIX;
    case BSC_SOCKET_INET:
        return AF_INET;
    case BSC_SOCKET_INET6:
        return AF_INET6;
    default:
        return -1;
    }
}

uint32_t abi_domain(int family) {
    switch (family) {
    case AF_UNIX:
        return BSC_SOCKET_UNIX;
    case AF_INET:
        return BSC_SOCKET_INET;
    case AF_INET6:
        return BSC_SOCKET_INET6;
    default:
        return 0;
    }
}

bsc_status host_address(const bsc_socket_address &in, sockaddr_storage &out,
                        socklen_t &length) {
    out = {};
    switch (in.domain) {
    case 0: // no address: connect dissolves a datagram socket's association
        out.ss_family = AF_UNSPEC;
        length = sizeof(sockaddr);
        return BSC_OK;
    case BSC_SOCKET_UNIX: {
        auto &sun = reinterpret_cast<sockaddr_un &>(out);
        if (in.name_length > sizeof sun.sun_path)
            return BSC_E_INVALID;
        sun.sun_family = AF_UNIX;
        std::memcpy(sun.sun_path, in.name, in.name_length);
        // No name: the family alone, which the host's bind takes as "pick a name".
        length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + in.name_length);
        return BSC_OK;
    }
    case BSC_SOCKET_INET: {
        auto &sin = reinterpret_cast<sockaddr_in &>(out);
        sin.sin_family = AF_INET;
        sin.sin_port = htons(in.port);
        std::memcpy(&sin.sin_addr, in.ip, 4);
        length = sizeof sin;
        return BSC_OK;
    }
    case BSC_SOCKET_INET6: {
        auto &sin6 = reinterpret_cast<sockaddr_in6 &>(out);
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(in.port);
        sin6.sin6_flowinfo = htonl(in.flow_info);
        sin6.sin6_scope_id = in.scope_id;
        std::memcpy(&sin6.sin6_addr, in.ip, 16);
        length = sizeof sin6;
        return BSC_OK;
    }
    default:
        return BSC_E_INVALID;
    }
}

bsc_socket_address abi_address(const sockaddr_storage &in, socklen_t length) {
    bsc_socket_address out{};
    if (length < sizeof(sa_family_t))
        return out;
    out.domain = abi_domain(in.ss_family);
    if (in.ss_family == AF_UNIX) {
        const auto &sun = reinterpret_cast<const sockaddr_un &>(in);
        size_t bytes = length - offsetof(sockaddr_un, sun_path);
        if (bytes > sizeof sun.sun_path)
            bytes = sizeof sun.sun_path;
        // A path's length counts up to its NUL; an abstract name is all its bytes.
        if (bytes > 0 && sun.sun_path[0] != '\0')
            bytes = ::strnlen(sun.sun_path, bytes);
        std::memcpy(out.name, sun.sun_path, bytes);
        out.name_length = static_cast<uint16_t>(bytes);
    } else if (in.ss_family == AF_INET) {
        const auto &sin = reinterpret_cast<const sockaddr_in &>(in);
        out.port = ntohs(sin.sin_port);
        std::memcpy(out.ip, &sin.sin_addr, 4);
    } else if (in.ss_family == AF_INET6) {
        const auto &sin6 = reinterpret_cast<const sockaddr_in6 &>(in);
        out.port = ntohs(sin6.sin6_port);
        out.flow_info = ntohl(sin6.sin6_flowinfo);
        out.scope_id = sin6.sin6_scope_id;
        std::memcpy(out.ip, &sin6.sin6_addr, 16);
    }
    return out;
}

} // namespace bsc::host
