// SPDX-License-Identifier: MIT
// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2: an
// interest list the LibOS keeps itself, waited on through the readiness query that poll
// and select use (wait_poll), so every descriptor poll understands works here too.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>

#include "fd_table.h"
#include "fdinfo.h"
#include "heap.h"
#include "poll.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "text.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint32_t kEpollIn = 0x1, kEpollOut = 0x4, kEpollErr = 0x8, kEpollHup = 0x10;
constexpr uint32_t kEpollRdHup = 0x2000, kEpollExclusive = 1u << 28;
constexpr uint32_t kEpollWakeup = 1u << 29, kEpollOneShot = 1u << 30, kEpollEt = 1u << 31;
// What EPOLLEXCLUSIVE may come with (the kernel's EPOLLEXCLUSIVE_OK_BITS).
constexpr uint32_t kExclusiveOk =
    kEpollIn | kEpollOut | kEpollErr | kEpollHup | kEpollWakeup | kEpollEt | kEpollExclusive;
// The bits that are readiness, not behaviour (what poll is asked and epoll reports).
constexpr uint32_t kReadinessBits = 0xffff | kEpollRdHup;
constexpr int kAdd = 1, kDel = 2, kMod = 3;
// The kernel's TASK_SIZE_MAX: access_ok refuses a buffer reaching beyond it.
constexpr uint64_t kUserTop = 0x7ffffffff000;

