// SPDX-License-Identifier: MIT
// socket_send and socket_receive: one message with its address and the handles it
// passes (the host's SCM_RIGHTS), never a SIGPIPE to the runtime.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

// The most descriptors one message carries (the host kernel's SCM_MAX_FD).
constexpr uint32_t kMaxPassed = 253;

// sendmsg or recvmsg, whose wait an interrupt ends (a message that can go or come at once
// does, as on Linux, even if the interrupt came first).
long message_call(short events, long number, int fd, msghdr &header, int flags) {
    auto at = reinterpret_cast<long>(&header);
    if (flags & MSG_DONTWAIT)
        return ::syscall(number, fd, at, flags);
    return blocking_fd_syscall(events, number, fd, at, flags);
}

// Room for `count` descriptors in a control message.
std::vector<char> control_buffer(uint32_t count) {
    return std::vector<char>(count ? CMSG_SPACE(sizeof(int) * count) : 0);
}

// The descriptors behind the guest's handles, as one SCM_RIGHTS control message.
bsc_status rights_of(const bsc_socket_message &message, std::vector<char> &control,
                     std::vector<std::shared_ptr<Object>> &streams) {
    if (message.handle_count == 0)
        return BSC_OK;
    if (message.handle_count > kMaxPassed)
        return BSC_E_INVALID;
    std::vector<bsc_handle> handles(message.handle_count);
    if (copy_from_guest(handles.data(), reinterpret_cast<const void *>(message.handles),
                        handles.size() * sizeof(bsc_handle)) != BSC_OK)
        return BSC_E_FAULT;
    control = control_buffer(message.handle_count);
    auto *header = reinterpret_cast<cmsghdr *>(control.data());
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * handles.size());
    auto *fds = reinterpret_cast<int *>(CMSG_DATA(header));
    for (size_t i = 0; i < handles.size(); i++) {
        auto stream = find_stream(handles[i]);
        if (!stream || stream->fd < 0)
            return BSC_E_BAD_HANDLE;
        fds[i] = stream->fd;
        streams.push_back(std::move(stream)); // kept open until the message is sent
    }
    return BSC_OK;
}

// The descriptors a received message carried, as new handles in the guest's array; the
// ones that do not fit are closed.
bsc_status publish_rights(msghdr &header, bsc_socket_message &message) {
    std::vector<UniqueFd> received;
    for (cmsghdr *c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            received.emplace_back(fd);
        }
    }
    std::vector<std::shared_ptr<Object>> objects;
    for (UniqueFd &fd : received) {
        int flags = ::fcntl(fd.get(), F_GETFL);
        uint32_t access = (flags & O_ACCMODE) == O_RDONLY   ? BSC_ACCESS_READ
                          : (flags & O_ACCMODE) == O_WRONLY ? BSC_ACCESS_WRITE
                                                            : BSC_ACCESS_RDWR;
        uint32_t options = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
        objects.push_back(make_stream(std::move(fd), "fd:", access, options));
    }
    message.handle_count = static_cast<uint32_t>(objects.size());
    if (objects.empty())
        return BSC_OK;
    return publish(objects, reinterpret_cast<bsc_handle *>(message.handles));
}

// A host message of one segment, an address and a control buffer.
msghdr host_message(iovec &data, sockaddr_storage *name, socklen_t name_length,
                    std::vector<char> &control) {
    msghdr header{};
    header.msg_name = name;
    header.msg_namelen = name_length;
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control.empty() ? nullptr : control.data();
    header.msg_controllen = control.size();
    return header;
}

