// SPDX-License-Identifier: MIT
// Sending and receiving on sockets: sendto, recvfrom, sendmsg, recvmsg and the batched
// sendmmsg, recvmmsg, with their addresses, MSG_* flags and SCM_RIGHTS descriptors, over
// socket_send / socket_receive.
#include <asm-generic/fcntl.h>
#include <asm/signal.h>
#include <stddef.h>

#include "heap.h"
#include "iovec.h"
#include "signals.h"
#include "socket_address.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kMsgOob = 0x1, kMsgPeek = 0x2, kMsgTrunc = 0x20, kMsgDontwait = 0x40,
                   kMsgWaitall = 0x100, kMsgCtrunc = 0x8, kMsgErrqueue = 0x2000,
                   kMsgNosignal = 0x4000, kMsgMore = 0x8000, kMsgCmsgCloexec = 0x40000000;
constexpr int32_t kScmRights = 1;
constexpr uint32_t kMaxPassed = 253; // SCM_MAX_FD
struct MsgHdr {
    uint64_t name;
    int32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};
// struct mmsghdr: a message and the bytes sendmmsg sent or recvmmsg received of it.
struct MmsgHdr {
    MsgHdr hdr;
    uint32_t len, pad;
};
constexpr uint64_t kMsgWaitforone = 0x10000;

struct CmsgHdr {
    uint64_t len;
    int32_t level, type;
};

// One message's data: the program's buffer itself for one segment, else a LibOS buffer
// gathered from (or to be scattered to) the segments.
class MessageData {
public:
    ~MessageData() {
        if (bounce_)
            release(bounce_, segments_.total);
    }
    int64_t load(uint64_t iov, uint64_t count, bool gather) {
        if (count > kMaxIov)
            return -EMSGSIZE; // a message's array, unlike readv's (EINVAL)
        if (int64_t error = segments_.import(iov, count))
            return error;
        if (count <= 1 || segments_.total == 0)
            return 0;
        bounce_ = static_cast<char *>(allocate(segments_.total));
        return gather ? copy(true, segments_.total) : 0;
    }
    uint64_t buffer() const {
        if (bounce_)
            return reinterpret_cast<uint64_t>(bounce_);
        return segments_.count ? segments_.segments[0].base : 0;
    }
    uint64_t size() const { return segments_.total; }
    // Moves `bytes` between the LibOS buffer and the segments.
    int64_t copy(bool gather, uint64_t bytes) {
        if (!bounce_)
            return 0;
        return copy_segments(segments_, 0, bounce_, bytes, !gather) == bytes ? 0 : -EFAULT;
    }

private:
    IoVector segments_;
    char *bounce_ = nullptr;
};

// One blocking transfer: the bytes moved, or -errno.
int64_t transfer(bsc_handle handle, bsc_socket_message &message, uint32_t flags, bool send,
                 uint64_t linux_flags) {
    uint32_t timeout = send ? BSC_SOCKOPT_SEND_TIMEOUT : BSC_SOCKOPT_RECEIVE_TIMEOUT;
    int64_t result = socket_blocking(handle, timeout, [&] {
        return send ? abi().socket_send(handle, &message, flags)
                    : abi().socket_receive(handle, &message, flags);
    });
    if (result == -EPIPE && !(linux_flags & kMsgNosignal))
        raise_signal(SIGPIPE, kSiUser); // and EPIPE, as on Linux
    return result == 0 ? static_cast<int64_t>(message.done) : result;
}

int64_t refuse_flags(const char *call, uint64_t flags) {
    if (flags & kMsgOob) {
        report_unsupported(call, "MSG_OOB");
        return -EOPNOTSUPP;
    }
    if (flags & kMsgErrqueue) {
        report_unsupported(call, "MSG_ERRQUEUE");
        return -EAGAIN; // an empty error queue
    }
    return 0;
}