struct EpollEvent {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

// One watched descriptor. The epoll holds no reference to its file (closing the last
// descriptor of a file ends its watch, as on Linux): an item whose descriptor no longer
// names that file is dropped.
struct Interest {
    int32_t fd;
    OpenFile *file;
    uint32_t events; // as given, with EPOLLERR and EPOLLHUP
    uint64_t data;
    bool disarmed;        // EPOLLONESHOT, after its report, until EPOLL_CTL_MOD
    bool edge_reported;   // EPOLLET, reported and not yet re-armed
    uint64_t edge_seen;   // EPOLLET: the file's edge_token when it was reported
};

struct Epoll {
    Spinlock lock;
    Interest *items;
    uint32_t count, capacity;
    uint32_t next; // where the next report starts: after the last one, so none starves
};

Epoll &epoll_of(OpenFile &file) { return *static_cast<Epoll *>(file.state); }

Interest *find(Epoll &ep, int32_t fd, const OpenFile *file) {
    for (uint32_t i = 0; i < ep.count; i++)
        if (ep.items[i].fd == fd && ep.items[i].file == file)
            return &ep.items[i];
    return nullptr;
}

void remove(Epoll &ep, Interest *item) { *item = ep.items[--ep.count]; }

void append(Epoll &ep, const Interest &item) {
    make_room(ep.items, ep.count, ep.capacity, 1);
    ep.items[ep.count++] = item;
}

// Drops the items whose descriptor was closed (or now names another file).
void drop_closed(Epoll &ep) {
    for (uint32_t i = 0; i < ep.count;) {
        FileRef file(ep.items[i].fd);
        if (file.get() != ep.items[i].file)
            remove(ep, &ep.items[i]);
        else
            i++;
    }
}

// An edge-triggered item is reported again once new data (or room) may have come
// (edge_token, poll.h), or once it is seen not ready.
int16_t poll_events(const Interest &item) { return static_cast<int16_t>(item.events & kReadinessBits); }

bool edge_rearmed(const Interest &item) {
    return edge_token(*item.file, poll_events(item)) != item.edge_seen;
}

// The poll entries for the items: what each waits for, -1 for an item that cannot be
// reported now (a disarmed one; an edge-triggered one not re-armed, unless `edges`).
void poll_entries(const Epoll &ep, PollFd *fds, bool edges) {
    for (uint32_t i = 0; i < ep.count; i++) {
        const Interest &item = ep.items[i];
        bool quiet = item.disarmed || (item.edge_reported && !edges);
        fds[i] = {quiet ? -1 : item.fd, poll_events(item), 0};
    }
}

// Re-arms the edge-triggered items the program acted on or that are not ready now.
void rearm_edges(Epoll &ep, const PollFd *now) {
    for (uint32_t i = 0; i < ep.count; i++) {
        Interest &item = ep.items[i];
        if (item.edge_reported && (edge_rearmed(item) || !now[i].revents))
            item.edge_reported = false;
    }
}

// Writes the ready items' events (at most `max`) to the program's `events`; how many, or
// -EFAULT. Reported one-shot items are disarmed, edge-triggered ones wait for new data.
// As Linux's ready list, the items reported go behind the others still ready.
int64_t report(Epoll &ep, const PollFd *fds, uint64_t events, int32_t max) {
    int32_t n = 0;
    uint32_t start = ep.next < ep.count ? ep.next : 0;
    for (uint32_t k = 0; k < ep.count && n < max; k++) {
        uint32_t i = (start + k) % ep.count;
        Interest &item = ep.items[i];
        if (fds[i].fd < 0 || !fds[i].revents)
            continue;
        EpollEvent out{static_cast<uint16_t>(fds[i].revents) & kReadinessBits, item.data};
        if (!put_user(events + sizeof(EpollEvent) * n, out))
            return n ? n : -EFAULT;
        n++;
        ep.next = i + 1;
        if (item.events & kEpollOneShot)
            item.disarmed = true;
        if (item.events & kEpollEt) {
            item.edge_reported = true;
            item.edge_seen = edge_token(*item.file, poll_events(item));
        }
    }
    return n;
}

// One look at the items (no wait), re-arming edges: fills `fds` with what can be reported
// (-1 for the rest, which a wait on `fds` then skips); how many are ready.
int64_t look(Epoll &ep, PollFd *fds) {
    poll_entries(ep, fds, true);
    int64_t ready = wait_poll(fds, ep.count, clock_now(BSC_CLOCK_MONOTONIC));
    if (ready < 0)
        return ready;
    rearm_edges(ep, fds);
    ready = 0;
    for (uint32_t i = 0; i < ep.count; i++) {
        if (ep.items[i].disarmed || ep.items[i].edge_reported)
            fds[i] = {-1, 0, 0};
        ready += fds[i].revents != 0;
    }
    return ready;
}

// epoll_wait's work once its arguments are checked: waits until an item is ready or the
// deadline, then reports. A pending signal ends it with EINTR, never restarted.
int64_t wait_events(Epoll &ep, uint64_t events, int32_t max, int64_t deadline) {
    for (;;) {
        drop_closed(ep);
        uint64_t count = ep.count;
        auto *fds = static_cast<PollFd *>(allocate(sizeof(PollFd) * (count + 1)));
        int64_t ready = look(ep, fds);
        if (ready == -EINTR && time_left(deadline) == 0)
            ready = 0; // a zero timeout reports nothing ready, signal or not (ep_poll)
        if (ready == 0 && time_left(deadline) != 0)
            ready = wait_poll(fds, count, deadline);
        int64_t result = ready > 0 ? report(ep, fds, events, max) : ready;
        release(fds, sizeof(PollFd) * (count + 1));
        // Something ready that a closed descriptor or a report in between made stale.
        if (result != 0 || time_left(deadline) == 0 || ready == 0)
            return result;
    }
}

// The readiness of the epoll itself (poll, select, an outer epoll): readable while an item
// can be reported; until then its items' wakeups wake the wait.
int16_t epoll_ready(OpenFile &file, Wakeups &wake) {
    Epoll &ep = epoll_of(file);
    drop_closed(ep);
    uint32_t count = ep.count;
    auto *fds = static_cast<PollFd *>(allocate(sizeof(PollFd) * (count + 1)));
    int64_t ready = look(ep, fds);
    for (uint32_t i = 0; ready <= 0 && i < count; i++)
        if (fds[i].fd >= 0)
            add_file_wakeups(*ep.items[i].file, fds[i].events, wake);
    release(fds, sizeof(PollFd) * (count + 1));
    return ready > 0 ? static_cast<int16_t>(POLLIN) : 0;
}

int64_t epoll_transfer(OpenFile &, uint64_t, uint64_t, bool) { return -EINVAL; }

void epoll_release(OpenFile &file) {
    Epoll &ep = epoll_of(file);
    if (ep.items)
        release(ep.items, sizeof(Interest) * ep.capacity);
    destroy(&ep);
}

// ep_show_fdinfo's line for each watched descriptor: its number, the events as kept (an
// EPOLLONESHOT item reported and not yet re-armed keeps only the flag bits), the data,
// and its file's position, inode and device. The items are copied under the lock and
// their files asked about after it.
void epoll_fdinfo(OpenFile &file, Text &text) {
    Epoll &ep = epoll_of(file);
    Interest *items;
    uint32_t count;
    {
        SpinGuard guard(ep.lock);
        drop_closed(ep);
        count = ep.count;
        items = static_cast<Interest *>(allocate(sizeof(Interest) * (count ? count : 1)));
        memcpy(items, ep.items, sizeof(Interest) * count);
    }
    for (uint32_t i = 0; i < count; i++) {
        FileRef target(items[i].fd);
        uint64_t position = 0, inode = 0;
        uint32_t device = 0;
        if (target.get() != items[i].file ||
            !file_position_and_inode(*target.get(), position, inode, device))
            continue; // closed meanwhile
        constexpr uint32_t kFlagBits = kEpollWakeup | kEpollOneShot | kEpollEt | kEpollExclusive;
        uint32_t events = items[i].disarmed ? items[i].events & kFlagBits : items[i].events;
        char number[24];
        text.print("tfd: ");
        freestanding::format(number, sizeof number, "%d", items[i].fd);
        put_right_aligned(text, number, 8);
        text.print(" events: ");
        freestanding::format(number, sizeof number, "%x", events);
        put_right_aligned(text, number, 8);
        text.print(" data: ");
        put_padded_hex(text, items[i].data);
        text.print("  pos:%ld ino:%lx sdev:%x\n", static_cast<int64_t>(position), inode, device);
    }
    release(items, sizeof(Interest) * (count ? count : 1));
}

const FileKind kEpoll = {epoll_transfer, nullptr, anonymous_inode_attributes,
                         epoll_release, epoll_ready, 0, nullptr, nullptr, epoll_fdinfo};

bool is_epoll(const OpenFile &file) { return file.kind == &kEpoll; }

int64_t make_epoll(uint64_t flags) {
    if (flags & ~uint64_t{O_CLOEXEC})
        return -EINVAL;
    return install_anonymous(&kEpoll, create<Epoll>(), flags);
}

// Whether a descriptor of this file can be watched (the kernel's file_can_poll): regular
// files, directories and block devices cannot, nor the memory devices (/dev/null, zero,
// full, urandom), whose drivers have no poll; /dev/random has one.
bool pollable(const OpenFile &file) {
    if (file.type == BSC_TYPE_CHAR_DEVICE && file.path) {
        static const char *const kWithoutPoll[] = {"/dev/null", "/dev/zero", "/dev/full",
                                                   "/dev/urandom"};
        for (const char *device : kWithoutPoll)
            if (freestanding::equal(file.path, device))
                return false;
        return true;
    }
    // A file-system context (fsopen, fspick) has no poll either.
    return file.type != BSC_TYPE_FILE && file.type != BSC_TYPE_DIRECTORY &&
           file.type != BSC_TYPE_BLOCK_DEVICE && file.type != BSC_TYPE_MOUNT_CONTEXT;
}

// A file of the host's /proc or /sys may have a poll of its own (the mount table's
// mounts and mountinfo, sysctls, sysfs attributes tell a change with EPOLLPRI): Linux
// watches it, the LibOS cannot tell which have one nor wait for their changes, so it
// refuses them as a file without poll, and names the refusal.
bool host_kernel_file(const OpenFile &file) {
    return file.type == BSC_TYPE_FILE && file.handle != BSC_NO_HANDLE && file.path &&
           (freestanding::starts_with(file.path, "/proc/") ||
            freestanding::starts_with(file.path, "/sys/"));
}

// The checks of EPOLLEXCLUSIVE (ep_ctl's): never with MOD, and on ADD only with the bits it
// allows and for a target that is no epoll.
bool exclusive_allowed(int op, uint32_t events, const OpenFile &target) {
    if (!(events & kEpollExclusive))
        return true;
    return op == kAdd && !is_epoll(target) && !(events & ~kExclusiveOk);
}

// Linux's EP_MAX_NESTS: how deep epolls may be nested.
constexpr int kMaxNests = 4;

// Whether adding epoll `inner` to `outer` would make a cycle, or nest deeper (below
// `outer`) than Linux allows.
bool loops(OpenFile &inner, const OpenFile &outer, int depth) {
    if (&inner == &outer || depth > kMaxNests)
        return true;
    Epoll &ep = epoll_of(inner);
    drop_closed(ep);
    for (uint32_t i = 0; i < ep.count; i++)
        if (is_epoll(*ep.items[i].file) && loops(*ep.items[i].file, outer, depth + 1))
            return true;
    return false;
}

int64_t change(Epoll &ep, int op, int32_t fd, OpenFile &target, const EpollEvent &event) {
    SpinGuard guard(ep.lock);
    drop_closed(ep);
    Interest *item = find(ep, fd, &target);
    // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND, which the guest lacks: dropped silently, as Linux
    // drops it then.
    uint32_t events = (event.events & ~kEpollWakeup) | kEpollErr | kEpollHup;
    switch (op) {
    case kAdd:
        if (item)
            return -EEXIST;
        append(ep, Interest{fd, &target, events, event.data, false, false, 0});
        return 0;
    case kDel:
        if (!item)
            return -ENOENT;
        remove(ep, item);
        return 0;
    case kMod:
        if (!item)
            return -ENOENT;
        if (item->events & kEpollExclusive)
            return -EINVAL;
        *item = Interest{fd, &target, events, event.data, false, false, 0};
        return 0;
    default: return -EINVAL;
    }
}

int64_t epoll_control(int epfd, int op, int32_t fd, uint64_t user_event) {
    EpollEvent event{};
    if (op != kDel && !get_user(user_event, event))
        return -EFAULT;
    FileRef ep_file(epfd), target(fd);
    if (!ep_file || !target || (ep_file->flags & O_PATH) || (target->flags & O_PATH))
        return -EBADF; // the kernel's fdget skips an O_PATH descriptor
    if (!pollable(*target.get())) {
        if (host_kernel_file(*target.get()))
            report_unsupported("epoll_ctl", "a /proc or /sys file's own poll");
        return -EPERM;
    }
    if (ep_file.get() == target.get() || !is_epoll(*ep_file.get()))
        return -EINVAL;
    if (op != kDel && !exclusive_allowed(op, event.events, *target.get()))
        return -EINVAL;
    if (op == kAdd && is_epoll(*target.get()) && loops(*target.get(), *ep_file.get(), 1))
        return -ELOOP;
    // One waiter per epoll here; epolls of other processes waiting on the same file all
    // wake, where Linux wakes one (LTP epoll_wait16).
    if (op == kAdd && (event.events & kEpollExclusive))
        report_unsupported("epoll_ctl", "EPOLLEXCLUSIVE between processes (every waiter wakes)");
    return change(epoll_of(*ep_file.get()), op, fd, *target.get(), event);
}

// epoll_wait and its variants, their mask and timeout read: checks in the kernel's order
// (Linux 6.18: the descriptor before the count and the buffer).
int64_t epoll_wait_user(int epfd, uint64_t events, int64_t max, int64_t deadline) {
    FileRef file(epfd);
    if (!file)
        return -EBADF;
    if (max <= 0 || max > INT32_MAX / static_cast<int64_t>(sizeof(EpollEvent)))
        return -EINVAL;
    if (events + static_cast<uint64_t>(max) * sizeof(EpollEvent) > kUserTop)
        return -EFAULT;
    if (!is_epoll(*file.get()))
        return -EINVAL;
    return wait_events(epoll_of(*file.get()), events, static_cast<int32_t>(max), deadline);
}

int64_t deadline_from_ms(uint64_t argument) {
    int64_t ms = static_cast<int32_t>(argument);
    return deadline_after(ms < 0 ? -1 : ms * 1000000);
}

} // namespace

