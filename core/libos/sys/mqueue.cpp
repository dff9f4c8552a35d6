// SPDX-License-Identifier: MIT
// POSIX message queues: mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_notify,
// mq_getsetattr. A queue is the host's (mqueue_open ..., abi/README.md): machine-wide like
// the System V objects, shared by the guest's processes and with programs outside it. Its
// descriptor is a host stream, so poll, select, epoll, dup, fork's sharing, close and
// O_NONBLOCK are those of any host stream; the host's kernel checks the name, the
// attributes, the permissions, the sizes and the direction in its own order, and the
// LibOS what Linux checks before it finds the descriptor.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>

#include "fd_table.h"
#include "paths.h"
#include "signals.h"
#include "syscalls.h"
#include "sysv_ipc.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kPriorityMax = 32768; // MQ_PRIO_MAX
constexpr int32_t kSigevSignal = 0, kSigevNone = 1, kSigevThread = 2;
constexpr uint64_t kCookieSize = 32; // NOTIFY_COOKIE_LEN
constexpr uint64_t kNameMax = 4096;  // getname's PATH_MAX
constexpr uint32_t kMaxSignal = 64; // _NSIG: valid_signal's bound (0 is valid)

// Linux's struct mq_attr and struct sigevent (x86-64).
struct MqAttr {
    int64_t flags, max_messages, message_size, messages;
    int64_t reserved[4];
};
struct Sigevent {
    uint64_t value;
    int32_t signo, notify;
    uint8_t rest[48];
};
static_assert(sizeof(MqAttr) == 64 && sizeof(Sigevent) == 64);

// The queue behind descriptor `fd`, as the kernel's fdget and its f_op check find it: null
// (EBADF) for no descriptor or one of another kind.
OpenFile *queue_of(const FileRef &file) {
    return file && file->type == BSC_TYPE_MQUEUE && !(file->flags & O_PATH) ? file.get()
                                                                             : nullptr;
}

// Whether a descriptor is free below the limit: mq_open takes one (EMFILE) before it looks
// up the name, so that no queue is made for a descriptor that cannot be.
bool descriptor_free() {
    OpenFile *const *table = descriptor_table();
    for (int fd = 0; fd < fd_limit(); fd++)
        if (!table[fd])
            return true;
    return false;
}

// A send or receive the host may end early for an interrupt: made again while the
// interrupt brought no signal; a signal stops it, restarted after an SA_RESTART handler
// (the kernel's wq_sleep returns ERESTARTSYS; the deadline is absolute).
template <class Call> int64_t queue_wait(Call call) {
    bsc_status status;
    while ((status = call()) == BSC_E_INTERRUPTED)
        if (signal_pending())
            return -kRestartSyscall;
    return result_of(status);
}

// The deadline of a timed call (CLOCK_REALTIME ns, BSC_WAIT_FOREVER for none): the kernel
// reads and checks it first (EFAULT, EINVAL), whether the call would wait or not.
int64_t deadline_from_user(uint64_t address, int64_t &deadline) {
    return timespec_from_user(address, deadline, BSC_WAIT_FOREVER);
}

// Whether the kernel's lookup_one_len refuses the name itself (EACCES): a slash, "." or
// "..". (An empty name is getname's ENOENT, earlier.)
bool name_refused(const char *name) {
    for (const char *c = name; *c; c++)
        if (*c == '/')
            return true;
    return freestanding::equal(name, ".") || freestanding::equal(name, "..");
}

// O_RDWR|O_WRONLY (3): the kernel's prepare_open refuses it with EINVAL once the name and
// the queue's existence are fine (ENOENT without O_CREAT, EEXIST with O_EXCL), before any
// permission: the name is looked up by a probe that opens nothing for the program.
int64_t open_both_ways(const char *name, uint64_t flags) {
    if (!name[0])
        return -ENOENT;
    if (name_refused(name))
        return -EACCES;
    bsc_mqueue_attributes defaults{BSC_MQUEUE_DEFAULT_SIZE, 0, 0, 0, 0};
    bsc_handle probe = BSC_NO_HANDLE;
    bsc_status status = abi().mqueue_open(name, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                                          &defaults, &probe);
    if (status == BSC_OK)
        abi().object_close(probe);
    bool create = flags & O_CREAT;
    if (status == BSC_E_NOT_FOUND)
        return create ? -EINVAL : -ENOENT;
    if (status != BSC_OK && status != BSC_E_ACCESS) // ACCESS: it exists, unreadable
        return result_of(status);
    return create && (flags & O_EXCL) ? -EEXIST : -EINVAL;
}

} // namespace

