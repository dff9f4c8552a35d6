// SPDX-License-Identifier: MIT
// Parsing and formatting stream URIs.
#include "stream_uri.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "guest_memory.h"

namespace bsc::host {
namespace {

struct SchemeName {
    std::string_view prefix;
    Scheme scheme;
};

constexpr std::array kSchemes{
    SchemeName{"file:", Scheme::file},        SchemeName{"dir:", Scheme::dir},
    SchemeName{"dev:", Scheme::device},       SchemeName{"pipe:", Scheme::pipe},
    SchemeName{"unix:", Scheme::unix_stream}, SchemeName{"unix.srv:", Scheme::unix_server},
    SchemeName{"tcp:", Scheme::tcp},          SchemeName{"tcp.srv:", Scheme::tcp_server},
    SchemeName{"udp:", Scheme::udp},          SchemeName{"udp.srv:", Scheme::udp_server},
    SchemeName{"notify:", Scheme::notify},    SchemeName{"fanotify:", Scheme::fanotify},
};

std::string_view prefix_of(Scheme scheme) {
    for (const SchemeName &name : kSchemes)
        if (name.scheme == scheme)
            return name.prefix;
    return {};
}

// Makes a path absolute against the working directory (lexically: symlinks stay).
bsc_status absolute_path(std::string_view path, std::string &out) {
    if (path.empty())
        return BSC_E_INVALID;
    if (path.find('\0') != std::string_view::npos)
        return BSC_E_INVALID;
    if (path.front() == '/') {
        out = path;
    } else {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd) == nullptr)
            return BSC_E_NOT_FOUND; // the working directory was removed
        out = cwd;
        if (out.back() != '/')
            out += '/';
        out += path;
    }
    return out.size() < PATH_MAX ? BSC_OK : BSC_E_NAME_TOO_LONG;
}

bsc_status parse_port(std::string_view text, uint16_t &port) {
    if (text.empty() || text.size() > 5)
        return BSC_E_INVALID;
    uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return BSC_E_INVALID;
        value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (value > 65535)
        return BSC_E_INVALID;
    port = static_cast<uint16_t>(value);
    return BSC_OK;
}

// HOST:PORT with a dotted IPv4 or a bracketed IPv6 address.
bsc_status parse_inet(std::string_view text, StreamUri &out) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return BSC_E_INVALID;
    std::string host(text.substr(0, colon));
    uint16_t port;
    if (bsc_status s = parse_port(text.substr(colon + 1), port))
        return s;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(port);
        if (::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &sin6.sin6_addr) != 1)
            return BSC_E_INVALID;
        std::memcpy(&out.address, &sin6, sizeof sin6);
        out.address_length = sizeof sin6;
    } else {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        if (::inet_pton(AF_INET, host.c_str(), &sin.sin_addr) != 1)
            return BSC_E_INVALID;
        std::memcpy(&out.address, &sin, sizeof sin);
        out.address_length = sizeof sin;
    }
    return BSC_OK;
}

// unix: paths; an empty one (only for stream_open_pair) leaves no address.
bsc_status parse_unix(std::string_view text, StreamUri &out) {
    if (text.empty())
        return out.scheme == Scheme::unix_stream ? BSC_OK : BSC_E_INVALID;
    if (bsc_status s = absolute_path(text, out.path))
        return s;
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    if (out.path.size() >= sizeof sun.sun_path)
        return BSC_E_NAME_TOO_LONG;
    std::memcpy(sun.sun_path, out.path.data(), out.path.size());
    std::memcpy(&out.address, &sun, sizeof sun);
    out.address_length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + out.path.size() + 1);
    return BSC_OK;
}

bsc_status parse_device(std::string_view name, StreamUri &out) {
    if (name == "tty" || name == "null" || name == "ptmx") {
        out.path = "/dev/" + std::string(name);
        return BSC_OK;
    }
    return name.empty() ? BSC_E_INVALID : BSC_E_NOT_FOUND;
}

bsc_status parse_rest(std::string_view rest, StreamUri &out) {
    switch (out.scheme) {
    case Scheme::file:
    case Scheme::dir:
        return absolute_path(rest, out.path);
    case Scheme::device:
        return parse_device(rest, out);
    case Scheme::pipe:
    case Scheme::notify:
        return rest.empty() ? BSC_OK : BSC_E_INVALID;
    case Scheme::fanotify:
        out.path = std::string(rest);
        return BSC_OK;
    case Scheme::unix_stream:
    case Scheme::unix_server:
        return parse_unix(rest, out);
    case Scheme::tcp:
    case Scheme::tcp_server:
    case Scheme::udp:
    case Scheme::udp_server:
        return parse_inet(rest, out);
    }
    return BSC_E_INVALID;
}

} // namespace

bsc_status parse_uri(std::string_view text, StreamUri &out) {
    out = StreamUri{};
    for (const SchemeName &name : kSchemes) {
        if (!text.starts_with(name.prefix))
            continue;
        out.scheme = name.scheme;
        std::string_view rest = text.substr(name.prefix.size());
        if (bsc_status s = parse_rest(rest, out))
            return s;
        bool has_path = !out.path.empty() && out.scheme != Scheme::device;
        out.text = std::string(name.prefix) + (has_path ? out.path : std::string(rest));
        return BSC_OK;
    }
    return BSC_E_INVALID;
}

bsc_status read_uri(const char *guest, StreamUri &out) {
    std::string text;
    if (bsc_status s = read_guest_string(guest, text, kMaxUri))
        return s;
    return parse_uri(text, out);
}

bsc_status read_path_uri(const char *guest, StreamUri &out, bool allow_device) {
    if (bsc_status s = read_uri(guest, out))
        return s;
    bool ok = out.scheme == Scheme::file || out.scheme == Scheme::dir ||
              (allow_device && out.scheme == Scheme::device);
    return ok ? BSC_OK : BSC_E_INVALID;
}

std::string socket_uri(Scheme scheme, const sockaddr_storage &address, socklen_t length) {
    std::string uri(prefix_of(scheme));
    char host[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET) {
        const auto &sin = reinterpret_cast<const sockaddr_in &>(address);
        ::inet_ntop(AF_INET, &sin.sin_addr, host, sizeof host);
        uri += std::string(host) + ":" + std::to_string(ntohs(sin.sin_port));
    } else if (address.ss_family == AF_INET6) {
        const auto &sin6 = reinterpret_cast<const sockaddr_in6 &>(address);
        ::inet_ntop(AF_INET6, &sin6.sin6_addr, host, sizeof host);
        uri += "[" + std::string(host) + "]:" + std::to_string(ntohs(sin6.sin6_port));
    } else if (address.ss_family == AF_UNIX && length > offsetof(sockaddr_un, sun_path)) {
        const auto &sun = reinterpret_cast<const sockaddr_un &>(address);
        // An unnamed peer has no path; an abstract one (leading NUL) is not a path either.
        if (sun.sun_path[0] != '\0')
            uri += std::string(sun.sun_path, ::strnlen(sun.sun_path, sizeof sun.sun_path));
    }
    return uri;
}

} // namespace bsc::host
