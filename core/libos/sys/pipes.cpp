// SPDX-License-Identifier: MIT
// Pipes and waiting for descriptors: pipe, pipe2, poll, ppoll, select, pselect6.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>
#include <linux/personality.h>

#include "fd_table.h"
#include "heap.h"
#include "libos_files.h"
#include "personality.h"
#include "poll.h"
#include "signals.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {

int64_t deadline_after(int64_t ns) {
    return ns < 0 ? kForever : clock_now(BSC_CLOCK_MONOTONIC) + ns;
}

int64_t time_left(int64_t deadline) {
    if (deadline == kForever)
        return kForever;
    int64_t left = deadline - clock_now(BSC_CLOCK_MONOTONIC);
    return left > 0 ? left : 0;
}

namespace {

// select, pselect6 and ppoll write what is left of the timeout back (poll_select_finish),
// unless the STICKY_TIMEOUTS personality keeps it as given; as for the kernel, a timeout
// that cannot be written back is no error.
void put_time_left(uint64_t address, int64_t deadline, bool microseconds) {
    if (!address || (current_personality() & STICKY_TIMEOUTS))
        return;
    Timespec left = to_timespec(time_left(deadline));
    if (microseconds)
        left.nsec /= 1000;
    put_user(address, left);
}

int64_t make_pipe(uint64_t user_fds, uint64_t flags) {
    if (flags & ~uint64_t{O_CLOEXEC | O_NONBLOCK | O_DIRECT})
        return -EINVAL;
    bsc_handle ends[2];
    uint32_t options = (flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0) |
                       (flags & O_DIRECT ? BSC_OPTION_PACKET : 0); // packet mode
    bsc_status status = abi().stream_open_pair("pipe:", options, ends);
    if (status != BSC_OK)
        return result_of(status);
    // Packet mode is the write end's (O_DIRECT shows there only, as on Linux).
    auto nonblock = static_cast<uint32_t>(flags & O_NONBLOCK);
    auto direct = static_cast<uint32_t>(flags & O_DIRECT);
    OpenFile *read_end = open_file(ends[0], O_RDONLY | nonblock, BSC_TYPE_PIPE, nullptr);
    OpenFile *write_end = open_file(ends[1], O_WRONLY | nonblock | direct, BSC_TYPE_PIPE, nullptr);
    read_end->channel = write_end->channel = new_channel(2);
    int fds[2];
    fds[0] = fd_install(read_end, 0, flags & O_CLOEXEC);
    fds[1] = fd_install(write_end, 0, flags & O_CLOEXEC);
    if (fds[0] < 0 || fds[1] < 0 || !copy_to_user(user_fds, fds, sizeof fds)) {
        for (int fd : fds)
            if (fd >= 0)
                fd_close(fd);
        return fds[0] < 0 || fds[1] < 0 ? -EMFILE : -EFAULT;
    }
    return 0;
}

// What one ABI wait item stands for: a poll entry, and the poll bits its READ and WRITE
// readiness mean (a LibOS object's event is "readable" when the object is writable).
struct WaitTarget {
    uint64_t entry;
    int16_t on_read, on_write;
};

// The poll entries' readiness from the ABI's wait items.
int64_t collect_ready(PollFd *fds, const bsc_wait_item *items, const WaitTarget *targets,
                      uint32_t waited) {
    for (uint32_t j = 0; j < waited; j++)
        fds[targets[j].entry].revents = 0;
    for (uint32_t j = 0; j < waited; j++) {
        uint16_t r = items[j].ready;
        const WaitTarget &t = targets[j];
        int16_t revents = static_cast<int16_t>(
            (r & BSC_WAIT_READ ? t.on_read : 0) | (r & BSC_WAIT_WRITE ? t.on_write : 0) |
            (r & BSC_WAIT_ERROR ? POLLERR : 0) | (r & BSC_WAIT_HANGUP ? POLLHUP : 0) |
            (r & BSC_WAIT_READ_HANGUP ? POLLRDHUP : 0));
        PollFd &p = fds[t.entry];
        p.revents = static_cast<int16_t>(p.revents | (revents & (p.events | POLLERR | POLLHUP)));
    }
    int64_t ready = 0;
    for (uint32_t j = 0; j < waited; j++)
        if (fds[targets[j].entry].revents && (j == 0 || targets[j - 1].entry != targets[j].entry))
            ready++;
    return ready;
}

// The wait items for one poll entry (at most two); how many.
uint32_t wait_items_for(OpenFile &file, const PollFd &fd, uint64_t entry, bsc_wait_item *items,
                        WaitTarget *targets) {
    if (file.kind) {
        int16_t bits[2];
        uint32_t n = file.kind->wait_items(file, fd.events, items, bits);
        for (uint32_t i = 0; i < n; i++)
            targets[i] = {entry, bits[i], 0};
        return n;
    }
    uint16_t wanted = (fd.events & (POLLIN | POLLPRI) ? BSC_WAIT_READ : 0) |
                      (fd.events & POLLOUT ? BSC_WAIT_WRITE : 0) |
                      (fd.events & POLLRDHUP ? BSC_WAIT_READ_HANGUP : 0);
    items[0] = {file.handle, wanted, 0};
    targets[0] = {entry, POLLIN, POLLOUT};
    return 1;
}

} // namespace