// The kernel's order: the attributes are read (EFAULT), the name (EFAULT, ENAMETOOLONG),
// a descriptor is taken (EMFILE); the host then looks up the name and checks the rest.
// The descriptor is always close-on-exec, as Linux's.
int64_t sys_mq_open(Syscall &c) {
    uint64_t flags = c.arg[1];
    MqAttr attr{};
    if (c.arg[3] && !copy_from_user(&attr, c.arg[3], sizeof attr))
        return -EFAULT;
    char name[kNameMax];
    if (int64_t error = string_from_user(name, c.arg[0], sizeof name); error < 0)
        return error;
    if (!descriptor_free())
        return -EMFILE;
    if ((flags & O_ACCMODE) == (O_WRONLY | O_RDWR))
        return open_both_ways(name, flags);
    uint32_t access = (flags & O_ACCMODE) == O_RDONLY   ? BSC_ACCESS_READ
                      : (flags & O_ACCMODE) == O_WRONLY ? BSC_ACCESS_WRITE
                                                        : BSC_ACCESS_RDWR;
    uint32_t create = !(flags & O_CREAT) ? BSC_CREATE_NEVER
                      : (flags & O_EXCL) ? BSC_CREATE_ALWAYS
                                         : BSC_CREATE_TRY;
    uint32_t nonblock = flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
    bsc_mqueue_attributes wanted{
        nonblock | (c.arg[3] ? 0 : uint32_t{BSC_MQUEUE_DEFAULT_SIZE}), 0, attr.max_messages,
        attr.message_size, 0};
    auto mode = static_cast<uint32_t>(c.arg[2]) & ~file_mode_mask() & 07777;
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_status status = abi().mqueue_open(name, access, mode, create, &wanted, &handle);
    if (status != BSC_OK)
        return result_of(status); // OVERFLOW: EOVERFLOW; NO_SPACE: ENOSPC (queues_max)
    uint32_t kept = static_cast<uint32_t>(flags & (O_ACCMODE | O_NONBLOCK));
    return fd_install(open_file(handle, kept, BSC_TYPE_MQUEUE, nullptr), 0, true);
}

int64_t sys_mq_unlink(Syscall &c) {
    char name[kNameMax];
    if (int64_t error = string_from_user(name, c.arg[0], sizeof name); error < 0)
        return error;
    return result_of(abi().mqueue_unlink(name));
}

// The deadline, then the priority (EINVAL), then the descriptor (EBADF); the host checks
// the direction (EBADF), the size (EMSGSIZE) and reads the message (EFAULT).
int64_t sys_mq_timedsend(Syscall &c) {
    int64_t deadline;
    if (int64_t error = deadline_from_user(c.arg[4], deadline))
        return error;
    if (c.arg[3] >= kPriorityMax)
        return -EINVAL;
    FileRef file(static_cast<int>(c.arg[0]));
    OpenFile *queue = queue_of(file);
    if (!queue)
        return -EBADF;
    return queue_wait([&] {
        return abi().mqueue_send(queue->handle, reinterpret_cast<const void *>(c.arg[1]),
                                 c.arg[2], static_cast<uint32_t>(c.arg[3]), deadline);
    });
}

// The host checks the direction (EBADF) and a buffer shorter than the queue's message size
// (EMSGSIZE), writes the priority and then the message (EFAULT: the message is lost).
int64_t sys_mq_timedreceive(Syscall &c) {
    int64_t deadline;
    if (int64_t error = deadline_from_user(c.arg[4], deadline))
        return error;
    FileRef file(static_cast<int>(c.arg[0]));
    OpenFile *queue = queue_of(file);
    if (!queue)
        return -EBADF;
    uint64_t length = 0;
    int64_t result = queue_wait([&] {
        return abi().mqueue_receive(queue->handle, reinterpret_cast<void *>(c.arg[1]), c.arg[2],
                                    deadline, reinterpret_cast<uint32_t *>(c.arg[3]), &length);
    });
    return result < 0 ? result : static_cast<int64_t>(length);
}

// SIGEV_THREAD names a netlink socket (glibc's helper thread reads the cookie from it):
// the kernel reads the cookie (EFAULT), then finds the socket (EBADF, ENOTSOCK) and wants
// a netlink one (EINVAL). The LibOS has no netlink sockets (sockets.cpp refuses them, so
// glibc's mq_notify gives ENOSYS before it calls), so this is where such a request ends.
int64_t thread_notification(const Sigevent &event) {
    uint8_t cookie[kCookieSize];
    if (!copy_from_user(cookie, event.value, sizeof cookie))
        return -EFAULT;
    FileRef socket(event.signo);
    if (!socket || (socket->flags & O_PATH))
        return -EBADF;
    if (socket->type != BSC_TYPE_SOCKET)
        return -ENOTSOCK;
    report_unsupported("mq_notify", "SIGEV_THREAD (its netlink socket)");
    return -EINVAL;
}