// The message a guest passed, and the socket it goes through.
// Flags outside `allowed` are INVALID.
bsc_status read_message(bsc_handle handle, const bsc_socket_message *guest, uint32_t flags,
                        uint32_t allowed, std::shared_ptr<Object> &socket,
                        bsc_socket_message &message) {
    socket = find_socket(handle);
    if (!socket)
        return BSC_E_BAD_HANDLE;
    if (read_guest(guest, message) != BSC_OK)
        return BSC_E_FAULT;
    message.size = std::min(message.size, kMaxTransfer);
    return flags & ~allowed ? BSC_E_INVALID : BSC_OK;
}

} // namespace
} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_socket_send(bsc_handle handle, bsc_socket_message *guest,
                                       uint32_t flags) {
    std::shared_ptr<Object> socket;
    bsc_socket_message message;
    if (bsc_status s = read_message(handle, guest, flags,
                                    BSC_MESSAGE_DONT_WAIT | BSC_MESSAGE_MORE, socket, message))
        return s;
    std::vector<char> control;
    std::vector<std::shared_ptr<Object>> passed;
    if (bsc_status s = rights_of(message, control, passed))
        return s;
    sockaddr_storage to{};
    socklen_t to_length = 0;
    if (message.address) {
        bsc_socket_address address;
        if (read_guest(reinterpret_cast<const bsc_socket_address *>(message.address), address))
            return BSC_E_FAULT;
        if (bsc_status s = host_address(address, to, to_length))
            return s;
    }
    iovec data{reinterpret_cast<void *>(message.buffer), message.size};
    msghdr header = host_message(data, message.address ? &to : nullptr, to_length, control);
    int host_flags = MSG_NOSIGNAL | (flags & BSC_MESSAGE_DONT_WAIT ? MSG_DONTWAIT : 0) |
                     (flags & BSC_MESSAGE_MORE ? MSG_MORE : 0);
    long sent = message_call(POLLOUT, SYS_sendmsg, socket->fd, header, host_flags);
    if (sent < 0)
        return errno_status();
    return write_guest(&guest->done, static_cast<uint64_t>(sent));
}

extern "C" bsc_status host_socket_receive(bsc_handle handle, bsc_socket_message *guest,
                                          uint32_t flags) {
    std::shared_ptr<Object> socket;
    bsc_socket_message message;
    constexpr uint32_t kFlags = BSC_MESSAGE_PEEK | BSC_MESSAGE_DONT_WAIT | BSC_MESSAGE_WAIT_ALL |
                                BSC_MESSAGE_TRUNCATE;
    if (bsc_status s = read_message(handle, guest, flags, kFlags, socket, message))
        return s;
    if (message.handle_count > kMaxPassed)
        return BSC_E_INVALID;
    if (message.handle_count &&
        probe_out(reinterpret_cast<bsc_handle *>(message.handles), message.handle_count))
        return BSC_E_FAULT;
    std::vector<char> control = control_buffer(message.handle_count);
    sockaddr_storage from{};
    iovec data{reinterpret_cast<void *>(message.buffer), message.size};
    msghdr header = host_message(data, &from, sizeof from, control);
    int host_flags = MSG_CMSG_CLOEXEC | (flags & BSC_MESSAGE_PEEK ? MSG_PEEK : 0) |
                     (flags & BSC_MESSAGE_DONT_WAIT ? MSG_DONTWAIT : 0) |
                     (flags & BSC_MESSAGE_WAIT_ALL ? MSG_WAITALL : 0) |
                     (flags & BSC_MESSAGE_TRUNCATE ? MSG_TRUNC : 0);
    long got = message_call(POLLIN, SYS_recvmsg, socket->fd, header, host_flags);
    if (got < 0)
        return errno_status();
    message.done = static_cast<uint64_t>(got);
    message.result_flags = (header.msg_flags & MSG_TRUNC ? BSC_MESSAGE_TRUNCATED : 0) |
                           (header.msg_flags & MSG_CTRUNC ? BSC_MESSAGE_HANDLES_TRUNCATED : 0);
    if (bsc_status s = publish_rights(header, message))
        return s;
    if (message.address &&
        write_guest(reinterpret_cast<bsc_socket_address *>(message.address),
                    abi_address(from, header.msg_namelen)) != BSC_OK)
        return BSC_E_FAULT;
    return write_guest(guest, message);
}