int64_t wait_with_mask(uint64_t address, uint64_t size) {
    uint64_t mask;
    if (!address)
        return 0;
    if (size != sizeof mask)
        return -EINVAL;
    if (!get_user(address, mask))
        return -EFAULT;
    block_for_wait(mask);
    return 0;
}

namespace {

// A file whose readiness the LibOS computes (FileKind::ready): its poll entry, held for
// the length of the wait.
struct ComputedEntry {
    uint64_t entry;
    OpenFile *file;
};

// The computed entries' readiness now; adds to `wake` what may change it.
int64_t collect_computed(PollFd *fds, const ComputedEntry *computed, uint32_t n,
                         Wakeups &wake) {
    int64_t ready = 0;
    for (uint32_t k = 0; k < n; k++) {
        PollFd &p = fds[computed[k].entry];
        int16_t bits = computed[k].file->kind->ready(*computed[k].file, wake);
        p.revents = static_cast<int16_t>(bits & (p.events | POLLERR | POLLHUP));
        ready += p.revents != 0;
    }
    return ready;
}

// How long to wait: until the deadline, or sooner when a computed entry may become ready
// (`by_clock` then).
int64_t wait_timeout(int64_t deadline, int64_t wake_at, bool &by_clock) {
    int64_t timeout = time_left(deadline);
    by_clock = false;
    if (wake_at != kForever) {
        int64_t until = wake_at - clock_now(BSC_CLOCK_MONOTONIC);
        if (until < 0)
            until = 0;
        if (timeout == kForever || until < timeout) {
            timeout = until;
            by_clock = true;
        }
    }
    return timeout;
}

} // namespace

int64_t wait_poll(PollFd *fds, uint64_t count, int64_t deadline) {
    size_t capacity = 2 * count + 1;
    auto *items = static_cast<bsc_wait_item *>(allocate(sizeof(bsc_wait_item) * capacity));
    auto *targets = static_cast<WaitTarget *>(allocate(sizeof(WaitTarget) * capacity));
    auto *computed = static_cast<ComputedEntry *>(allocate(sizeof(ComputedEntry) * (count + 1)));
    uint32_t waited = 0, computing = 0;
    int64_t ready = 0;
    for (uint64_t i = 0; i < count; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        FileRef file(fds[i].fd);
        if (file && file->kind && file->kind->ready) {
            file_acquire(file.get());
            computed[computing++] = {i, file.get()};
            continue;
        }
        if (file && (file->kind || !is_libos_file(*file.get()))) {
            uint32_t n = wait_items_for(*file.get(), fds[i], i, items + waited, targets + waited);
            if (n) {
                waited += n;
                continue;
            }
        }
        // A bad descriptor, a file the LibOS provides (always ready), or nothing asked.
        fds[i].revents = !file            ? static_cast<int16_t>(POLLNVAL)
                         : file->kind     ? 0
                                          : static_cast<int16_t>(fds[i].events & (POLLIN | POLLOUT));
        ready += fds[i].revents != 0;
    }
    int64_t result = ready;
    // Woken by an interruption for no signal (a checkpoint) or by a computed entry's
    // clock with nothing ready, the wait goes on.
    for (bool again = true; again && result >= 0;) {
        bool signalled = signal_pending();
        Wakeups wake;
        int64_t ready_now = ready + collect_computed(fds, computed, computing, wake);
        bool by_clock = false;
        int64_t timeout = ready_now || signalled ? 0 : wait_timeout(deadline, wake.at, by_clock);
        // The entries' items, then the wakeups of the computed ones, in one wait.
        uint32_t total = waited + wake.count;
        bsc_wait_item *all = items;
        if (wake.count) {
            all = static_cast<bsc_wait_item *>(allocate(sizeof(bsc_wait_item) * total));
            for (uint32_t j = 0; j < total; j++)
                all[j] = j < waited ? items[j] : wake.items[j - waited];
        }
        uint32_t count_ready = 0;
        bsc_status status =
            abi().objects_wait_any(total ? all : nullptr, total, timeout, &count_ready);
        bool woken = false;
        for (uint32_t j = waited; j < total; j++)
            woken |= all[j].ready != 0;
        if (status == BSC_OK || status == BSC_E_TIMED_OUT)
            result = ready_now + collect_ready(fds, all, targets, waited);
        else if (status != BSC_E_INTERRUPTED)
            result = result_of(status);
        else
            result = ready_now;
        if (result == 0 && (signalled || signal_pending()))
            result = -EINTR;
        if (all != items)
            release(all, sizeof(bsc_wait_item) * total);
        again = result == 0 && (status == BSC_E_INTERRUPTED || by_clock || woken);
    }
    for (uint32_t k = 0; k < computing; k++)
        file_release(computed[k].file);
    release(items, sizeof(bsc_wait_item) * capacity);
    release(targets, sizeof(WaitTarget) * capacity);
    release(computed, sizeof(ComputedEntry) * (count + 1));
    return result;
}

