// SPDX-License-Identifier: MIT
// One userfaultfd for each process, opened at the first region it fills. Its events (a
// thread touched a missing page) are read only by vm_fill_wait: an eager filler touches
// nothing before the range is unregistered (the contract of BSC_MAP_FILL), a lazy one
// serves each touched page first.
#include "userfault.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "fd.h"

namespace bsc::host::userfault {
namespace {

// Whether this process's userfaultfd has faults from the kernel too (rather than EFAULT):
// set by each process's open.
std::atomic<bool> kernel_faults = false;

// Faults from the kernel too where this process may have them (root, CAP_SYS_PTRACE or
// vm.unprivileged_userfaultfd=1): a lazy filler needs them. Else from user mode only, as
// an unprivileged process may have on any kernel since 5.11; older kernels know no such
// flag.
int open_userfaultfd() {
    constexpr int kFlags = O_CLOEXEC | O_NONBLOCK;
    long fd = ::syscall(SYS_userfaultfd, kFlags);
    kernel_faults = fd >= 0;
    if (fd < 0)
        fd = ::syscall(SYS_userfaultfd, kFlags | UFFD_USER_MODE_ONLY);
    if (fd < 0)
        return -1;
    uffdio_api api{.api = UFFD_API, .features = 0, .ioctls = 0};
    if (::ioctl(static_cast<int>(fd), UFFDIO_API, &api) != 0) {
        ::close(static_cast<int>(fd));
        return -1;
    }
    return static_cast<int>(fd);
}

// A child of process_fork opens its own: its parent's acts on the parent's memory.
PerProcessFd the_userfaultfd(open_userfaultfd);

int userfaultfd() { return the_userfaultfd.get(); }

uffdio_range as_uffd(Range range) { return {.start = range.start, .len = range.end - range.start}; }

} // namespace

void unregister_range(Range range) {
    uffdio_range request = as_uffd(range);
    ::ioctl(userfaultfd(), UFFDIO_UNREGISTER, &request);
}

bool register_range(Range range) {
    int fd = userfaultfd();
    if (fd < 0)
        return false;
    uffdio_register request{.range = as_uffd(range), .mode = UFFDIO_REGISTER_MODE_MISSING,
                            .ioctls = 0};
    if (::ioctl(fd, UFFDIO_REGISTER, &request) != 0)
        return false;
    if (request.ioctls & (uint64_t{1} << _UFFDIO_COPY))
        return true;
    unregister_range(range);
    return false;
}

namespace {

// UFFDIO_COPY of `size` bytes: 0, or the errno.
int copy_range(uint64_t addr, uint64_t from, uint64_t size) {
    for (uint64_t done = 0; done < size;) {
        uffdio_copy request{.dst = addr + done, .src = from + done, .len = size - done,
                            .mode = 0, .copy = 0};
        if (::ioctl(userfaultfd(), UFFDIO_COPY, &request) == 0) {
            done += request.copy;
            continue;
        }
        // EAGAIN: a part was copied (request.copy bytes) and the rest is to be retried.
        if (errno != EAGAIN)
            return errno;
        if (request.copy > 0)
            done += static_cast<uint64_t>(request.copy);
    }
    return 0;
}

} // namespace

// One UFFDIO_COPY fills a range of one mapping only (else ENOENT, and nothing copied): a
// range the guest split since (an mprotect of a part of a region being filled) is filled
// page by page, and a page whose mapping is gone (freed, replaced) is left out.
bsc_status copy(uint64_t addr, const void *source, uint64_t size) {
    auto from = reinterpret_cast<uint64_t>(source);
    int error = copy_range(addr, from, size);
    if (error == ENOENT && size > kPage) {
        error = 0;
        for (uint64_t done = 0; done < size; done += kPage)
            if (int page_error = copy_range(addr + done, from + done, kPage);
                page_error && (!error || error == ENOENT))
                error = page_error;
    }
    if (error == 0)
        return BSC_OK;
    errno = error;
    return error == ENOENT ? BSC_E_INVALID : errno_status();
}

bsc_status wait(uint64_t &page, int64_t timeout_ns) {
    int fd = userfaultfd();
    if (fd < 0 || !kernel_faults)
        return BSC_E_NOT_SUPPORTED;
    constexpr int64_t kNanosPerMilli = 1000000;
    int timeout_ms = timeout_ns == BSC_WAIT_FOREVER ? -1
                     : static_cast<int>(std::min<int64_t>((timeout_ns + kNanosPerMilli - 1) / kNanosPerMilli,
                                                          INT32_MAX));
    for (;;) {
        pollfd ready{.fd = fd, .events = POLLIN, .revents = 0};
        int n = ::poll(&ready, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_status();
        if (n == 0)
            return BSC_E_TIMED_OUT;
        uffd_msg message{};
        if (::read(fd, &message, sizeof message) != sizeof message) {
            if (errno == EAGAIN) // another waiter took it
                continue;
            return errno_status();
        }
        if (message.event == UFFD_EVENT_PAGEFAULT) {
            page = message.arg.pagefault.address & ~uint64_t{4095}; // the page
            return BSC_OK;
        }
    }
}

} // namespace bsc::host::userfault
