// SPDX-License-Identifier: MIT
// Sockets: socket, socketpair, bind, listen, accept, accept4, connect, getsockname,
// getpeername, shutdown, over the ABI's socket calls (socket_messages.cpp sends and
// receives, socket_options.cpp has getsockopt and setsockopt).
#include <asm-generic/fcntl.h>
#include <linux/fcntl.h>

#include "paths.h"
#include "signals.h"
#include "socket_address.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int64_t kSockaddrStorage = 128; // the most move_addr_to_kernel takes
constexpr int64_t kSunPathOffset = 2, kSunPathSize = 108;
constexpr int64_t kSockaddrInSize = 16, kSockaddrIn6Size = 28, kSin6LenRfc2133 = 24;

struct SockaddrStorage {
    uint16_t family;
    uint8_t data[kSockaddrStorage - 2];
};

// The unix name at `path` (`length` bytes after the family): a path, made absolute for
// the host, or an abstract name. EINVAL, ENAMETOOLONG.
int64_t unix_name(const uint8_t *path, int64_t length, bsc_socket_address &out) {
    out.domain = BSC_SOCKET_UNIX;
    if (length == 0 || path[0] == 0) { // no name (autobind), or an abstract name
        memcpy(out.name, path, static_cast<size_t>(length));
        out.name_length = static_cast<uint16_t>(length);
        return 0;
    }
    char given[kSunPathSize + 1] = {};
    memcpy(given, path, static_cast<size_t>(length));
    char absolute[4096];
    if (int64_t error = resolve_path(AT_FDCWD, given, absolute, sizeof absolute))
        return error;
    size_t n = strlen(absolute);
    if (n > static_cast<size_t>(kSunPathSize))
        return -ENAMETOOLONG; // the host names it by its absolute path (SYSCALLS.md)
    memcpy(out.name, absolute, n);
    out.name_length = static_cast<uint16_t>(n);
    return 0;
}

int64_t inet_address(const SockaddrStorage &in, int64_t length, bool six,
                     bsc_socket_address &out) {
    const uint8_t *d = in.data;
    out.domain = six ? BSC_SOCKET_INET6 : BSC_SOCKET_INET;
    out.port = static_cast<uint16_t>(d[0] << 8 | d[1]);
    if (!six) {
        memcpy(out.ip, d + 2, 4);
        return 0;
    }
    out.flow_info = static_cast<uint32_t>(d[2]) << 24 | d[3] << 16 | d[4] << 8 | d[5];
    memcpy(out.ip, d + 6, 16);
    if (length >= kSockaddrIn6Size)
        memcpy(&out.scope_id, d + 22, 4);
    return 0;
}

} // namespace

int64_t interrupted_result(bsc_handle handle, uint32_t timeout_option) {
    int64_t timeout = 0;
    abi().socket_option_get(handle, timeout_option, &timeout);
    return timeout ? -EINTR : -kRestartSyscall;
}

uint32_t socket_domain(bsc_handle handle) {
    int64_t value = 0;
    abi().socket_option_get(handle, BSC_SOCKOPT_DOMAIN, &value);
    return static_cast<uint32_t>(value);
}

uint32_t socket_type(bsc_handle handle) {
    int64_t value = 0;
    abi().socket_option_get(handle, BSC_SOCKOPT_TYPE, &value);
    return static_cast<uint32_t>(value);
}

int64_t address_from_user(uint64_t user, int64_t length, uint32_t domain, bool connect,
                          bsc_socket_address &out) {
    out = {};
    if (length < 0 || length > kSockaddrStorage)
        return -EINVAL;
    SockaddrStorage in{};
    if (length && !copy_from_user(&in, user, static_cast<size_t>(length)))
        return -EFAULT;
    if (connect && length >= 2 && in.family == kAfUnspec)
        return 0; // dissolves the association
    switch (domain) {
    case BSC_SOCKET_UNIX:
        if (length < kSunPathOffset || length > kSunPathOffset + kSunPathSize ||
            in.family != kAfUnix)
            return -EINVAL;
        return unix_name(in.data, length - kSunPathOffset, out);
    case BSC_SOCKET_INET:
        if (length < kSockaddrInSize)
            return -EINVAL;
        // bind takes AF_UNSPEC with INADDR_ANY for AF_INET (inet_bind's old exception).
        if (in.family != kAfInet &&
            (connect || in.family != kAfUnspec || in.data[2] | in.data[3] | in.data[4] | in.data[5]))
            return -EAFNOSUPPORT;
        return inet_address(in, length, false, out);
    case BSC_SOCKET_INET6:
        if (length < kSin6LenRfc2133)
            return -EINVAL;
        if (in.family != kAfInet6)
            return -EAFNOSUPPORT;
        return inet_address(in, length, true, out);
    default:
        return -EINVAL;
    }
}