Wakeups::~Wakeups() {
    if (items)
        release(items, sizeof(bsc_wait_item) * capacity);
}

void wake_at(Wakeups &wake, int64_t at) {
    if (wake.at == kForever || at < wake.at)
        wake.at = at;
}

void add_file_wakeups(OpenFile &file, int16_t events, Wakeups &wake) {
    if (file.kind && file.kind->ready) {
        // Ready since whoever asked looked (a timer that expired meanwhile): look again
        // at once, or the wait would sleep past it.
        if (file.kind->ready(file, wake) & (events | POLLERR | POLLHUP))
            wake_at(wake, clock_now(BSC_CLOCK_MONOTONIC));
        return;
    }
    if (!file.kind && is_libos_file(file))
        return; // always ready
    make_room(wake.items, wake.count, wake.capacity, 2);
    WaitTarget unused[2];
    wake.count += wait_items_for(file, PollFd{0, events, 0}, 0, wake.items + wake.count, unused);
}

void note_transfer(OpenFile &file, bool write, int64_t result) {
    if (result == -EAGAIN)
        __atomic_add_fetch(&file.exhausted, 1, __ATOMIC_RELAXED);
    // A read makes room for an eventfd's writers, which Linux wakes at every read; a pipe
    // wakes its writer only when it was full, which the writer saw as EAGAIN.
    if (result > 0 && file.channel && (write || file.kind))
        __atomic_add_fetch(write ? &file.channel->writes : &file.channel->reads, 1,
                           __ATOMIC_RELAXED);
}

uint64_t edge_token(const OpenFile &file, int16_t events) {
    uint64_t token = __atomic_load_n(&file.exhausted, __ATOMIC_RELAXED);
    if (file.channel && (events & (POLLIN | POLLPRI)))
        token += __atomic_load_n(&file.channel->writes, __ATOMIC_RELAXED);
    if (file.channel && (events & POLLOUT))
        token += __atomic_load_n(&file.channel->reads, __ATOMIC_RELAXED);
    return token;
}

