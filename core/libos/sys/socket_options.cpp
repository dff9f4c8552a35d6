// SPDX-License-Identifier: MIT
// Socket options: getsockopt and setsockopt for the options real programs set, over
// socket_option_get / socket_option_set (SYSCALLS.md lists them).
#include <asm-generic/socket.h>

#include "process_tree.h"
#include "socket_address.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int32_t kTcpNodelay = 1, kIpv6V6only = 26;
constexpr int64_t kNanosPerSecond = 1000000000;

// How an option's value looks to the program.
enum class Shape { integer, timeval, linger, peercred };

struct Option {
    uint32_t abi;   // BSC_SOCKOPT_*, or 0: the LibOS answers from the socket's kind
    Shape shape;
    bool settable;
};

// The option `level`/`name` names, or false (ENOPROTOOPT).
bool find_option(int32_t level, int32_t name, Option &out) {
    if (level == kIpprotoTcp && name == kTcpNodelay)
        return out = {BSC_SOCKOPT_NO_DELAY, Shape::integer, true}, true;
    if (level == kIpprotoIpv6 && name == kIpv6V6only)
        return out = {BSC_SOCKOPT_V6_ONLY, Shape::integer, true}, true;
    if (level != kSolSocket)
        return false;
    switch (name) {
    case SO_REUSEADDR: out = {BSC_SOCKOPT_REUSE_ADDRESS, Shape::integer, true}; return true;
    case SO_REUSEPORT: out = {BSC_SOCKOPT_REUSE_PORT, Shape::integer, true}; return true;
    case SO_KEEPALIVE: out = {BSC_SOCKOPT_KEEP_ALIVE, Shape::integer, true}; return true;
    case SO_RCVBUF: out = {BSC_SOCKOPT_RECEIVE_BUFFER, Shape::integer, true}; return true;
    case SO_SNDBUF: out = {BSC_SOCKOPT_SEND_BUFFER, Shape::integer, true}; return true;
    case SO_ERROR: out = {BSC_SOCKOPT_ERROR, Shape::integer, false}; return true;
    case SO_ACCEPTCONN: out = {BSC_SOCKOPT_LISTENING, Shape::integer, false}; return true;
    case SO_TYPE: out = {BSC_SOCKOPT_TYPE, Shape::integer, false}; return true;
    case SO_DOMAIN: out = {BSC_SOCKOPT_DOMAIN, Shape::integer, false}; return true;
    case SO_PROTOCOL: out = {0, Shape::integer, false}; return true;
    case SO_LINGER: out = {BSC_SOCKOPT_LINGER, Shape::linger, true}; return true;
    case SO_PEERCRED: out = {0, Shape::peercred, false}; return true;
    case SO_RCVTIMEO_OLD:
    case SO_RCVTIMEO_NEW: out = {BSC_SOCKOPT_RECEIVE_TIMEOUT, Shape::timeval, true}; return true;
    case SO_SNDTIMEO_OLD:
    case SO_SNDTIMEO_NEW: out = {BSC_SOCKOPT_SEND_TIMEOUT, Shape::timeval, true}; return true;
    default: return false;
    }
}

// Whether the socket's protocols have option level `level` (0), or what Linux answers
// when none has, before it reads anything: a UNIX socket has SOL_SOCKET alone (no
// protocol getsockopt or setsockopt: EOPNOTSUPP); an IPv4 socket has its transport's
// level (TCP or UDP) and IPPROTO_IP, and ip_getsockopt refuses another level with
// EOPNOTSUPP, ip_setsockopt with ENOPROTOOPT; an IPv6 socket has its transport's,
// IPPROTO_IPV6 and IPPROTO_IP, and ENOPROTOOPT for another either way.
int64_t level_error(bsc_handle handle, int32_t level, bool get) {
    if (level == kSolSocket)
        return 0;
    uint32_t domain = socket_domain(handle);
    if (domain == BSC_SOCKET_UNIX)
        return -EOPNOTSUPP;
    int32_t transport = socket_type(handle) == BSC_SOCKET_STREAM ? kIpprotoTcp : kIpprotoUdp;
    if (level == transport || level == kIpprotoIp)
        return 0;
    if (domain == BSC_SOCKET_INET6)
        return level == kIpprotoIpv6 ? 0 : -ENOPROTOOPT;
    return get ? -EOPNOTSUPP : -ENOPROTOOPT;
}

