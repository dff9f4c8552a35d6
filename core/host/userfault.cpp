// SPDX-License-Identifier: MIT
// One userfaultfd for the process, opened at the first region to fill. Nothing reads its
// events: a registered page is touched by no one but UFFDIO_COPY until the range is
// unregistered (the contract of BSC_MAP_FILL).
#include "userfault.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <mutex>

#include "fd.h"

namespace bsc::host::userfault {
namespace {

// Faults from user mode only: an unprivileged process may have that much on any kernel
// since 5.11, whatever vm.unprivileged_userfaultfd says. Older kernels know no such flag.
int open_userfaultfd() {
    long fd = ::syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
    if (fd < 0 && errno == EINVAL)
        fd = ::syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd < 0)
        return -1;
    uffdio_api api{.api = UFFD_API, .features = 0, .ioctls = 0};
    if (::ioctl(static_cast<int>(fd), UFFDIO_API, &api) != 0) {
        ::close(static_cast<int>(fd));
        return -1;
    }
    return static_cast<int>(fd);
}

int userfaultfd() {
    static std::once_flag opened;
    static int fd = -1;
    std::call_once(opened, [] { fd = open_userfaultfd(); });
    return fd;
}

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

bsc_status copy(uint64_t addr, const void *source, uint64_t size) {
    auto from = reinterpret_cast<uint64_t>(source);
    for (uint64_t done = 0; done < size;) {
        uffdio_copy request{.dst = addr + done, .src = from + done, .len = size - done,
                            .mode = 0, .copy = 0};
        if (::ioctl(userfaultfd(), UFFDIO_COPY, &request) == 0) {
            done += request.copy;
            continue;
        }
        // EAGAIN: a part was copied (request.copy bytes) and the rest is to be retried.
        if (errno != EAGAIN)
            return errno == ENOENT ? BSC_E_INVALID : errno_status();
        if (request.copy > 0)
            done += static_cast<uint64_t>(request.copy);
    }
    return BSC_OK;
}

} // namespace bsc::host::userfault
