// SPDX-License-Identifier: MIT
// Pipes and waiting for descriptors: pipe, pipe2, poll, ppoll, select, pselect6.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>

#include "fd_table.h"
#include "heap.h"
#include "syscalls.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kMaxPollFds = 4096;

struct PollFd {
    int32_t fd;
    int16_t events, revents;
};

int64_t make_pipe(uint64_t user_fds, uint64_t flags) {
    if (flags & ~uint64_t{O_CLOEXEC | O_NONBLOCK | O_DIRECT})
        return -EINVAL;
    bsc_handle ends[2];
    bsc_status status =
        abi().stream_open_pair("pipe:", flags & O_NONBLOCK ? BSC_OPTION_NONBLOCK : 0, ends);
    if (status != BSC_OK)
        return result_of(status);
    uint32_t nonblock = static_cast<uint32_t>(flags & O_NONBLOCK);
    int fds[2];
    fds[0] = fd_install(open_file(ends[0], O_RDONLY | nonblock, BSC_TYPE_PIPE, nullptr), 0,
                        flags & O_CLOEXEC);
    fds[1] = fd_install(open_file(ends[1], O_WRONLY | nonblock, BSC_TYPE_PIPE, nullptr), 0,
                        flags & O_CLOEXEC);
    if (fds[0] < 0 || fds[1] < 0 || !copy_to_user(user_fds, fds, sizeof fds)) {
        for (int fd : fds)
            if (fd >= 0)
                fd_close(fd);
        return fds[0] < 0 || fds[1] < 0 ? -EMFILE : -EFAULT;
    }
    return 0;
}

// Waits on `count` poll entries (in LibOS memory) for at most timeout_ns (-1: forever);
// fills revents and returns how many are ready.
int64_t wait_poll(PollFd *fds, uint64_t count, int64_t timeout_ns) {
    auto *items = static_cast<bsc_wait_item *>(allocate(sizeof(bsc_wait_item) * (count + 1)));
    auto *map = static_cast<uint64_t *>(allocate(sizeof(uint64_t) * (count + 1)));
    uint32_t waited = 0;
    int64_t ready = 0;
    for (uint64_t i = 0; i < count; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        FileRef file(fds[i].fd);
        if (!file || file->handle == BSC_NO_HANDLE) { // a LibOS device is always ready
            fds[i].revents = file ? static_cast<int16_t>(fds[i].events & (POLLIN | POLLOUT))
                                  : static_cast<int16_t>(POLLNVAL);
            ready += fds[i].revents != 0;
            continue;
        }
        uint16_t wanted = (fds[i].events & (POLLIN | POLLPRI) ? BSC_WAIT_READ : 0) |
                          (fds[i].events & POLLOUT ? BSC_WAIT_WRITE : 0);
        items[waited] = {file->handle, wanted, 0};
        map[waited++] = i;
    }
    int64_t result = ready;
    if (waited > 0 || ready == 0) {
        uint32_t count_ready = 0;
        bsc_status status = abi().objects_wait_any(waited ? items : nullptr, waited,
                                                   ready ? 0 : timeout_ns, &count_ready);
        if (status == BSC_E_INTERRUPTED)
            result = -EINTR;
        else if (status != BSC_OK && status != BSC_E_TIMED_OUT)
            result = result_of(status);
        else
            for (uint32_t j = 0; j < waited; j++) {
                uint16_t r = items[j].ready;
                int16_t revents = static_cast<int16_t>(
                    (r & BSC_WAIT_READ ? POLLIN : 0) | (r & BSC_WAIT_WRITE ? POLLOUT : 0) |
                    (r & BSC_WAIT_ERROR ? POLLERR : 0) | (r & BSC_WAIT_HANGUP ? POLLHUP : 0));
                PollFd &p = fds[map[j]];
                p.revents = static_cast<int16_t>(revents & (p.events | POLLERR | POLLHUP));
                result += p.revents != 0;
            }
    }
    release(items, sizeof(bsc_wait_item) * (count + 1));
    release(map, sizeof(uint64_t) * (count + 1));
    return result;
}

int64_t poll_user(uint64_t user_fds, uint64_t count, int64_t timeout_ns) {
    if (count > kMaxPollFds)
        return -EINVAL;
    size_t bytes = sizeof(PollFd) * count;
    auto *fds = static_cast<PollFd *>(allocate(bytes + 1));
    int64_t result = -EFAULT;
    if (copy_from_user(fds, user_fds, bytes)) {
        result = wait_poll(fds, count, timeout_ns);
        if (result >= 0 && !copy_to_user(user_fds, fds, bytes))
            result = -EFAULT;
    }
    release(fds, bytes + 1);
    return result;
}

// select over up to 1024 descriptors, by way of poll.
int64_t select_user(uint64_t nfds, uint64_t read_set, uint64_t write_set, uint64_t except_set,
                    int64_t timeout_ns) {
    if (nfds > 1024)
        return -EINVAL;
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
    int64_t result = wait_poll(fds, count, timeout_ns);
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
    return poll_user(c.arg[0], c.arg[1], ms < 0 ? -1 : ms * 1000000);
}

int64_t sys_ppoll(Syscall &c) {
    int64_t ns;
    if (int64_t error = timespec_from_user(c.arg[2], ns))
        return error;
    return poll_user(c.arg[0], c.arg[1], ns);
}

int64_t sys_select(Syscall &c) {
    int64_t ns = -1;
    if (c.arg[4]) {
        struct {
            int64_t sec, usec;
        } tv;
        if (!get_user(c.arg[4], tv) || tv.sec < 0 || tv.usec < 0)
            return -EINVAL;
        ns = tv.sec * kNanosPerSecond + tv.usec * 1000;
    }
    return select_user(c.arg[0], c.arg[1], c.arg[2], c.arg[3], ns);
}

int64_t sys_pselect6(Syscall &c) {
    int64_t ns;
    if (int64_t error = timespec_from_user(c.arg[4], ns))
        return error;
    return select_user(c.arg[0], c.arg[1], c.arg[2], c.arg[3], ns);
}

} // namespace libos