// An option of a level the socket has that the LibOS does not serve: ENOPROTOOPT, what
// Linux answers for a name it does not know; one it knows (every level's names are below
// 100) is named with --verbose, as a refusal.
int64_t unserved_option(const char *call, int32_t level, int32_t name) {
    if (name > 0 && name < 100) {
        switch (level) {
        case kSolSocket: report_unsupported(call, "a SOL_SOCKET option"); break;
        case kIpprotoIp: report_unsupported(call, "an IPPROTO_IP option"); break;
        case kIpprotoTcp: report_unsupported(call, "an IPPROTO_TCP option"); break;
        case kIpprotoUdp: report_unsupported(call, "an IPPROTO_UDP option"); break;
        default: report_unsupported(call, "an IPPROTO_IPV6 option"); break;
        }
    }
    return -ENOPROTOOPT;
}

int64_t host_get(bsc_handle handle, uint32_t option, int64_t &value) {
    value = 0;
    return result_of(abi().socket_option_get(handle, option, &value));
}

// Linux's value of an integer option from the ABI's.
int32_t linux_integer(bsc_handle handle, uint32_t option, int64_t value) {
    constexpr int32_t kFamilies[] = {0, kAfUnix, kAfInet, kAfInet6};
    constexpr int32_t kTypes[] = {0, static_cast<int32_t>(kSockStream),
                                  static_cast<int32_t>(kSockDgram),
                                  static_cast<int32_t>(kSockSeqpacket)};
    switch (option) {
    case BSC_SOCKOPT_ERROR: return errno_for(static_cast<bsc_status>(value));
    case BSC_SOCKOPT_DOMAIN: return value < 4 ? kFamilies[value] : 0;
    case BSC_SOCKOPT_TYPE: return value < 4 ? kTypes[value] : 0;
    case 0: { // SO_PROTOCOL: what socket(2) picked for protocol 0
        if (socket_domain(handle) == BSC_SOCKET_UNIX)
            return 0;
        return socket_type(handle) == BSC_SOCKET_STREAM ? kIpprotoTcp : kIpprotoUdp;
    }
    default: return static_cast<int32_t>(value);
    }
}

// The option's value as the program sees it, in `out` (at most 16 bytes): its size.
int64_t read_value(bsc_handle handle, const Option &option, uint8_t (&out)[16]) {
    int64_t value = 0;
    switch (option.shape) {
    case Shape::integer: {
        if (option.abi)
            if (int64_t error = host_get(handle, option.abi, value))
                return error;
        int32_t v = linux_integer(handle, option.abi, value);
        memcpy(out, &v, 4);
        return 4;
    }
    case Shape::timeval: {
        if (int64_t error = host_get(handle, option.abi, value))
            return error;
        int64_t tv[2] = {value / kNanosPerSecond, value % kNanosPerSecond / 1000};
        memcpy(out, tv, 16);
        return 16;
    }
    case Shape::linger: {
        if (int64_t error = host_get(handle, option.abi, value))
            return error;
        int32_t l[2] = {static_cast<int32_t>(value >> 32), static_cast<int32_t>(value & 0x7fffffff)};
        memcpy(out, l, 8);
        return 8;
    }
    case Shape::peercred: {
        int64_t self = 0, user = 0, group = 0, host_pid = 0;
        if (int64_t error = host_get(handle, BSC_SOCKOPT_PEER_IS_SELF, self))
            return error;
        host_get(handle, BSC_SOCKOPT_PEER_USER, user);
        host_get(handle, BSC_SOCKOPT_PEER_GROUP, group);
        host_get(handle, BSC_SOCKOPT_PEER_PROCESS, host_pid);
        // The peer's pid in the program's view: its own, another process of the guest's
        // (by its host id), or none outside the guest.
        int32_t pid = self       ? current_pid()
                      : host_pid ? pid_of_host_process(static_cast<uint64_t>(host_pid))
                                 : 0;
        int32_t cred[3] = {pid, static_cast<int32_t>(user), static_cast<int32_t>(group)};
        memcpy(out, cred, 12);
        return 12;
    }
    }
    return -EINVAL;
}