int64_t address_to_user(const bsc_socket_address &address, uint64_t user, uint64_t user_length) {
    int32_t room;
    if (!get_user(user_length, room))
        return -EFAULT;
    if (room < 0)
        return -EINVAL;
    SockaddrStorage out{};
    int32_t length = 0;
    uint8_t *d = out.data;
    switch (address.domain) {
    case BSC_SOCKET_UNIX: {
        out.family = kAfUnix;
        memcpy(d, address.name, address.name_length);
        bool path = address.name_length && address.name[0];
        length = static_cast<int32_t>(kSunPathOffset + address.name_length + (path ? 1 : 0));
        break;
    }
    case BSC_SOCKET_INET:
    case BSC_SOCKET_INET6: {
        bool six = address.domain == BSC_SOCKET_INET6;
        out.family = static_cast<uint16_t>(six ? kAfInet6 : kAfInet);
        d[0] = static_cast<uint8_t>(address.port >> 8);
        d[1] = static_cast<uint8_t>(address.port);
        if (six) {
            uint32_t f = address.flow_info;
            d[2] = static_cast<uint8_t>(f >> 24), d[3] = static_cast<uint8_t>(f >> 16);
            d[4] = static_cast<uint8_t>(f >> 8), d[5] = static_cast<uint8_t>(f);
            memcpy(d + 6, address.ip, 16);
            memcpy(d + 22, &address.scope_id, 4);
        } else {
            memcpy(d + 2, address.ip, 4);
        }
        length = static_cast<int32_t>(six ? kSockaddrIn6Size : kSockaddrInSize);
        break;
    }
    default:
        break; // no address: length 0
    }
    int32_t copied = room < length ? room : length;
    if (copied && !copy_to_user(user, &out, static_cast<size_t>(copied)))
        return -EFAULT;
    return put_user(user_length, length) ? 0 : -EFAULT;
}

namespace {

// The ABI's domain and type for Linux's, as socket(2) checks them: 0 or -errno.
int64_t socket_kind(int64_t family, uint32_t type, int64_t protocol, uint32_t &domain,
                    uint32_t &abi_type) {
    if (family < 0 || family >= kAfMax)
        return -EAFNOSUPPORT;
    if (type >= kSockMax)
        return -EINVAL;
    if (family == kAfUnix) {
        if (protocol != 0 && protocol != kAfUnix)
            return -EPROTONOSUPPORT;
        domain = BSC_SOCKET_UNIX;
        if (type == kSockRaw) // unix_create takes SOCK_RAW as SOCK_DGRAM
            type = kSockDgram;
        abi_type = type == kSockStream      ? BSC_SOCKET_STREAM
                   : type == kSockDgram     ? BSC_SOCKET_DATAGRAM
                   : type == kSockSeqpacket ? BSC_SOCKET_SEQPACKET
                                            : 0;
        return abi_type ? 0 : -ESOCKTNOSUPPORT;
    }
    if (family != kAfInet && family != kAfInet6) {
        // Linux's answer for a family it was built without. (Without netlink, glibc
        // assumes both IPv4 and IPv6: SYSCALLS.md.)
        report_unsupported("socket", family == kAfNetlink ? "AF_NETLINK"
                                     : "an address family other than UNIX, INET, INET6 "
                                       "(AF_PACKET ...)");
        return -EAFNOSUPPORT;
    }
    if (protocol < 0 || protocol >= 263) // IPPROTO_MAX
        return -EINVAL;
    domain = family == kAfInet ? BSC_SOCKET_INET : BSC_SOCKET_INET6;
    if (type == kSockStream && (protocol == 0 || protocol == kIpprotoTcp))
        abi_type = BSC_SOCKET_STREAM;
    else if (type == kSockDgram && (protocol == 0 || protocol == kIpprotoUdp))
        abi_type = BSC_SOCKET_DATAGRAM;
    if (abi_type)
        return 0;
    if (type != kSockStream && type != kSockDgram && type != kSockRaw)
        return -ESOCKTNOSUPPORT;
    report_unsupported("socket", type == kSockRaw ? "SOCK_RAW" : "this protocol");
    return -EPROTONOSUPPORT;
}

// The flags socket, socketpair and accept4 take besides the type.
constexpr uint64_t kSocketFlags = O_CLOEXEC | O_NONBLOCK;

// socket's and socketpair's family, type with its flags, and protocol: 0 or -errno.
int64_t socket_arguments(const Syscall &c, uint64_t &type, uint32_t &domain,
                         uint32_t &abi_type) {
    type = c.arg[1] & 0xffffffff;
    if (type & ~uint64_t{kSockTypeMask} & ~kSocketFlags)
        return -EINVAL;
    domain = abi_type = 0;
    return socket_kind(static_cast<int32_t>(c.arg[0]), static_cast<uint32_t>(type & kSockTypeMask),
                       static_cast<int32_t>(c.arg[2]), domain, abi_type);
}

// bind's and connect's socket and address (arguments 1 and 2): 0 or -errno.
int64_t socket_address_arguments(const Syscall &c, const SocketRef &socket, bool connect,
                                 bsc_socket_address &address) {
    if (int64_t error = socket.error())
        return error;
    return address_from_user(c.arg[1], static_cast<int32_t>(c.arg[2]),
                             socket_domain(socket.handle()), connect, address);
}

int install_socket(bsc_handle handle, uint64_t flags) {
    OpenFile *file = open_file(handle, O_RDWR | static_cast<uint32_t>(flags & O_NONBLOCK),
                               BSC_TYPE_SOCKET, nullptr);
    return fd_install(file, 0, flags & O_CLOEXEC);
}


int64_t accept_socket(Syscall &c, uint64_t flags) {
    if (flags & ~kSocketFlags)
        return -EINVAL;
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    uint32_t options = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    bsc_handle client = BSC_NO_HANDLE;
    int64_t result = socket_blocking(socket.handle(), BSC_SOCKOPT_RECEIVE_TIMEOUT, [&] {
        return abi().stream_accept(socket.handle(), options, &client);
    });
    if (result < 0)
        return result;
    if (c.arg[1]) {
        bsc_socket_address peer{};
        abi().socket_address_query(client, BSC_ADDRESS_PEER, &peer);
        if (int64_t error = address_to_user(peer, c.arg[1], c.arg[2])) {
            abi().object_close(client);
            return error;
        }
    }
    return install_socket(client, flags);
}

int64_t query_address(Syscall &c, uint32_t which) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    bsc_socket_address address{};
    bsc_status status = abi().socket_address_query(socket.handle(), which, &address);
    if (status != BSC_OK)
        return result_of(status);
    return address_to_user(address, c.arg[1], c.arg[2]);
}

} // namespace