// The descriptors of a message's SCM_RIGHTS, as handles (at most kMaxPassed).
int64_t rights_from_user(uint64_t control, uint64_t length, bsc_handle *handles,
                         uint32_t &count, OpenFile **files) {
    for (uint64_t at = 0; at + sizeof(CmsgHdr) <= length;) {
        CmsgHdr header;
        if (!get_user(control + at, header))
            return -EFAULT;
        if (header.len < sizeof(CmsgHdr) || header.len > length - at)
            return -EINVAL;
        if (header.level == kSolSocket) {
            if (header.type != kScmRights) {
                report_unsupported("sendmsg", "a control message other than SCM_RIGHTS");
                return -EINVAL;
            }
            uint64_t n = (header.len - sizeof(CmsgHdr)) / sizeof(int32_t);
            if (count + n > kMaxPassed)
                return -EINVAL;
            for (uint64_t i = 0; i < n; i++) {
                int32_t fd;
                if (!get_user(control + at + sizeof(CmsgHdr) + i * 4, fd))
                    return -EFAULT;
                FileRef file(fd);
                if (!file)
                    return -EBADF;
                if (file->handle == BSC_NO_HANDLE) {
                    report_unsupported("sendmsg", "SCM_RIGHTS of a file the LibOS serves itself");
                    return -EOPNOTSUPP;
                }
                file_acquire(file.get());
                files[count] = file.get();
                handles[count++] = file->handle;
            }
        }
        at += (header.len + 7) & ~uint64_t{7};
    }
    return 0;
}

// Installs received handles as descriptors and writes their SCM_RIGHTS message.
int64_t rights_to_user(const bsc_handle *handles, uint32_t count, uint64_t control,
                       uint64_t room, bool cloexec, uint64_t &used) {
    used = 0;
    if (count == 0)
        return 0;
    int32_t fds[kMaxPassed];
    for (uint32_t i = 0; i < count; i++) {
        bsc_stream_attributes attributes{};
        abi().stream_attributes_query_by_handle(handles[i], &attributes);
        bsc_object_info info{};
        char uri[8];
        abi().object_query(handles[i], &info, uri, sizeof uri);
        uint32_t flags = ((info.access & BSC_ACCESS_RDWR) == BSC_ACCESS_RDWR ? O_RDWR
                          : info.access & BSC_ACCESS_WRITE                   ? O_WRONLY
                                                                             : O_RDONLY) |
                         (info.options & BSC_OPTION_NONBLOCK ? O_NONBLOCK : 0);
        fds[i] = fd_install(open_file(handles[i], flags, attributes.type, nullptr), 0, cloexec);
        if (fds[i] < 0) { // EMFILE: the handles not yet installed are closed
            for (uint32_t j = i + 1; j < count; j++)
                abi().object_close(handles[j]);
            return fds[i];
        }
    }
    CmsgHdr header{sizeof(CmsgHdr) + count * sizeof(int32_t), kSolSocket, kScmRights};
    if (!put_user(control, header) ||
        !copy_to_user(control + sizeof header, fds, count * sizeof(int32_t)))
        return -EFAULT;
    uint64_t space = (header.len + 7) & ~uint64_t{7};
    used = space < room ? space : room;
    return 0;
}

int64_t send_message(int fd, const MsgHdr &msg, uint64_t flags, const char *call) {
    SocketRef socket(fd);
    if (int64_t error = socket.error())
        return error;
    if (int64_t error = refuse_flags(call, flags))
        return error;
    MessageData data;
    if (int64_t error = data.load(msg.iov, msg.iovlen, true))
        return error;
    bsc_socket_message message{};
    message.buffer = data.buffer();
    message.size = data.size();
    bsc_socket_address address{};
    uint32_t domain = socket_domain(socket.handle());
    bool stream = socket_type(socket.handle()) == BSC_SOCKET_STREAM;
    if (msg.name && msg.namelen && !(stream && domain != BSC_SOCKET_UNIX)) { // TCP ignores it
        int64_t length = msg.namelen > 128 ? 128 : msg.namelen;
        if (int64_t error = address_from_user(msg.name, length, domain, false, address))
            return error;
        message.address = reinterpret_cast<uint64_t>(&address);
    }
    bsc_handle handles[kMaxPassed];
    OpenFile *files[kMaxPassed];
    uint32_t count = 0;
    int64_t result = 0;
    if (msg.control && msg.controllen && domain == BSC_SOCKET_UNIX)
        result = rights_from_user(msg.control, msg.controllen, handles, count, files);
    message.handles = reinterpret_cast<uint64_t>(handles);
    message.handle_count = count;
    // MSG_MORE goes to the host's socket, which holds the data back as Linux's (TCP's
    // cork, UDP's pending datagram; a UNIX socket ignores it).
    uint32_t abi_flags = (flags & kMsgDontwait ? BSC_MESSAGE_DONT_WAIT : 0) |
                         (flags & kMsgMore ? BSC_MESSAGE_MORE : 0);
    if (result == 0)
        result = transfer(socket.handle(), message, abi_flags, true, flags);
    for (uint32_t i = 0; i < count; i++)
        file_release(files[i]);
    return result;
}

