// SPDX-License-Identifier: MIT
// fanotify: fanotify_init, fanotify_mark. A group is the host kernel's (a fanotify: stream
// of the ABI), which needs the host's privilege; the guest needs CAP_SYS_ADMIN in its own
// view. Its open file is of the LibOS's own kind so that its reads can turn each event's
// handle into a descriptor of the guest (with the group's event_f_flags) and the host's
// pid into the guest's, and its writes can name a permission event by the handle behind
// the descriptor the guest was given.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm/poll.h>
#include <linux/capability.h>
#include <linux/fanotify.h>

#include "fd_table.h"
#include "file_io.h"
#include "format.h"
#include "heap.h"
#include "paths.h"
#include "process_state.h"
#include "process_tree.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

// What this Linux serves of fanotify_init's flags (FANOTIFY_INIT_FLAGS of Linux 6.x, but
// FAN_REPORT_PIDFD and FAN_REPORT_TID: refused below, and newer report bits unknown).
constexpr uint32_t kClassBits = FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT;
constexpr uint32_t kFidBits = FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME |
                              FAN_REPORT_TARGET_FID;
constexpr uint32_t kInitFlags = FAN_CLOEXEC | FAN_NONBLOCK | kClassBits | FAN_UNLIMITED_QUEUE |
                                FAN_UNLIMITED_MARKS | FAN_ENABLE_AUDIT | FAN_REPORT_PIDFD |
                                FAN_REPORT_TID | kFidBits;
// The bits only a privileged caller may ask for (FANOTIFY_ADMIN_INIT_FLAGS).
constexpr uint32_t kAdminFlags = kClassBits | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS;

// fanotify_mark's flags (FANOTIFY_MARK_FLAGS) and mask bits (FANOTIFY_EVENTS and
// FANOTIFY_EVENT_FLAGS, with FANOTIFY_PERM_EVENTS) as Linux 6.x before its mount-namespace
// marks and pre-content events.
constexpr uint32_t kMarkIgnore = 0x400;   // FAN_MARK_IGNORE
constexpr uint32_t kMarkEvictable = 0x200; // FAN_MARK_EVICTABLE
constexpr uint32_t kMarkTypeBits = FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM;
constexpr uint32_t kMarkCommandBits = FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_FLUSH;
constexpr uint32_t kMarkFlags = kMarkTypeBits | kMarkCommandBits | FAN_MARK_DONT_FOLLOW |
                                FAN_MARK_ONLYDIR | FAN_MARK_IGNORED_MASK |
                                FAN_MARK_IGNORED_SURV_MODIFY | kMarkEvictable | kMarkIgnore;
constexpr uint64_t kPermEvents = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM;
// The events that name a path, and so carry a descriptor (FANOTIFY_FD_EVENTS).
constexpr uint64_t kFdEvents =
    FAN_ACCESS | FAN_MODIFY | FAN_CLOSE | FAN_OPEN | FAN_OPEN_EXEC | kPermEvents;
constexpr uint64_t kRename = 0x10000000; // FAN_RENAME
constexpr uint64_t kInodeEvents = FAN_ATTRIB | FAN_MOVE | FAN_CREATE | FAN_DELETE |
                                  FAN_DELETE_SELF | FAN_MOVE_SELF | kRename;
constexpr uint64_t kErrorEvent = 0x8000; // FAN_FS_ERROR
constexpr uint64_t kEventFlags = FAN_ONDIR | FAN_EVENT_ON_CHILD;
constexpr uint64_t kMarkMask = kFdEvents | kInodeEvents | kErrorEvent | kEventFlags;
// An exec's events: the LibOS maps a program itself, with ordinary opens and reads of the
// host, so the host's kernel never sees an exec to report (refused: a kernel before 5.0).
constexpr uint64_t kExecEvents = FAN_OPEN_EXEC | FAN_OPEN_EXEC_PERM;
// Linux 6.14's pre-content event: a denial's errno would not pass the ABI's status codes
// exactly (refused: a kernel before 6.14).
constexpr uint64_t kPreAccess = 0x00100000; // FAN_PRE_ACCESS

// A group's state, shared with the processes fork makes as its open file is on Linux: the
// permission events read and not answered, each by the descriptor number the reader got
// and the handle behind it, so that a response names the event even after a close.
constexpr uint32_t kUnanswered = 128;
struct Group {
    Spinlock lock;
    bsc_handle handle;
    uint32_t flags, event_flags; // fanotify_init's
    struct {
        int32_t fd; // -1: a free slot
        bsc_handle handle;
    } unanswered[kUnanswered];
};

Group &group_of(OpenFile &file) { return *static_cast<Group *>(file.state); }