int64_t sys_epoll_create(Syscall &c) {
    return static_cast<int32_t>(c.arg[0]) <= 0 ? -EINVAL : make_epoll(0);
}
int64_t sys_epoll_create1(Syscall &c) { return make_epoll(c.arg[0]); }

int64_t sys_epoll_ctl(Syscall &c) {
    return epoll_control(static_cast<int>(c.arg[0]), static_cast<int>(c.arg[1]),
                         static_cast<int32_t>(c.arg[2]), c.arg[3]);
}

int64_t sys_epoll_wait(Syscall &c) {
    return epoll_wait_user(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int32_t>(c.arg[2]),
                           deadline_from_ms(c.arg[3]));
}

int64_t sys_epoll_pwait(Syscall &c) {
    if (int64_t error = wait_with_mask(c.arg[4], c.arg[5]))
        return error;
    return epoll_wait_user(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int32_t>(c.arg[2]),
                           deadline_from_ms(c.arg[3]));
}

int64_t sys_epoll_pwait2(Syscall &c) {
    int64_t ns;
    if (int64_t error = timespec_from_user(c.arg[3], ns))
        return error;
    int64_t deadline = deadline_after(ns);
    if (int64_t error = wait_with_mask(c.arg[4], c.arg[5]))
        return error;
    return epoll_wait_user(static_cast<int>(c.arg[0]), c.arg[1], static_cast<int32_t>(c.arg[2]),
                           deadline);
}

} // namespace libos