int64_t sys_socket(Syscall &c) {
    uint64_t type;
    uint32_t domain, abi_type;
    if (int64_t error = socket_arguments(c, type, domain, abi_type))
        return error;
    bsc_handle handle;
    uint32_t options = type & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    if (bsc_status s = abi().socket_create(domain, abi_type, options, &handle))
        return result_of(s);
    return install_socket(handle, type);
}

int64_t sys_socketpair(Syscall &c) {
    uint64_t type;
    uint32_t domain, abi_type;
    if (int64_t error = socket_arguments(c, type, domain, abi_type))
        return error;
    if (domain != BSC_SOCKET_UNIX)
        return -EOPNOTSUPP; // inet_dgram_ops / inet_stream_ops have no socketpair
    int32_t probe[2];
    if (!get_user(c.arg[3], probe) || !put_user(c.arg[3], probe))
        return -EFAULT;
    bsc_handle ends[2];
    uint32_t options = type & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    if (bsc_status s = abi().socket_create_pair(domain, abi_type, options, ends))
        return result_of(s);
    int32_t fds[2] = {install_socket(ends[0], type), install_socket(ends[1], type)};
    if (fds[0] < 0 || fds[1] < 0) {
        for (int fd : fds)
            if (fd >= 0)
                fd_close(fd);
        return -EMFILE;
    }
    if (!put_user(c.arg[3], fds)) {
        fd_close(fds[0]), fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
}

int64_t sys_bind(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    bsc_socket_address address;
    if (int64_t error = socket_address_arguments(c, socket, false, address))
        return error;
    return result_of(abi().socket_bind(socket.handle(), &address));
}

int64_t sys_listen(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    // A negative backlog is the most there is (somaxconn), as the kernel clamps it.
    auto backlog = static_cast<int32_t>(c.arg[1]);
    return result_of(abi().socket_listen(socket.handle(), backlog < 0 ? 4096u
                                                                      : static_cast<uint32_t>(backlog)));
}

int64_t sys_accept(Syscall &c) { return accept_socket(c, 0); }
int64_t sys_accept4(Syscall &c) { return accept_socket(c, c.arg[3] & 0xffffffff); }

int64_t sys_connect(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    bsc_socket_address address;
    if (int64_t error = socket_address_arguments(c, socket, true, address))
        return error;
    int64_t result = socket_blocking(socket.handle(), BSC_SOCKOPT_SEND_TIMEOUT, [&] {
        return abi().socket_connect(socket.handle(), &address);
    });
    return result == -kRestartSyscall ? -EINTR : result; // a connection goes on: no restart
}

int64_t sys_getsockname(Syscall &c) { return query_address(c, BSC_ADDRESS_LOCAL); }
int64_t sys_getpeername(Syscall &c) { return query_address(c, BSC_ADDRESS_PEER); }

int64_t sys_shutdown(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    auto how = static_cast<int32_t>(c.arg[1]);
    if (how < 0 || how > 2) // SHUT_RD, SHUT_WR, SHUT_RDWR
        return -EINVAL;
    return result_of(abi().socket_shutdown(socket.handle(), static_cast<uint32_t>(how) + 1));
}

} // namespace libos
