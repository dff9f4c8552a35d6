// SPDX-License-Identifier: MIT
// eventfd and eventfd2: a 64-bit counter the LibOS keeps itself; blocking reads and writes
// sleep on it with sync_wait, and two ABI events mirror its readiness for poll and select.
// The counter lies in memory of its own that fork leaves shared (BSC_MAP_SHARED), so a
// parent and a child that both hold the eventfd count on one counter, as on Linux.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>

#include "fd_table.h"
#include "fdinfo.h"
#include "heap.h"
#include "signals.h"
#include "spinlock.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kSemaphore = 1; // EFD_SEMAPHORE
constexpr uint64_t kFlags = kSemaphore | O_NONBLOCK | O_CLOEXEC;
// The counter never reaches UINT64_MAX: a write that would is refused or waits.
constexpr uint64_t kCounterMax = UINT64_MAX - 1;

struct Counter {
    Spinlock lock;
    uint64_t value;
    bool semaphore;
    uint32_t changes;     // bumped and woken at every change: what blocked calls sleep on
    bsc_handle readable;  // manual-reset events, set while the value is > 0 ...
    bsc_handle writable;  // ... and while it is below kCounterMax
    bool readable_set, writable_set;
};

Counter &counter_of(OpenFile &file) { return *static_cast<Counter *>(file.state); }

// Brings the readiness events in line with the value; called with the lock held.
void update_readiness(Counter &c) {
    bool readable = c.value > 0, writable = c.value < kCounterMax;
    if (readable != c.readable_set)
        readable ? abi().event_set(c.readable) : abi().event_clear(c.readable);
    if (writable != c.writable_set)
        writable ? abi().event_set(c.writable) : abi().event_clear(c.writable);
    c.readable_set = readable;
    c.writable_set = writable;
}

// Takes the value (or 1 of it in semaphore mode), or adds `add`: whether it could now.
bool try_change(Counter &c, bool write, uint64_t add, uint64_t &taken) {
    SpinGuard guard(c.lock);
    if (write ? kCounterMax - c.value < add : c.value == 0)
        return false;
    if (write) {
        c.value += add;
    } else {
        taken = c.semaphore ? 1 : c.value;
        c.value -= taken;
    }
    update_readiness(c);
    __atomic_add_fetch(&c.changes, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&c.changes, UINT32_MAX, nullptr);
    return true;
}

// eventfd_read / eventfd_write: 8 bytes at least (EINVAL below), UINT64_MAX is no value
// to add; blocks (restartably) while the change cannot be made.
int64_t counter_transfer(OpenFile &file, uint64_t buffer, uint64_t size, bool write) {
    Counter &c = counter_of(file);
    if (size < sizeof(uint64_t))
        return -EINVAL;
    uint64_t add = 0, taken = 0;
    if (write) {
        if (!get_user(buffer, add))
            return -EFAULT;
        if (add == UINT64_MAX)
            return -EINVAL;
    }
    for (;;) {
        uint32_t seen = __atomic_load_n(&c.changes, __ATOMIC_ACQUIRE);
        if (try_change(c, write, add, taken))
            break;
        if (file.flags & O_NONBLOCK)
            return -EAGAIN;
        if (signal_pending())
            return -kRestartSyscall;
        abi().sync_wait(&c.changes, seen, BSC_WAIT_FOREVER);
    }
    if (!write && !put_user(buffer, taken))
        return -EFAULT; // taken all the same, as the kernel does
    return sizeof(uint64_t);
}

uint32_t counter_wait_items(OpenFile &file, int16_t events, bsc_wait_item *items,
                            int16_t *bits) {
    Counter &c = counter_of(file);
    constexpr int16_t kPollIn = 1, kPollOut = 4, kPollErr = 8;
    uint32_t n = 0;
    // A counter at UINT64_MAX (only an AIO completion's eventfd_signal takes it there) is
    // EPOLLERR, as eventfd_poll says, asked or not; it is readable then.
    bool overflowed = __atomic_load_n(&c.value, __ATOMIC_ACQUIRE) == UINT64_MAX;
    if ((events & kPollIn) || overflowed) {
        items[n] = {c.readable, BSC_WAIT_READ, 0};
        bits[n++] = static_cast<int16_t>((events & kPollIn) | (overflowed ? kPollErr : 0));
    }
    if (events & kPollOut) {
        items[n] = {c.writable, BSC_WAIT_READ, 0};
        bits[n++] = kPollOut;
    }
    return n;
}

