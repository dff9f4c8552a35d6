// SPDX-License-Identifier: MIT
// File-system notifications: a notify: stream is an inotify instance of the host's
// kernel, which queues the events of the objects it watches; stream_watch adds or changes
// a watch and BSC_CONTROL_WATCH_REMOVE removes one. The ABI numbers its event bits and
// lays out its records as inotify does, so the host passes both through unchanged.
// Leases, directory notification (dnotify) and O_ASYNC are the host kernel's on the
// stream's descriptor too; it tells of a broken lease, a changed directory or a stream
// become ready with kNoticeSignal, which process_notices_take hands over as notices.
#include <fcntl.h>
#include <unistd.h>
#include <sys/inotify.h>

#include <array>
#include <atomic>
#include <vector>

#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "streams.h"

namespace bsc::host {
namespace {

// The notices that came and were not taken: each slot 0, or kValid | reason << 48 | band
// << 32 | the descriptor. A full table drops the newest, as a full signal queue would.
constexpr uint64_t kValid = uint64_t{1} << 63;
std::array<std::atomic<uint64_t>, 256> pending_notices{};

// Whether an interrupt for the notices is on its way to the guest (see notice_arrived).
std::atomic<bool> interrupt_on_its_way{false};

bsc_handle handle_of_descriptor(int fd) {
    bsc_handle found = BSC_NO_HANDLE;
    handles().for_each([&](bsc_handle handle, const Object &object) {
        if (object.fd == fd && found == BSC_NO_HANDLE)
            found = handle;
    });
    return found;
}

int host_lease_type(uint32_t type) {
    return type == BSC_LOCK_READ ? F_RDLCK : type == BSC_LOCK_WRITE ? F_WRLCK : F_UNLCK;
}

// F_SETLEASE, after F_SETSIG: a break is told with kNoticeSignal, never with the SIGIO
// that would end the runtime. The kernel makes this process the lease's owner and checks
// the rest: ACCESS (not the file's owner, without CAP_LEASE), INVALID (no regular file,
// no such type), AGAIN (a conflicting open or lease).
bsc_status set_lease(const Object &stream, uint32_t type) {
    if (type > BSC_LOCK_UNLOCK)
        return BSC_E_INVALID;
    if (type != BSC_LOCK_UNLOCK && ::fcntl(stream.fd, F_SETSIG, kNoticeSignal) != 0)
        return errno_status();
    return check(::fcntl(stream.fd, F_SETLEASE, host_lease_type(type)));
}

// F_GETLEASE: the lease this stream holds, BSC_LOCK_UNLOCK for none.
bsc_status lease(const Object &stream, uint32_t *type) {
    int held = ::fcntl(stream.fd, F_GETLEASE);
    if (held < 0)
        return errno_status();
    uint32_t value = held == F_RDLCK ? BSC_LOCK_READ : held == F_WRLCK ? BSC_LOCK_WRITE
                                                                        : BSC_LOCK_UNLOCK;
    return write_guest(type, value);
}

// F_NOTIFY, after F_SETSIG as for leases; the kernel checks the directory (NOT_DIRECTORY)
// and makes this process the owner. No event bits: the notification goes.
bsc_status watch_directory(const Object &stream, uint32_t events) {
    if ((events & ~uint32_t{BSC_DIRECTORY_MULTISHOT}) != 0 &&
        ::fcntl(stream.fd, F_SETSIG, kNoticeSignal) != 0)
        return errno_status();
    return check(::fcntl(stream.fd, F_NOTIFY, events));
}

// O_ASYNC: the kernel tells of the stream's readiness (a pipe's, socket's, notify:
// stream's; other files take the flag and never tell), to this process. A terminal's
// driver would make its foreground group the owner, processes outside the guest among
// them, which the notice signal would end: NOT_SUPPORTED.
bsc_status set_async(const Object &stream, uint32_t on) {
    if (on > 1)
        return BSC_E_INVALID;
    if (stream.type == BSC_TYPE_TTY)
        return BSC_E_NOT_SUPPORTED;
    int flags = ::fcntl(stream.fd, F_GETFL);
    if (flags < 0)
        return errno_status();
    if (on && (::fcntl(stream.fd, F_SETSIG, kNoticeSignal) != 0 ||
               ::fcntl(stream.fd, F_SETOWN, ::getpid()) != 0))
        return errno_status();
    return check(::fcntl(stream.fd, F_SETFL, on ? flags | O_ASYNC : flags & ~O_ASYNC));
}

// Notices of POSIX message queues (SI_MESGQ), which carry a sender (pid and uid) where the
// others carry a band: each slot's word is 0 (free), kClaimed while the handler fills it,
// or kValid | the descriptor; its sender beside it.
constexpr uint64_t kClaimed = uint64_t{1} << 62;
struct QueueNotice {
    std::atomic<uint64_t> word;
    std::atomic<uint64_t> sender; // uid << 32 | pid
};
std::array<QueueNotice, 64> pending_queue_notices{};

void queue_notice_arrived(const siginfo_t *info) {
    for (auto &slot : pending_queue_notices) {
        uint64_t empty = 0;
        if (!slot.word.compare_exchange_strong(empty, kClaimed))
            continue;
        slot.sender = (uint64_t(info->si_uid) << 32) | uint32_t(info->si_pid);
        slot.word = kValid | uint32_t(info->si_value.sival_int);
        return;
    }
}

void take_queue_notices(std::vector<bsc_notice> &taken, uint32_t capacity) {
    for (auto &slot : pending_queue_notices) {
        if (taken.size() == capacity)
            return;
        uint64_t word = slot.word.load();
        if (!(word & kValid))
            continue;
        uint64_t sender = slot.sender.load();
        slot.word = 0;
        bsc_handle handle = handle_of_descriptor(static_cast<int32_t>(word & 0xffffffff));
        if (handle != BSC_NO_HANDLE)
            taken.push_back({handle, BSC_NOTICE_QUEUE, sender});
    }
}

} // namespace

bool notice_arrived(const siginfo_t *info) {
    if (info->si_code == SI_MESGQ) {
        queue_notice_arrived(info);
    } else {
        uint64_t word = kValid | (uint64_t(info->si_code & 0xff) << 48) |
                        (uint64_t(info->si_band & 0xffff) << 32) | uint32_t(info->si_fd);
        for (auto &slot : pending_notices) {
            uint64_t empty = 0;
            if (slot.compare_exchange_strong(empty, word))
                break;
        }
    }
    return !interrupt_on_its_way.exchange(true);
}

void notices_after_fork() {
    for (auto &slot : pending_notices)
        slot = 0;
    for (auto &slot : pending_queue_notices)
        slot.word = 0;
    interrupt_on_its_way = false;
}

bool is_notice_command(uint32_t command) {
    return command == BSC_CONTROL_LEASE || command == BSC_CONTROL_SET_LEASE ||
           command == BSC_CONTROL_WATCH_DIRECTORY || command == BSC_CONTROL_SET_ASYNC;
}

bsc_status notice_control(const Object &stream, uint32_t command, void *data) {
    auto *value = static_cast<uint32_t *>(data);
    if (command == BSC_CONTROL_LEASE)
        return lease(stream, value);
    uint32_t wanted = 0;
    if (read_guest(value, wanted) != BSC_OK)
        return BSC_E_FAULT;
    switch (command) {
    case BSC_CONTROL_SET_LEASE: return set_lease(stream, wanted);
    case BSC_CONTROL_SET_ASYNC: return set_async(stream, wanted);
    default: return watch_directory(stream, wanted);
    }
}

// stream_open("notify:"): read-only, never created, NONBLOCK its only option. A read
// waits for an event unless NONBLOCK (may_wait in files.cpp).
bsc_status open_notifier(uint32_t access, uint32_t create, uint32_t options,
                         std::shared_ptr<Object> &out) {
    if (access != BSC_ACCESS_READ || create != BSC_CREATE_NEVER ||
        (options & ~uint32_t{BSC_OPTION_NONBLOCK}))
        return BSC_E_INVALID;
    int fd = ::inotify_init1(IN_CLOEXEC | (options & BSC_OPTION_NONBLOCK ? IN_NONBLOCK : 0));
    if (fd < 0)
        return errno_status(); // EMFILE: the user's instances (max_user_instances): TOO_MANY
    out = std::make_shared<Object>(BSC_TYPE_NOTIFIER, fd, "notify:");
    out->access = access;
    out->options = options;
    return BSC_OK;
}

// BSC_CONTROL_WATCH_REMOVE: the watch goes, and its BSC_WATCH_IGNORED event is queued.
bsc_status remove_watch(const Object &stream, const void *data) {
    int32_t watch = 0;
    if (read_guest(static_cast<const int32_t *>(data), watch) != BSC_OK)
        return BSC_E_FAULT;
    if (stream.type != BSC_TYPE_NOTIFIER)
        return BSC_E_NOT_SUPPORTED;
    return check(::inotify_rm_watch(stream.fd, watch)); // EINVAL: no such watch
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

// inotify_add_watch on the object the URI names: the kernel checks the events (INVALID
// without one it knows, or with ADD and CREATE_ONLY together), follows a final link
// unless NO_FOLLOW, wants a directory with ONLY_DIRECTORY, needs read permission
// (ACCESS) and counts the user's watches (NO_SPACE); EXISTS for CREATE_ONLY on an object
// watched already.
extern "C" bsc_status host_stream_watch(bsc_handle notifier, const char *uri, uint32_t events,
                                        int32_t *watch) {
    auto stream = find_stream(notifier);
    if (!stream)
        return BSC_E_BAD_HANDLE;
    if (stream->type != BSC_TYPE_NOTIFIER)
        return BSC_E_NOT_SUPPORTED;
    StreamUri parsed;
    if (bsc_status s = read_path_uri(uri, parsed))
        return s;
    if (bsc_status s = probe_out(watch))
        return s;
    int number = ::inotify_add_watch(stream->fd, parsed.path.c_str(), events);
    if (number < 0)
        return errno_status();
    return write_guest(watch, static_cast<int32_t>(number));
}

// The notices in the order they came, as far as `capacity` goes; one about a descriptor
// closed since is dropped (its handle is gone).
extern "C" bsc_status host_process_notices_take(bsc_notice *notices, uint32_t capacity,
                                                uint32_t *count) {
    if (bsc_status s = probe_out(count))
        return s;
    if (capacity && probe_out(notices, capacity))
        return BSC_E_FAULT;
    // Cleared first: a notice that comes from here on interrupts the guest again.
    interrupt_on_its_way = false;
    std::vector<bsc_notice> taken;
    take_queue_notices(taken, capacity);
    for (auto &slot : pending_notices) {
        if (taken.size() == capacity)
            break;
        uint64_t word = slot.exchange(0);
        if (word == 0)
            continue;
        bsc_handle handle = handle_of_descriptor(static_cast<int32_t>(word & 0xffffffff));
        if (handle != BSC_NO_HANDLE)
            taken.push_back({handle, static_cast<uint32_t>((word >> 48) & 0xff),
                             (word >> 32) & 0xffff});
    }
    if (bsc_status s = copy_to_guest(notices, taken.data(), taken.size() * sizeof(bsc_notice)))
        return s;
    return write_guest(count, static_cast<uint32_t>(taken.size()));
}