void remember_unanswered(Group &g, int32_t fd, bsc_handle handle) {
    SpinGuard guard(g.lock);
    uint32_t slot = 0;
    for (uint32_t i = 0; i < kUnanswered; i++) {
        if (g.unanswered[i].fd == fd || g.unanswered[i].fd < 0) {
            slot = i;
            break;
        }
    }
    g.unanswered[slot] = {fd, handle};
}

// The handle a response's descriptor stands for (BSC_NO_HANDLE: no unanswered event).
bsc_handle unanswered_handle(Group &g, int32_t fd) {
    SpinGuard guard(g.lock);
    for (const auto &entry : g.unanswered)
        if (entry.fd == fd)
            return entry.handle;
    return BSC_NO_HANDLE;
}

void forget_unanswered(Group &g, int32_t fd) {
    SpinGuard guard(g.lock);
    for (auto &entry : g.unanswered)
        if (entry.fd == fd)
            entry.fd = -1;
}

// The guest's descriptor for an event's handle, opened as the group's event_f_flags say,
// named by the path the host gives (the guest's own under fs-translate).
int32_t install_event_file(const Group &g, bsc_handle handle) {
    bsc_stream_attributes attributes{};
    abi().stream_attributes_query_by_handle(handle, &attributes);
    bsc_object_info info{};
    char uri[kPathMax + 16] = "";
    abi().object_query(handle, &info, uri, sizeof uri);
    const char *path = freestanding::starts_with(uri, "file:")  ? uri + 5
                       : freestanding::starts_with(uri, "dir:") ? uri + 4
                                                                : nullptr;
    // x86-64 forces O_LARGEFILE on the group's files (force_o_largefile).
    uint32_t flags = (g.event_flags & ~uint32_t{O_CLOEXEC}) | O_LARGEFILE;
    return fd_install(open_file(handle, flags, attributes.type, path), 0,
                      g.event_flags & O_CLOEXEC);
}

// Rewrites the records the host read: each handle becomes a descriptor, each host pid the
// guest's (kept by an ended process, as the kernel keeps the event's; 0 for a process
// outside the guest, as Linux reports one outside the reader's pid namespace). Returns the bytes of whole records rewritten; a descriptor that cannot
// be had (EMFILE) ends them there, its error the result when it is the first.
int64_t rewrite_events(Group &g, char *records, uint64_t size) {
    uint64_t at = 0;
    while (at + sizeof(fanotify_event_metadata) <= size) {
        auto *event = reinterpret_cast<fanotify_event_metadata *>(records + at);
        if (event->fd >= 0) {
            auto handle = static_cast<bsc_handle>(event->fd);
            int32_t fd = install_event_file(g, handle);
            if (fd < 0) {
                for (uint64_t rest = at + event->event_len; rest + sizeof *event <= size;) {
                    auto *next = reinterpret_cast<fanotify_event_metadata *>(records + rest);
                    if (next->fd >= 0)
                        abi().object_close(static_cast<bsc_handle>(next->fd));
                    rest += next->event_len ? next->event_len : size;
                }
                return at ? static_cast<int64_t>(at) : fd;
            }
            if (event->mask & kPermEvents)
                remember_unanswered(g, fd, handle);
            event->fd = fd;
        }
        if (event->pid > 0)
            event->pid = pid_seen_for_host(static_cast<uint64_t>(event->pid));
        if (event->event_len < sizeof *event)
            break;
        at += event->event_len;
    }
    return static_cast<int64_t>(size);
}

// The descriptors of events the program could not be given (a bad buffer) close.
void close_event_files(const char *records, uint64_t size) {
    for (uint64_t at = 0; at + sizeof(fanotify_event_metadata) <= size;) {
        auto *event = reinterpret_cast<const fanotify_event_metadata *>(records + at);
        if (event->fd >= 0)
            fd_close(event->fd);
        if (event->event_len < sizeof *event)
            break;
        at += event->event_len;
    }
}

// Waits until the group has an event or a signal is pending.
// fanotify_read: whole records, as many as fit (EINVAL when the first does not); blocks
// restartably for the first unless O_NONBLOCK.
int64_t read_events(OpenFile &file, uint64_t buffer, uint64_t size) {
    Group &g = group_of(file);
    uint64_t room = size < 65536 ? size : 65536;
    auto *records = static_cast<char *>(allocate(room ? room : 1));
    int64_t result = read_host_records(g.handle, file.flags, records, room);
    if (result >= 0)
        result = rewrite_events(g, records, static_cast<uint64_t>(result));
    if (result > 0 && !copy_to_user(buffer, records, static_cast<uint64_t>(result))) {
        close_event_files(records, static_cast<uint64_t>(result));
        result = -EFAULT; // the events are gone, as the kernel loses one it cannot copy
    }
    release(records, room ? room : 1);
    return result;
}

