// SPDX-License-Identifier: MIT
// POSIX message queues: mqueue_open, mqueue_unlink, mqueue_send, mqueue_receive and
// stream_control's BSC_CONTROL_MQUEUE_ATTRIBUTES and _MQUEUE_NOTIFY. A queue is the host
// kernel's (its mqueue file system, machine-wide like the System V objects) and a stream is
// its descriptor, so poll, close, fork's sharing and O_NONBLOCK are those of any host
// stream, and the kernel makes every check in its own order. A notification comes as
// kNoticeSignal with SI_MESGQ, which notify.cpp keeps for process_notices_take.
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

constexpr int64_t kNanos = 1000000000;

// The kernel's errors as the ABI names them: EOVERFLOW (attributes whose product
// overflows) has a code of its own, unlike other calls' EOVERFLOW (TOO_BIG).
bsc_status queue_status(long result) {
    if (result >= 0)
        return BSC_OK;
    return errno == EOVERFLOW ? BSC_E_OVERFLOW : errno_status();
}

// The queue behind a handle (BAD_HANDLE for a stream of another kind, Linux's EBADF).
std::shared_ptr<Object> find_queue(bsc_handle handle) {
    auto stream = find_stream(handle);
    return stream && stream->type == BSC_TYPE_MQUEUE ? stream : nullptr;
}

// An absolute CLOCK_REALTIME deadline as the kernel takes it; null for none.
bsc_status deadline_of(int64_t deadline_ns, timespec &ts, const timespec *&out) {
    out = nullptr;
    if (deadline_ns == BSC_WAIT_FOREVER)
        return BSC_OK;
    if (deadline_ns < 0)
        return BSC_E_INVALID;
    ts = {static_cast<time_t>(deadline_ns / kNanos), static_cast<long>(deadline_ns % kNanos)};
    out = &ts;
    return BSC_OK;
}

int open_flags(uint32_t access, uint32_t create, uint32_t flags) {
    int oflag = static_cast<int>(access) - 1; // O_RDONLY, O_WRONLY, O_RDWR
    if (create != BSC_CREATE_NEVER)
        oflag |= O_CREAT | (create == BSC_CREATE_ALWAYS ? O_EXCL : 0);
    return oflag | O_CLOEXEC | (flags & BSC_OPTION_NONBLOCK ? O_NONBLOCK : 0);
}

} // namespace

bool is_queue_command(uint32_t command) {
    return command == BSC_CONTROL_MQUEUE_ATTRIBUTES || command == BSC_CONTROL_MQUEUE_NOTIFY;
}