// recvmsg's and recvfrom's common part: the data, the sender's address at msg.name (its
// room and length in the int at `name_length`, as move_addr_to_user) and the passed
// descriptors; the bytes (or the whole datagram with MSG_TRUNC), or -errno.
int64_t receive_message(int fd, MsgHdr &msg, uint64_t flags, bool with_control,
                        uint64_t name_length) {
    SocketRef socket(fd);
    if (int64_t error = socket.error())
        return error;
    if (int64_t error = refuse_flags("recvmsg", flags))
        return error;
    MessageData data;
    if (int64_t error = data.load(msg.iov, msg.iovlen, false))
        return error;
    bsc_socket_message message{};
    message.buffer = data.buffer();
    message.size = data.size();
    bsc_socket_address from{};
    message.address = reinterpret_cast<uint64_t>(&from);
    bsc_handle handles[kMaxPassed];
    message.handles = reinterpret_cast<uint64_t>(handles);
    if (with_control && msg.control && msg.controllen >= sizeof(CmsgHdr)) {
        uint64_t room = (msg.controllen - sizeof(CmsgHdr)) / sizeof(int32_t);
        message.handle_count = static_cast<uint32_t>(room < kMaxPassed ? room : kMaxPassed);
    }
    uint32_t abi_flags = (flags & kMsgPeek ? BSC_MESSAGE_PEEK : 0) |
                         (flags & kMsgDontwait ? BSC_MESSAGE_DONT_WAIT : 0) |
                         (flags & kMsgWaitall ? BSC_MESSAGE_WAIT_ALL : 0) |
                         (flags & kMsgTrunc ? BSC_MESSAGE_TRUNCATE : 0);
    int64_t result = transfer(socket.handle(), message, abi_flags, false, flags);
    if (result < 0)
        return result;
    uint64_t moved = message.done < data.size() ? message.done : data.size();
    if (int64_t error = data.copy(false, moved))
        return error;
    msg.flags = static_cast<int32_t>(flags & kMsgCmsgCloexec) | // kept, as ____sys_recvmsg
                (message.result_flags & BSC_MESSAGE_TRUNCATED ? static_cast<int32_t>(kMsgTrunc) : 0) |
                (message.result_flags & BSC_MESSAGE_HANDLES_TRUNCATED ? static_cast<int32_t>(kMsgCtrunc) : 0);
    if (with_control && msg.control) {
        uint64_t used = 0;
        if (int64_t error = rights_to_user(handles, message.handle_count, msg.control,
                                           msg.controllen, flags & kMsgCmsgCloexec, used))
            return error;
        msg.controllen = used;
    } else {
        msg.controllen = 0;
    }
    if (msg.name)
        if (int64_t error = address_to_user(from, msg.name, name_length))
            return error;
    return result;
}

} // namespace

int64_t sys_sendto(Syscall &c) {
    Iovec segment{c.arg[1], c.arg[2]};
    MsgHdr msg{};
    msg.iov = reinterpret_cast<uint64_t>(&segment);
    msg.iovlen = 1;
    msg.name = c.arg[4];
    msg.namelen = static_cast<int32_t>(c.arg[5]);
    if (msg.name && msg.namelen < 0)
        return -EINVAL;
    return send_message(static_cast<int>(c.arg[0]), msg, c.arg[3] & 0xffffffff, "sendto");
}

int64_t sys_sendmsg(Syscall &c) {
    MsgHdr msg;
    if (!get_user(c.arg[1], msg))
        return -EFAULT;
    if (msg.namelen < 0)
        return -EINVAL;
    return send_message(static_cast<int>(c.arg[0]), msg, c.arg[2] & 0xffffffff, "sendmsg");
}

