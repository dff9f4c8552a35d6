// SPDX-License-Identifier: MIT
#include "tcp.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include <fmt/core.h>

namespace bsc::tools {
namespace {

struct Endpoint {
    std::string host, port;
};

// "tcp://HOST:PORT", "tcp://[V6]:PORT", "tcp://:PORT", or (`bare_ok`) "HOST:PORT" or "PORT".
Endpoint parse(const std::string &text, bool bare_ok) {
    std::string rest = text;
    if (rest.starts_with("tcp://"))
        rest = rest.substr(6);
    else if (!bare_ok)
        throw std::runtime_error(fmt::format("{}: not a tcp://HOST:PORT address", text));
    Endpoint endpoint;
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
        endpoint.port = rest;
    } else {
        endpoint.host = rest.substr(0, colon), endpoint.port = rest.substr(colon + 1);
        if (endpoint.host.starts_with('[') && endpoint.host.ends_with(']'))
            endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
    }
    if (endpoint.port.empty() || endpoint.port.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error(fmt::format("{}: no port number", text));
    return endpoint;
}

using Addresses = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

Addresses resolve(const Endpoint &endpoint, bool passive, const std::string &text) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo *found = nullptr;
    if (int error = ::getaddrinfo(endpoint.host.empty() ? nullptr : endpoint.host.c_str(),
                                  endpoint.port.c_str(), &hints, &found))
        throw std::runtime_error(fmt::format("{}: {}", text, ::gai_strerror(error)));
    return {found, ::freeaddrinfo};
}

} // namespace

int connect_tcp(const std::string &uri) {
    auto addresses = resolve(parse(uri, false), false, uri);
    int error = 0;
    for (addrinfo *a = addresses.get(); a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) == 0)
            return fd;
        error = errno;
        if (fd >= 0)
            ::close(fd);
    }
    throw std::runtime_error(fmt::format("cannot connect to {}: {}", uri, std::strerror(error)));
}

Listener listen_tcp(const std::string &where) {
    auto endpoint = parse(where, true);
    auto addresses = resolve(endpoint, true, where);
    // Without a host, the IPv6 wildcard takes IPv4 connections too where the host has IPv6.
    addrinfo *chosen = addresses.get();
    for (addrinfo *a = addresses.get(); a; a = a->ai_next)
        if (endpoint.host.empty() && a->ai_family == AF_INET6)
            chosen = a;
    int fd = ::socket(chosen->ai_family, chosen->ai_socktype | SOCK_CLOEXEC, chosen->ai_protocol);
    int on = 1, off = 0;
    if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (chosen->ai_family == AF_INET6 &&
         ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0) ||
        ::bind(fd, chosen->ai_addr, chosen->ai_addrlen) != 0 || ::listen(fd, 1) != 0) {
        int error = errno;
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error(fmt::format("cannot listen on {}: {}", where, std::strerror(error)));
    }
    return {fd, endpoint.port};
}

int accept_one(const Listener &listener, const std::string &where) {
    int connection = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
    int error = errno;
    ::close(listener.fd);
    if (connection < 0)
        throw std::runtime_error(fmt::format("cannot accept on {}: {}", where, std::strerror(error)));
    return connection;
}

} // namespace bsc::tools
