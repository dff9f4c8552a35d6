// SPDX-License-Identifier: MIT
// One userfaultfd per process for counting writes, apart from the one that fills pages
// (userfault.h): a range registered for filling cannot be registered here too, and then
// reads as all written.
#include "write_tracking.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <array>
#include <mutex>

#include "fd.h"
#include "internal.h"

// Linux 6.7's interface, which Debian 12's headers predate.
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef PAGEMAP_SCAN
struct page_region {
    __u64 start, end, categories;
};
struct pm_scan_arg {
    __u64 size, flags, start, end, walk_end, vec, vec_len, max_pages, category_inverted,
        category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#define PAGE_IS_WRITTEN (1 << 1)
#endif

namespace bsc::host::write_tracking {
namespace {

// Asynchronous write protection, and unpopulated pages protected too (a page first
// touched after the protection counts as written). Faults from the kernel are resolved
// like the program's own, whatever mode the descriptor has.
int open_userfaultfd() {
    constexpr int kFlags = O_CLOEXEC | O_NONBLOCK;
    long fd = ::syscall(SYS_userfaultfd, kFlags);
    if (fd < 0)
        fd = ::syscall(SYS_userfaultfd, kFlags | UFFD_USER_MODE_ONLY);
    if (fd < 0)
        return -1;
    uffdio_api api{.api = UFFD_API,
                   .features = UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED,
                   .ioctls = 0};
    if (::ioctl(static_cast<int>(fd), UFFDIO_API, &api) != 0) {
        ::close(static_cast<int>(fd));
        return -1;
    }
    return static_cast<int>(fd);
}

PerProcessFd tracking_fd(open_userfaultfd);

// Protects every page of a range not registered yet (or no longer: mapped again, moved):
// from now on its writes count. False if it cannot be registered (filled through the other
// userfaultfd, or not anonymous memory).
bool start_counting(int uffd, Range range) {
    uffdio_range whole{.start = range.start, .len = range.end - range.start};
    uffdio_register request{.range = whole, .mode = UFFDIO_REGISTER_MODE_WP, .ioctls = 0};
    if (::ioctl(uffd, UFFDIO_REGISTER, &request) != 0)
        return false;
    uffdio_writeprotect protect{.range = whole, .mode = UFFDIO_WRITEPROTECT_MODE_WP};
    return ::ioctl(uffd, UFFDIO_WRITEPROTECT, &protect) == 0;
}

} // namespace

void mark_written(Range range, uint64_t base, std::span<uint8_t> written) {
    for (uint64_t page = (range.start - base) / kPage; page < (range.end - base) / kPage; page++)
        written[page / 8] |= static_cast<uint8_t>(1u << (page % 8));
}

bsc_status scan(Range range, bool restart, uint64_t base, std::span<uint8_t> written) {
    int uffd = tracking_fd.get(), pagemap = own_pagemap().get();
    if (uffd < 0 || pagemap < 0)
        return BSC_E_NOT_SUPPORTED;
    std::array<page_region, 512> found;
    // CHECK_WPASYNC: the whole scan fails, before it protects anything, if a part of the
    // range is not counted; WP_MATCHING protects each written page as it reports it.
    pm_scan_arg request{};
    request.size = sizeof request;
    request.flags = PM_SCAN_CHECK_WPASYNC | (restart ? PM_SCAN_WP_MATCHING : 0);
    request.start = range.start;
    request.end = range.end;
    request.vec = reinterpret_cast<uint64_t>(found.data());
    request.vec_len = found.size();
    request.category_mask = request.return_mask = PAGE_IS_WRITTEN;
    for (;;) {
        long count = ::ioctl(pagemap, PAGEMAP_SCAN, &request);
        if (count < 0 && errno == EPERM) { // not counted here: all of it may have changed
            mark_written(range, base, written);
            if (restart)
                start_counting(uffd, range);
            return BSC_OK;
        }
        if (count < 0)
            return errno == EINVAL || errno == ENOTTY ? BSC_E_NOT_SUPPORTED : errno_status();
        for (long i = 0; i < count; i++)
            mark_written({found[i].start, found[i].end}, base, written);
        // A full vector ends the walk early, at walk_end.
        if (request.walk_end >= range.end)
            return BSC_OK;
        request.start = request.walk_end;
    }
}

} // namespace bsc::host::write_tracking