namespace {

int64_t poll_user(uint64_t user_fds, uint64_t count, int64_t deadline) {
    if (count > static_cast<uint64_t>(fd_limit())) // RLIMIT_NOFILE
        return -EINVAL;
    size_t bytes = sizeof(PollFd) * count;
    auto *fds = static_cast<PollFd *>(allocate(bytes + 1));
    int64_t result = -EFAULT;
    if (copy_from_user(fds, user_fds, bytes)) {
        result = wait_poll(fds, count, deadline);
        if (result >= 0 && !copy_to_user(user_fds, fds, bytes))
            result = -EFAULT;
    }
    release(fds, bytes + 1);
    return result;
}

// select by way of poll, over the descriptors below nfds that the table has room for
// (core_sys_select looks no further, so a higher one is no EBADF).
int64_t select_user(uint64_t nfds_argument, uint64_t read_set, uint64_t write_set,
                    uint64_t except_set, int64_t deadline) {
    auto n = static_cast<int32_t>(nfds_argument);
    if (n < 0)
        return -EINVAL;
    uint64_t nfds = n < fd_table_size() ? static_cast<uint64_t>(n) : fd_table_size();
    uint64_t sets[3][16] = {};
    uint64_t addresses[3] = {read_set, write_set, except_set};
    size_t bytes = (nfds + 63) / 64 * 8;
    for (int s = 0; s < 3; s++)
        if (addresses[s] && !copy_from_user(sets[s], addresses[s], bytes))
            return -EFAULT;
    auto *fds = static_cast<PollFd *>(allocate(sizeof(PollFd) * (nfds + 1)));
    uint64_t count = 0;
    for (uint64_t fd = 0; fd < nfds; fd++) {
        auto in = [&](int s) { return (sets[s][fd / 64] >> (fd % 64)) & 1; };
        int16_t events = static_cast<int16_t>((in(0) ? POLLIN : 0) | (in(1) ? POLLOUT : 0) |
                                              (in(2) ? POLLPRI : 0));
        if (events)
            fds[count++] = {static_cast<int32_t>(fd), events, 0};
    }
    int64_t result = wait_poll(fds, count, deadline);
    if (result >= 0) {
        uint64_t out[3][16] = {};
        result = 0;
        for (uint64_t i = 0; i < count; i++) {
            if (fds[i].revents & POLLNVAL) {
                result = -EBADF;
                break;
            }
            const int16_t bits[3] = {POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI};
            for (int s = 0; s < 3; s++)
                if ((fds[i].events & (s == 0 ? POLLIN : s == 1 ? POLLOUT : POLLPRI)) &&
                    (fds[i].revents & bits[s])) {
                    out[s][fds[i].fd / 64] |= uint64_t{1} << (fds[i].fd % 64);
                    result++;
                }
        }
        for (int s = 0; s < 3 && result >= 0; s++)
            if (addresses[s] && !copy_to_user(addresses[s], out[s], bytes))
                result = -EFAULT;
    }
    release(fds, sizeof(PollFd) * (nfds + 1));
    return result;
}

} // namespace

int64_t sys_pipe(Syscall &c) { return make_pipe(c.arg[0], 0); }
int64_t sys_pipe2(Syscall &c) { return make_pipe(c.arg[0], c.arg[1]); }

int64_t sys_poll(Syscall &c) {
    int64_t ms = static_cast<int32_t>(c.arg[2]);
    return poll_user(c.arg[0], c.arg[1], deadline_after(ms < 0 ? -1 : ms * 1000000));
}

int64_t sys_ppoll(Syscall &c) {
    int64_t ns;
    if (int64_t error = timespec_from_user(c.arg[2], ns))
        return error;
    int64_t deadline = deadline_after(ns);
    if (int64_t error = wait_with_mask(c.arg[3], c.arg[4]))
        return error;
    int64_t result = poll_user(c.arg[0], c.arg[1], deadline);
    put_time_left(c.arg[2], deadline, false);
    return result;
}

int64_t sys_select(Syscall &c) {
    int64_t ns = -1;
    if (c.arg[4]) {
        struct {
            int64_t sec, usec;
        } tv;
        if (!get_user(c.arg[4], tv))
            return -EFAULT;
        if (tv.sec < 0 || tv.usec < 0)
            return -EINVAL;
        ns = tv.sec * kNanosPerSecond + tv.usec * 1000;
    }
    int64_t deadline = deadline_after(ns);
    int64_t result = select_user(c.arg[0], c.arg[1], c.arg[2], c.arg[3], deadline);
    put_time_left(c.arg[4], deadline, true);
    return result;
}

int64_t sys_pselect6(Syscall &c) {
    int64_t ns;
    if (int64_t error = timespec_from_user(c.arg[4], ns))
        return error;
    int64_t deadline = deadline_after(ns);
    struct {
        uint64_t mask, size;
    } sigmask{0, 0};
    if (c.arg[5] && !get_user(c.arg[5], sigmask))
        return -EFAULT;
    if (int64_t error = wait_with_mask(sigmask.mask, sigmask.size))
        return error;
    int64_t result = select_user(c.arg[0], c.arg[1], c.arg[2], c.arg[3], deadline);
    put_time_left(c.arg[4], deadline, false);
    return result;
}

} // namespace libos
