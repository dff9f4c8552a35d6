// SPDX-License-Identifier: MIT
// System calls that may wait, made so that an interrupt always ends the wait: the guest
// looks for work (signals) and then blocks, and an interrupt landing between the two
// would otherwise be spent on guest code while the wait goes on for ever.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "internal.h"
#include "tcb.h"

extern "C" {
long bsc_blocking_syscall(long number, long a1, long a2, long a3, long a4, long a5);
extern const char bsc_blocking_syscall_check[], bsc_blocking_syscall_instruction[],
    bsc_blocking_syscall_cancelled[];
}

namespace bsc::host {

long blocking_syscall(long number, long a1, long a2, long a3, long a4, long a5) {
    uint64_t tcb = current_tcb();
    if (!tcb) // not a guest thread: nothing interrupts it
        return ::syscall(number, a1, a2, a3, a4, a5);
    long result = bsc_blocking_syscall(number, a1, a2, a3, a4, a5);
    // The guest looks for work when the call returns, whatever it returns.
    tcb_field<uint32_t>(tcb, TCB_WAKE) = 0;
    if (result < 0 && result > -4096) {
        errno = static_cast<int>(-result);
        return -1;
    }
    return result;
}

namespace {

// Whether a call on `fd` that needs it ready for `events` would wait now: it is not, and
// the descriptor is not non-blocking (another process may have made it so).
bool would_wait(int fd, short events) {
    pollfd p{fd, events, 0};
    if (::poll(&p, 1, 0) == 1)
        return false;
    int flags = ::fcntl(fd, F_GETFL);
    return flags >= 0 && !(flags & O_NONBLOCK);
}

} // namespace

long blocking_fd_syscall(short events, long number, int fd, long a2, long a3, long a4, long a5) {
    long result = blocking_syscall(number, fd, a2, a3, a4, a5);
    if (result < 0 && errno == EINTR && !would_wait(fd, events))
        return ::syscall(number, fd, a2, a3, a4, a5);
    return result;
}

void interrupt_raised_in_guest(uint64_t tcb) { tcb_field<uint32_t>(tcb, TCB_WAKE) = 1; }

void interrupt_in_host(ucontext_t *uc) {
    auto &rip = uc->uc_mcontext.gregs[REG_RIP];
    auto at = static_cast<uint64_t>(rip);
    if (at >= reinterpret_cast<uint64_t>(bsc_blocking_syscall_check) &&
        at <= reinterpret_cast<uint64_t>(bsc_blocking_syscall_instruction))
        rip = static_cast<greg_t>(reinterpret_cast<uint64_t>(bsc_blocking_syscall_cancelled));
}

} // namespace bsc::host