// fanotify_write: a struct fanotify_response (EINVAL for fewer bytes) and its info
// records; its descriptor is given to the host as the event's handle.
int64_t write_response(OpenFile &file, uint64_t buffer, uint64_t size) {
    Group &g = group_of(file);
    fanotify_response head;
    if (size < sizeof head)
        return -EINVAL;
    uint64_t length = size < 4096 ? size : 4096;
    auto *response = static_cast<char *>(allocate(length));
    int64_t result = -EFAULT;
    if (copy_from_user(response, buffer, length)) {
        memcpy(&head, response, sizeof head);
        int32_t fd = head.fd;
        if (fd >= 0) {
            head.fd = static_cast<int32_t>(unanswered_handle(g, fd));
            memcpy(response, &head, sizeof head);
        }
        uint64_t done = 0;
        bsc_status status = abi().stream_write(g.handle, BSC_AT_POSITION, response, length, &done);
        result = status == BSC_OK ? static_cast<int64_t>(done) : result_of(status);
        if (status == BSC_OK && fd >= 0)
            forget_unanswered(g, fd);
    }
    release(response, length);
    return result;
}

int64_t group_transfer(OpenFile &file, uint64_t buffer, uint64_t size, bool write) {
    return write ? write_response(file, buffer, size) : read_events(file, buffer, size);
}

// fanotify_poll: readable while an event is queued; never writable.
uint32_t group_wait_items(OpenFile &file, int16_t events, bsc_wait_item *items, int16_t *bits) {
    if (!(events & (POLLIN | POLLRDNORM)))
        return 0;
    items[0] = {group_of(file).handle, BSC_WAIT_READ, 0};
    bits[0] = static_cast<int16_t>(events & (POLLIN | POLLRDNORM));
    return 1;
}

// fanotify_ioctl: FIONREAD, the bytes of the queued events' metadata (the host kernel's
// count: the info records are not counted, as Linux counts them); ENOTTY for the rest.
int64_t group_ioctl(OpenFile &file, uint64_t request, uint64_t address) {
    constexpr uint64_t kFionread = 0x541b;
    if (request != kFionread)
        return -ENOTTY;
    uint64_t bytes = 0;
    if (bsc_status status = abi().stream_control(group_of(file).handle, BSC_CONTROL_READABLE,
                                                 &bytes, sizeof bytes))
        return result_of(status);
    return put_user(address, static_cast<int32_t>(bytes)) ? 0 : -EFAULT;
}

void group_release(OpenFile &file) {
    abi().object_close(group_of(file).handle);
    destroy_shared(&group_of(file));
}

// fanotify_fops: .read and .write, no ->read_iter.
const FileKind kFanotify = {group_transfer,  group_wait_items, anonymous_inode_attributes,
                            group_release,   nullptr,          0,
                            "anon_inode:[fanotify]", group_ioctl};

// The checks of fanotify_init before the group is made, in the kernel's order: the
// privilege (an unprivileged group, which Linux allows with a file-id report, is not
// served: the host's group would be privileged), the flags, the event flags.
int64_t check_init(uint32_t flags) {
    if (!capable(CAP_SYS_ADMIN)) {
        if (!(flags & kAdminFlags) && (flags & kFidBits))
            report_unsupported("fanotify_init", "an unprivileged group");
        return -EPERM;
    }
    if (flags & ~kInitFlags)
        return -EINVAL;
    if (flags & FAN_REPORT_PIDFD) { // a pidfd of the host's in an info record
        report_unsupported("fanotify_init", "FAN_REPORT_PIDFD");
        return -EINVAL;
    }
    if (flags & FAN_REPORT_TID) { // a host thread id the LibOS cannot name
        report_unsupported("fanotify_init", "FAN_REPORT_TID");
        return -EINVAL;
    }
    return 0;
}

} // namespace

int64_t sys_fanotify_init(Syscall &c) {
    auto flags = static_cast<uint32_t>(c.arg[0]);
    auto event_flags = static_cast<uint32_t>(c.arg[1]);
    if (int64_t error = check_init(flags))
        return error;
    char uri[48];
    freestanding::format(uri, sizeof uri, "fanotify:%u,%u", flags, event_flags);
    bsc_handle handle = BSC_NO_HANDLE;
    bsc_status status = abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER,
                                          BSC_OPTION_NONBLOCK, &handle);
    if (status != BSC_OK)
        return result_of(status); // the kernel's EINVAL for the flags, EMFILE for groups
    if ((flags & FAN_ENABLE_AUDIT) && !capable(CAP_AUDIT_WRITE)) {
        abi().object_close(handle);
        return -EPERM;
    }
    auto *g = create_shared<Group>();
    if (!g) {
        abi().object_close(handle);
        return -ENOMEM;
    }
    g->handle = handle;
    g->flags = flags;
    g->event_flags = event_flags;
    for (auto &entry : g->unanswered)
        entry.fd = -1;
    uint64_t kept = (flags & FAN_NONBLOCK ? O_NONBLOCK : 0) | (flags & FAN_CLOEXEC ? O_CLOEXEC : 0);
    return install_anonymous(&kFanotify, g, kept);
}