void counter_release(OpenFile &file) {
    Counter &c = counter_of(file);
    abi().object_close(c.readable);
    abi().object_close(c.writable);
    destroy_shared(&c);
}

// eventfd_fops: .read_iter, but a plain .write.
// eventfd_show_fdinfo's lines: the count, the eventfd's id (the kernel numbers them
// itself; here the open file's guest-wide identity) and its semaphore mode.
void counter_fdinfo(OpenFile &file, Text &text) {
    Counter &c = counter_of(file);
    uint64_t value;
    {
        SpinGuard guard(c.lock);
        value = c.value;
    }
    text.print("eventfd-count: ");
    put_padded_hex(text, value);
    text.print("\neventfd-id: %lu\neventfd-semaphore: %d\n", file.identity, c.semaphore ? 1 : 0);
}

const FileKind kEventCounter = {counter_transfer, counter_wait_items, anonymous_inode_attributes,
                                counter_release, nullptr, kReadIter, nullptr, nullptr,
                                counter_fdinfo};

int64_t make_eventfd(uint64_t initial, uint64_t flags) {
    if (flags & ~kFlags)
        return -EINVAL;
    // Shared with the processes fork makes: one counter for all who hold the eventfd.
    auto *c = create_shared<Counter>();
    if (!c)
        return -ENOMEM; // eventfd_file_create's kmalloc failing
    c->value = static_cast<uint32_t>(initial); // the kernel takes an unsigned int
    c->semaphore = flags & kSemaphore;
    if (abi().event_create(BSC_EVENT_MANUAL_RESET, &c->readable) != BSC_OK ||
        abi().event_create(BSC_EVENT_MANUAL_RESET, &c->writable) != BSC_OK) {
        if (c->readable != BSC_NO_HANDLE)
            abi().object_close(c->readable);
        destroy_shared(c);
        return -ENFILE;
    }
    update_readiness(*c);
    return install_anonymous(&kEventCounter, c, flags);
}

} // namespace

bool is_eventfd(const OpenFile &file) { return file.kind == &kEventCounter; }

void eventfd_signal(OpenFile &file) {
    Counter &c = counter_of(file);
    SpinGuard guard(c.lock);
    if (c.value < UINT64_MAX)
        c.value++;
    update_readiness(c);
    __atomic_add_fetch(&c.changes, 1, __ATOMIC_RELEASE);
    abi().sync_wake(&c.changes, UINT32_MAX, nullptr);
}

bool host_anonymous_inode(bsc_stream_attributes &attributes, uint64_t &mount_id) {
    bsc_handle instance;
    if (abi().stream_open("notify:", BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &instance) !=
        BSC_OK)
        return false;
    bsc_stream_details details{};
    bool known =
        abi().stream_attributes_query_by_handle(instance, &attributes) == BSC_OK &&
        abi().stream_details_query_by_handle(instance, BSC_DETAIL_MOUNT_ID, &details) == BSC_OK;
    abi().object_close(instance);
    mount_id = details.mount_id;
    return known;
}

void anonymous_inode_attributes(const OpenFile &, bsc_stream_attributes &attributes) {
    bsc_system_info system{};
    abi().system_info_query(&system);
    bsc_stream_attributes host{};
    uint64_t mount_id;
    bool known = host_anonymous_inode(host, mount_id);
    attributes = {};
    attributes.inode = known ? host.inode : 0;
    attributes.device = known ? host.device : 0;
    attributes.type = BSC_TYPE_EVENT;
    attributes.mode = 0600;
    attributes.links = 1;
    attributes.owner = system.user_id;
    attributes.group = system.group_id;
    attributes.block_size = 4096;
}

int install_anonymous(const FileKind *kind, void *state, uint64_t flags) {
    OpenFile *file = open_file(BSC_NO_HANDLE, kind->access | static_cast<uint32_t>(flags & O_NONBLOCK),
                               BSC_TYPE_EVENT, nullptr);
    file->kind = kind;
    file->state = state;
    if (kind->link)
        set_link(*file, kind->link);
    file->channel = new_channel(1); // writes into it are new data for it, reads new room
    return fd_install(file, 0, flags & O_CLOEXEC);
}

int64_t sys_eventfd(Syscall &c) { return make_eventfd(c.arg[0], 0); }
int64_t sys_eventfd2(Syscall &c) { return make_eventfd(c.arg[0], c.arg[1]); }

} // namespace libos