// The ABI value of what the program passes to setsockopt: 0 or -errno.
int64_t write_value(const Option &option, uint64_t user, int64_t length, int64_t &value) {
    int64_t need = option.shape == Shape::timeval ? 16 : option.shape == Shape::linger ? 8 : 4;
    if (length < need)
        return -EINVAL;
    uint8_t in[16];
    if (!copy_from_user(in, user, static_cast<size_t>(need)))
        return -EFAULT;
    if (option.shape == Shape::timeval) {
        int64_t tv[2];
        memcpy(tv, in, 16);
        if (tv[1] < 0 || tv[1] >= 1000000)
            return -EDOM;
        // A negative time is Linux's "no wait"; the ABI's shortest is one microsecond.
        value = tv[0] < 0 ? 1000 : tv[0] * kNanosPerSecond + tv[1] * 1000;
        return 0;
    }
    int32_t v[2];
    memcpy(v, in, static_cast<size_t>(need));
    if (option.shape == Shape::linger)
        value = (int64_t{v[0] != 0} << 32) | static_cast<uint32_t>(v[1] < 0 ? 0 : v[1]);
    else if (option.abi == BSC_SOCKOPT_RECEIVE_BUFFER || option.abi == BSC_SOCKOPT_SEND_BUFFER)
        value = v[0] < 0 ? 0 : v[0]; // the kernel takes a negative size as 0
    else
        value = v[0];
    return 0;
}

} // namespace

int64_t sys_getsockopt(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    auto level = static_cast<int32_t>(c.arg[1]), name = static_cast<int32_t>(c.arg[2]);
    if (int64_t error = level_error(socket.handle(), level, true))
        return error;
    int32_t room; // read before the name, as every getsockopt of a level Linux has
    if (!get_user(c.arg[4], room))
        return -EFAULT;
    if (room < 0)
        return -EINVAL;
    Option option;
    if (!find_option(level, name, option))
        return unserved_option("getsockopt", level, name);
    uint8_t value[16];
    int64_t size = read_value(socket.handle(), option, value);
    if (size < 0)
        return size;
    int32_t length = room < size ? room : static_cast<int32_t>(size);
    if (!copy_to_user(c.arg[3], value, static_cast<size_t>(length)) || !put_user(c.arg[4], length))
        return -EFAULT;
    return 0;
}

int64_t sys_setsockopt(Syscall &c) {
    SocketRef socket(static_cast<int>(c.arg[0]));
    if (int64_t error = socket.error())
        return error;
    auto level = static_cast<int32_t>(c.arg[1]), name = static_cast<int32_t>(c.arg[2]);
    auto length = static_cast<int32_t>(c.arg[4]);
    if (int64_t error = level_error(socket.handle(), level, false))
        return error;
    int32_t first;
    if (level == kSolSocket) { // sk_setsockopt reads an int before it looks at the option
        if (length < 4)
            return -EINVAL;
        if (!get_user(c.arg[3], first))
            return -EFAULT;
    }
    Option option;
    if (!find_option(level, name, option))
        return unserved_option("setsockopt", level, name);
    if (!option.settable)
        return -ENOPROTOOPT;
    int64_t value;
    if (int64_t error = write_value(option, c.arg[3], length, value))
        return error;
    return result_of(abi().socket_option_set(socket.handle(), option.abi, value));
}

} // namespace libos