namespace {

// do_fanotify_mark's checks of its arguments alone, in its order.
int64_t check_mark_arguments(uint32_t flags, uint64_t mask) {
    if (mask >> 32)
        return -EINVAL;
    if (flags & ~kMarkFlags)
        return -EINVAL;
    if ((flags & kMarkTypeBits) == kMarkTypeBits) {
        report_unsupported("fanotify_mark", "FAN_MARK_MNTNS");
        return -EINVAL;
    }
    switch (flags & kMarkCommandBits) {
    case FAN_MARK_ADD:
    case FAN_MARK_REMOVE:
        if (!mask)
            return -EINVAL;
        break;
    case FAN_MARK_FLUSH:
        if (flags & ~(kMarkTypeBits | FAN_MARK_FLUSH))
            return -EINVAL;
        break;
    default:
        return -EINVAL;
    }
    if (mask & kExecEvents) {
        report_unsupported("fanotify_mark", "FAN_OPEN_EXEC and FAN_OPEN_EXEC_PERM");
        return -EINVAL;
    }
    if (mask & kPreAccess) {
        report_unsupported("fanotify_mark", "FAN_PRE_ACCESS");
        return -EINVAL;
    }
    if (mask & ~kMarkMask)
        return -EINVAL;
    if ((flags & (kMarkIgnore | FAN_MARK_IGNORED_MASK)) == (kMarkIgnore | FAN_MARK_IGNORED_MASK))
        return -EINVAL;
    return 0;
}

// Its checks of the group and the caller, before the path.
int64_t check_mark_group(const Group &g, uint32_t flags, uint64_t mask) {
    uint32_t type = flags & kMarkTypeBits;
    if ((flags & (kMarkIgnore | FAN_MARK_IGNORED_MASK)) == FAN_MARK_IGNORED_MASK)
        mask &= ~kEventFlags; // the event flags mean nothing in an ignored mask
    if (type != FAN_MARK_INODE && !capable(CAP_SYS_ADMIN))
        return -EPERM;
    if ((mask & kPermEvents) && !(g.flags & kClassBits))
        return -EINVAL; // permission events need FAN_CLASS_CONTENT at least
    if ((mask & kErrorEvent) && type != FAN_MARK_FILESYSTEM)
        return -EINVAL;
    if ((flags & kMarkEvictable) && type != FAN_MARK_INODE)
        return -EINVAL;
    uint32_t fid_mode = g.flags & kFidBits;
    if ((mask & ~(kFdEvents | kEventFlags)) && (!fid_mode || type == FAN_MARK_MOUNT))
        return -EINVAL;
    if ((mask & kRename) && !(fid_mode & FAN_REPORT_NAME))
        return -EINVAL;
    return 0;
}

// The mark's object with no path: the open file `dirfd` (EBADF for AT_FDCWD, as the
// kernel looks only for a descriptor then, and for an O_PATH one).
int64_t mark_open_file(Group &g, int dirfd, uint32_t flags, uint64_t mask) {
    FileRef file(dirfd);
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if ((flags & FAN_MARK_ONLYDIR) && file->type != BSC_TYPE_DIRECTORY)
        return -ENOTDIR;
    if (file->handle == BSC_NO_HANDLE) {
        report_unsupported("fanotify_mark", "a mark on a file the LibOS serves itself");
        return -EINVAL;
    }
    return result_of(abi().stream_mark(g.handle, file->handle, "", flags, mask));
}

} // namespace

int64_t sys_fanotify_mark(Syscall &c) {
    auto flags = static_cast<uint32_t>(c.arg[1]);
    uint64_t mask = c.arg[2];
    if (int64_t error = check_mark_arguments(flags, mask))
        return error;
    FileRef file(static_cast<int>(c.arg[0]));
    if (!file || (file->flags & O_PATH))
        return -EBADF;
    if (file->kind != &kFanotify)
        return -EINVAL;
    Group &g = group_of(*file.get());
    if (int64_t error = check_mark_group(g, flags, mask))
        return error;
    if (flags & FAN_MARK_FLUSH)
        return result_of(abi().stream_mark(g.handle, BSC_NO_HANDLE, "", flags, mask));
    auto dirfd = static_cast<int>(c.arg[3]);
    if (c.arg[4] == 0)
        return mark_open_file(g, dirfd, flags, mask);
    char uri[kPathMax + 16];
    if (int64_t error = user_path_uri(dirfd, c.arg[4], !(flags & FAN_MARK_DONT_FOLLOW), uri,
                                      sizeof uri))
        return error;
    return result_of(abi().stream_mark(g.handle, BSC_NO_HANDLE, uri, flags, mask));
}

} // namespace libos