// The kernel's order: the sigevent (EFAULT, EINVAL for an unknown kind or signal), the
// SIGEV_THREAD socket, then the descriptor; the host's kernel registers this process
// (EBUSY while another is). The signal and value are kept with the open file: the host
// tells of the message (take_file_notices), and the signal goes from here.
int64_t sys_mq_notify(Syscall &c) {
    Sigevent event{};
    bsc_mqueue_notification wanted{BSC_MQUEUE_NOTIFY_REMOVE, 0};
    if (c.arg[1]) {
        if (!copy_from_user(&event, c.arg[1], sizeof event))
            return -EFAULT;
        if (event.notify != kSigevNone && event.notify != kSigevSignal &&
            event.notify != kSigevThread)
            return -EINVAL;
        if (event.notify == kSigevSignal && static_cast<uint32_t>(event.signo) > kMaxSignal)
            return -EINVAL;
        if (event.notify == kSigevThread)
            return thread_notification(event);
        wanted.kind = event.notify == kSigevNone ? BSC_MQUEUE_NOTIFY_NONE
                                                  : BSC_MQUEUE_NOTIFY_NOTICE;
    }
    FileRef file(static_cast<int>(c.arg[0]));
    OpenFile *queue = queue_of(file);
    if (!queue)
        return -EBADF;
    bsc_status status =
        abi().stream_control(queue->handle, BSC_CONTROL_MQUEUE_NOTIFY, &wanted, sizeof wanted);
    if (status == BSC_OK && wanted.kind == BSC_MQUEUE_NOTIFY_NOTICE) {
        queue->notify_signal = event.signo;
        queue->notify_value = event.value;
    }
    return result_of(status);
}

// The new flags are read and checked (EFAULT, EINVAL for any but O_NONBLOCK) before the
// descriptor; the old attributes are written last (EFAULT after the change).
int64_t sys_mq_getsetattr(Syscall &c) {
    MqAttr wanted{};
    if (c.arg[1]) {
        if (!copy_from_user(&wanted, c.arg[1], sizeof wanted))
            return -EFAULT;
        if (wanted.flags & ~int64_t{O_NONBLOCK})
            return -EINVAL;
    }
    FileRef file(static_cast<int>(c.arg[0]));
    OpenFile *queue = queue_of(file);
    if (!queue)
        return -EBADF;
    bsc_mqueue_attributes now{};
    if (bsc_status s =
            abi().stream_control(queue->handle, BSC_CONTROL_MQUEUE_ATTRIBUTES, &now, sizeof now))
        return result_of(s);
    if (c.arg[1]) {
        bsc_stream_attributes set{};
        set.options = wanted.flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0;
        if (bsc_status s = abi().stream_attributes_set_by_handle(queue->handle, BSC_SET_OPTIONS,
                                                                 &set))
            return result_of(s);
        queue->flags = (queue->flags & ~uint32_t{O_NONBLOCK}) |
                       static_cast<uint32_t>(wanted.flags & O_NONBLOCK);
    }
    MqAttr old{now.flags & BSC_OPTION_NONBLOCK ? O_NONBLOCK : 0, now.max_messages,
               now.message_size, now.messages, {0, 0, 0, 0}};
    if (c.arg[2] && !copy_to_user(c.arg[2], &old, sizeof old))
        return -EFAULT;
    return 0;
}

// A message came to the empty queue this process registered for with SIGEV_SIGNAL (the
// registration is gone, as the kernel's __do_notify drops it): the signal goes to the
// process with si_code SI_MESGQ, the sender as the guest sees it and the value.
void queue_notice(OpenFile &file, const bsc_notice &notice) {
    if (file.notify_signal == 0)
        return;
    SignalInfo info{};
    info.signo = file.notify_signal;
    info.code = kSiMesgq;
    info.pid = guest_pid(notice.band & 0xffffffff);
    info.uid = static_cast<uint32_t>(notice.band >> 32);
    info.value = file.notify_value;
    file.notify_signal = 0;
    raise_signal_info(info);
}

void queue_descriptor_closed(OpenFile &file) {
    bsc_mqueue_notification remove{BSC_MQUEUE_NOTIFY_REMOVE, 0};
    if (abi().stream_control(file.handle, BSC_CONTROL_MQUEUE_NOTIFY, &remove, sizeof remove) ==
        BSC_OK)
        file.notify_signal = 0;
}

} // namespace libos