// BSC_CONTROL_MQUEUE_ATTRIBUTES (mq_getsetattr's answer) and _MQUEUE_NOTIFY (mq_notify:
// the kernel makes this process the owner, or BUSY while another is; a notification
// comes as kNoticeSignal with the descriptor as its value, see notify.cpp).
bsc_status queue_control(const Object &stream, uint32_t command, void *data, uint64_t size) {
    if (command == BSC_CONTROL_MQUEUE_ATTRIBUTES ? size != sizeof(bsc_mqueue_attributes)
                                                 : size != sizeof(bsc_mqueue_notification))
        return BSC_E_INVALID;
    if (stream.type != BSC_TYPE_MQUEUE)
        return BSC_E_NOT_SUPPORTED;
    if (command == BSC_CONTROL_MQUEUE_ATTRIBUTES) {
        mq_attr now{};
        if (::syscall(SYS_mq_getsetattr, stream.fd, nullptr, &now) != 0)
            return errno_status();
        bsc_mqueue_attributes out{(now.mq_flags & O_NONBLOCK) ? uint32_t{BSC_OPTION_NONBLOCK} : 0,
                                  0, now.mq_maxmsg, now.mq_msgsize, now.mq_curmsgs};
        return write_guest(static_cast<bsc_mqueue_attributes *>(data), out);
    }
    bsc_mqueue_notification wanted{};
    if (read_guest(static_cast<const bsc_mqueue_notification *>(data), wanted) != BSC_OK)
        return BSC_E_FAULT;
    if (wanted.kind > BSC_MQUEUE_NOTIFY_NOTICE || wanted.reserved != 0)
        return BSC_E_INVALID;
    if (wanted.kind == BSC_MQUEUE_NOTIFY_REMOVE)
        return check(::syscall(SYS_mq_notify, stream.fd, nullptr));
    sigevent event{};
    event.sigev_notify = wanted.kind == BSC_MQUEUE_NOTIFY_NONE ? SIGEV_NONE : SIGEV_SIGNAL;
    event.sigev_signo = kNoticeSignal;
    event.sigev_value.sival_int = stream.fd;
    return check(::syscall(SYS_mq_notify, stream.fd, &event));
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

// mq_open of `name` as Linux's system call takes it (no leading slash): the kernel checks
// the name (ACCESS, NAME_TOO_LONG), the existence (NOT_FOUND, EXISTS), the permission, and
// for a new queue the attributes (INVALID, OVERFLOW) and the user's limits (NO_SPACE,
// NO_MEMORY, TOO_MANY). The mode is used as given (this process's umask is 0).
extern "C" bsc_status host_mqueue_open(const char *name, uint32_t access, uint32_t mode,
                                       uint32_t create, const bsc_mqueue_attributes *attributes,
                                       bsc_handle *handle) {
    std::string text;
    if (bsc_status s = read_guest_string(name, text))
        return s;
    bsc_mqueue_attributes wanted{};
    if (read_guest(attributes, wanted) != BSC_OK)
        return BSC_E_FAULT;
    constexpr uint32_t kFlags = uint32_t{BSC_OPTION_NONBLOCK} | BSC_MQUEUE_DEFAULT_SIZE;
    if (access < BSC_ACCESS_READ || access > BSC_ACCESS_RDWR || create > BSC_CREATE_ALWAYS ||
        (mode & ~07777u) || (wanted.flags & ~kFlags) || wanted.reserved != 0)
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(handle))
        return s;
    mq_attr sizes{0, wanted.max_messages, wanted.message_size, 0, {}};
    bool defaults = wanted.flags & BSC_MQUEUE_DEFAULT_SIZE;
    long fd = ::syscall(SYS_mq_open, text.c_str(), open_flags(access, create, wanted.flags),
                        mode, defaults ? nullptr : &sizes);
    if (fd < 0)
        return queue_status(fd);
    auto stream = std::make_shared<Object>(BSC_TYPE_MQUEUE, static_cast<int>(fd), "mqueue:" + text);
    stream->access = access;
    stream->options = wanted.flags & BSC_OPTION_NONBLOCK;
    return publish(stream, handle);
}

extern "C" bsc_status host_mqueue_unlink(const char *name) {
    std::string text;
    if (bsc_status s = read_guest_string(name, text))
        return s;
    return check(::syscall(SYS_mq_unlink, text.c_str()));
}

// mq_timedsend: the kernel checks the priority (INVALID), the direction (BAD_HANDLE), the
// size (MESSAGE_TOO_BIG) and reads the message (FAULT); a full queue waits until the
// deadline (TIMED_OUT) unless the stream is non-blocking (AGAIN).
extern "C" bsc_status host_mqueue_send(bsc_handle handle, const void *message, uint64_t size,
                                       uint32_t priority, int64_t deadline_ns) {
    timespec ts;
    const timespec *deadline;
    if (bsc_status s = deadline_of(deadline_ns, ts, deadline))
        return s;
    auto queue = find_queue(handle);
    if (!queue)
        return BSC_E_BAD_HANDLE;
    return check(blocking_fd_syscall(POLLOUT, SYS_mq_timedsend, queue->fd,
                                     reinterpret_cast<long>(message), static_cast<long>(size),
                                     priority, reinterpret_cast<long>(deadline)));
}

// mq_timedreceive: the kernel writes the priority (when asked) and then the message; one
// that cannot be written is lost, as on Linux.
extern "C" bsc_status host_mqueue_receive(bsc_handle handle, void *message, uint64_t size,
                                          int64_t deadline_ns, uint32_t *priority,
                                          uint64_t *length) {
    timespec ts;
    const timespec *deadline;
    if (bsc_status s = deadline_of(deadline_ns, ts, deadline))
        return s;
    if (bsc_status s = probe_out(length))
        return s;
    auto queue = find_queue(handle);
    if (!queue)
        return BSC_E_BAD_HANDLE;
    long n = blocking_fd_syscall(POLLIN, SYS_mq_timedreceive, queue->fd,
                                 reinterpret_cast<long>(message), static_cast<long>(size),
                                 reinterpret_cast<long>(priority),
                                 reinterpret_cast<long>(deadline));
    if (n < 0)
        return errno_status();
    return write_guest(length, static_cast<uint64_t>(n));
}
