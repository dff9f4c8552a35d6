// SPDX-License-Identifier: MIT
// What the socket families share: Linux's socket constants, the socket behind a
// descriptor, and socket addresses between the program's sockaddr and the ABI's.
#pragma once

#include <asm-generic/errno.h>

#include "fd_table.h"
#include "signals.h"

namespace libos {

// Linux's numbers (include/linux/socket.h and net.h are no UAPI headers).
inline constexpr int32_t kAfUnspec = 0, kAfUnix = 1, kAfInet = 2, kAfInet6 = 10,
                         kAfNetlink = 16, kAfMax = 46;
inline constexpr uint32_t kSockStream = 1, kSockDgram = 2, kSockRaw = 3, kSockSeqpacket = 5,
                          kSockMax = 11, kSockTypeMask = 0xf;
inline constexpr int32_t kSolSocket = 1, kIpprotoIp = 0, kIpprotoTcp = 6, kIpprotoUdp = 17,
                         kIpprotoIpv6 = 41;

inline constexpr uint32_t kOPath = 010000000; // O_PATH

// The socket behind `fd` for the length of a call: EBADF (an O_PATH descriptor too, which
// the kernel's fdget skips), ENOTSOCK.
struct SocketRef {
    explicit SocketRef(int fd) : file(fd) {}
    int64_t error() const {
        if (!file || (file->flags & kOPath))
            return -EBADF;
        return file->type == BSC_TYPE_SOCKET && file->handle != BSC_NO_HANDLE ? 0 : -ENOTSOCK;
    }
    bsc_handle handle() const { return file->handle; }
    FileRef file;
};

// A blocking socket call, retried when the thread is interrupted for no signal (a
// checkpoint). A handled signal ends it: restarted after a SA_RESTART handler, or EINTR
// when the socket has a timeout (`timeout_option`) set, as sock_intr_errno. 0 or -errno.
int64_t interrupted_result(bsc_handle handle, uint32_t timeout_option);
template <class Call>
int64_t socket_blocking(bsc_handle handle, uint32_t timeout_option, Call call) {
    bsc_status status;
    do
        status = call();
    while (status == BSC_E_INTERRUPTED && !signal_pending());
    return status == BSC_E_INTERRUPTED ? interrupted_result(handle, timeout_option)
                                       : result_of(status);
}

// The socket's ABI domain and type (BSC_SOCKET_*), from the host.
uint32_t socket_domain(bsc_handle handle);
uint32_t socket_type(bsc_handle handle);

// The program's sockaddr at `user` (`length` bytes) for a socket of ABI `domain`, as
// Linux checks it for `connect` (AF_UNSPEC: domain 0, dissolve the association) or for
// bind and sendto: 0 or -errno.
int64_t address_from_user(uint64_t user, int64_t length, uint32_t domain, bool connect,
                          bsc_socket_address &out);
// Writes `address` as a sockaddr to the program: `user`, room in the int at `user_length`
// (move_addr_to_user: cut to the room, the whole length written back). 0 or -errno.
int64_t address_to_user(const bsc_socket_address &address, uint64_t user, uint64_t user_length);

} // namespace libos