int64_t sys_recvfrom(Syscall &c) {
    Iovec segment{c.arg[1], c.arg[2]};
    MsgHdr msg{};
    msg.iov = reinterpret_cast<uint64_t>(&segment);
    msg.iovlen = 1;
    msg.name = c.arg[4]; // with a null length pointer: EFAULT after the data, as Linux
    return receive_message(static_cast<int>(c.arg[0]), msg, c.arg[3] & 0xffffffff, false,
                           c.arg[5]);
}

int64_t sys_recvmsg(Syscall &c) {
    MsgHdr msg;
    if (!get_user(c.arg[1], msg))
        return -EFAULT;
    if (msg.name && msg.namelen < 0)
        return -EINVAL;
    int64_t result = receive_message(static_cast<int>(c.arg[0]), msg, c.arg[2] & 0xffffffff, true,
                                     reinterpret_cast<uint64_t>(&msg.namelen));
    if (result < 0)
        return result;
    if (!put_user(c.arg[1], msg))
        return -EFAULT;
    return result;
}

// sendmmsg: each message as sendmsg sends it, its byte count in its msg_len; stops at
// the first failure, which is the answer only if nothing was sent (___sys_sendmmsg).
int64_t sys_sendmmsg(Syscall &c) {
    int fd = static_cast<int>(c.arg[0]);
    if (int64_t error = SocketRef(fd).error())
        return error;
    uint64_t count = (c.arg[2] & 0xffffffff) < kMaxIov ? c.arg[2] & 0xffffffff : kMaxIov;
    uint64_t flags = c.arg[3] & 0xffffffff;
    int64_t result = 0;
    uint64_t sent = 0;
    for (; sent < count; sent++) {
        uint64_t entry = c.arg[1] + sent * sizeof(MmsgHdr);
        MsgHdr msg;
        if (!get_user(entry, msg))
            result = -EFAULT;
        else if (msg.namelen < 0)
            result = -EINVAL;
        else
            result = send_message(fd, msg, flags, "sendmmsg");
        if (result >= 0 && !put_user(entry + offsetof(MmsgHdr, len), static_cast<uint32_t>(result)))
            result = -EFAULT;
        if (result < 0)
            break;
    }
    return sent ? static_cast<int64_t>(sent) : result;
}

// recvmmsg: each message as recvmsg receives it; MSG_WAITFORONE makes the ones after the
// first non-blocking; the timeout is looked at after each message, as Linux does, and what
// is left of it written back. A failure after some messages is not kept for the next call
// (Linux keeps it as the socket's error): the count is returned.
int64_t sys_recvmmsg(Syscall &c) {
    int64_t timeout = -1;
    if (c.arg[4])
        if (int64_t error = timespec_from_user(c.arg[4], timeout))
            return error;
    int64_t deadline = timeout < 0 ? -1 : clock_now(BSC_CLOCK_MONOTONIC) + timeout;
    int fd = static_cast<int>(c.arg[0]);
    if (int64_t error = SocketRef(fd).error())
        return error;
    uint64_t count = (c.arg[2] & 0xffffffff) < kMaxIov ? c.arg[2] & 0xffffffff : kMaxIov;
    uint64_t flags = c.arg[3] & 0xffffffff & ~kMsgWaitforone;
    int64_t result = 0;
    uint64_t received = 0;
    while (received < count) {
        uint64_t entry = c.arg[1] + received * sizeof(MmsgHdr);
        MsgHdr msg;
        if (!get_user(entry, msg))
            result = -EFAULT;
        else if (msg.name && msg.namelen < 0)
            result = -EINVAL;
        else
            result = receive_message(fd, msg, flags, true, reinterpret_cast<uint64_t>(&msg.namelen));
        if (result >= 0 && (!put_user(entry, msg) ||
                            !put_user(entry + offsetof(MmsgHdr, len), static_cast<uint32_t>(result))))
            result = -EFAULT;
        if (result < 0)
            break;
        received++;
        if (c.arg[3] & kMsgWaitforone)
            flags |= kMsgDontwait;
        if (deadline >= 0) {
            timeout = deadline - clock_now(BSC_CLOCK_MONOTONIC);
            if (timeout <= 0) {
                timeout = 0;
                break;
            }
        }
    }
    if (c.arg[4]) {
        Timespec left = to_timespec(timeout);
        if (!put_user(c.arg[4], left))
            return -EFAULT;
    }
    return received ? static_cast<int64_t>(received) : result;
}

} // namespace libos
