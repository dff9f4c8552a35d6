// SPDX-License-Identifier: MIT
// Waiting for descriptors: the one readiness query that poll, select and epoll share
// (defined in sys/pipes.cpp), and the deadlines their timeouts become.
#pragma once

#include "kernel.h"

namespace libos {

struct OpenFile;

// One descriptor to wait for, as struct pollfd.
struct PollFd {
    int32_t fd;
    int16_t events, revents;
};

// A wait's timeout: when it ends (monotonic ns), or kForever.
inline constexpr int64_t kForever = -1;
int64_t deadline_after(int64_t ns);
// What is left until the deadline, never negative (kForever stays).
int64_t time_left(int64_t deadline);

// The signal mask a call waits with (ppoll, pselect6, epoll_pwait): at `address`, `size`
// bytes; 0, -EINVAL for a size other than 8, -EFAULT.
int64_t wait_with_mask(uint64_t address, uint64_t size);

// What may change a readiness the LibOS computes (FileKind::ready): when the clock alone
// may change it (monotonic ns, or kForever), and ABI wait items whose readiness means
// "look again" (what an epoll's items wait on).
struct Wakeups {
    int64_t at = kForever;
    bsc_wait_item *items = nullptr;
    uint32_t count = 0, capacity = 0;
    ~Wakeups();
};
void wake_at(Wakeups &wake, int64_t at);
// Adds what wakes a wait for poll `events` of `file`: its ABI wait items, or a computed
// kind's own wakeups (the clock at once if it is ready already).
void add_file_wakeups(OpenFile &file, int16_t events, Wakeups &wake);

// Waits on `count` poll entries (in LibOS memory) until `deadline`; fills revents and
// returns how many are ready. A pending signal ends the wait with EINTR unless something
// is ready at once (never restarted).
int64_t wait_poll(PollFd *fds, uint64_t count, int64_t deadline);

// Notes a read or write call on `file` and its result (files.cpp), for edge-triggered
// epoll: a transfer that found the file exhausted (EAGAIN), and what moved through its
// channel.
void note_transfer(OpenFile &file, bool write, int64_t result);
// A count that grows whenever new data or room for poll `events` of `file` may have come
// that the program can see: a transfer on it that found it exhausted, a write into its
// channel (new data) or a read from an eventfd (new room). An edge-triggered epoll item is
// reported again once it changes.
uint64_t edge_token(const OpenFile &file, int16_t events);

} // namespace libos
