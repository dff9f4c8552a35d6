// SPDX-License-Identifier: MIT
// Guest virtual memory: the reserved window, vm_alloc/free/protect/reset/fill,
// stream_map/unmap, and the region map that keeps the guest from touching memory the
// runtime owns.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "regions.h"
#include "userfault.h"
#include "write_tracking.h"
#include "window.h"

namespace bsc::host {
namespace {

constexpr uint64_t kUsableBase = kWindowBase + kEntryAreaSize;
constexpr uint64_t kWindowEnd = kWindowBase + kWindowSize;
constexpr uint32_t kProtMask = BSC_PROT_READ | BSC_PROT_WRITE | BSC_PROT_EXEC;
constexpr uint32_t kReserveFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

static_assert(BSC_PROT_READ == PROT_READ && BSC_PROT_WRITE == PROT_WRITE &&
              BSC_PROT_EXEC == PROT_EXEC);

// One lock for the map and the mappings it describes, so that choosing a free range and
// mapping it are one step for concurrent callers.
std::mutex memory_mutex;
RegionMap regions;

} // namespace

std::mutex &memory_map_mutex() { return memory_mutex; }

PerProcessFd &own_pagemap() {
    static PerProcessFd pagemap([] { return ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC); });
    return pagemap;
}

namespace {

bool overlap(uint64_t start, uint64_t end, uint64_t low, uint64_t high) {
    return start < high && low < end;
}

// The parts of [start, end) that lie outside the window (at most two).
std::vector<Range> outside_window(Range range) {
    std::vector<Range> parts;
    if (range.start < kWindowBase)
        parts.push_back({range.start, std::min(range.end, kWindowBase)});
    if (range.end > kWindowEnd)
        parts.push_back({std::max(range.start, kWindowEnd), range.end});
    return parts;
}

// Checks a guest range: page-aligned start, non-zero size rounded up to pages, no wrap.
bsc_status page_range(uint64_t addr, uint64_t size, Range &out) {
    if (addr % kPage != 0 || size == 0 || size > UINT64_MAX - (kPage - 1))
        return BSC_E_INVALID;
    uint64_t length = (size + kPage - 1) & ~(kPage - 1);
    if (addr > UINT64_MAX - length)
        return BSC_E_INVALID;
    out = {addr, addr + length};
    return BSC_OK;
}

// False (errno set) at the first range the host kernel would not unmap (cutting a
// mapping in two past vm.max_map_count).
bool unmap_all(const std::vector<Range> &ranges) {
    for (const Range &r : ranges)
        if (::munmap(reinterpret_cast<void *>(r.start), r.end - r.start) != 0)
            return false;
    return true;
}

// Gives [start, end) back: the window part stays reserved (PROT_NONE), the rest is
// unmapped. False (errno set) if the host kernel refuses: reserving or unmapping the
// middle of a mapping cuts it in pieces, which a process at vm.max_map_count may not have.
bool release(Range range) {
    uint64_t low = std::max(range.start, kWindowBase), high = std::min(range.end, kWindowEnd);
    if (low < high && ::mmap(reinterpret_cast<void *>(low), high - low, PROT_NONE,
                             kReserveFlags | MAP_FIXED, -1, 0) == MAP_FAILED)
        return false;
    return unmap_all(outside_window(range));
}

// Makes [start, end) ready to be mapped over with MAP_FIXED. The entry area is never the
// guest's; guest-owned parts may be replaced only if `replace`; free window space is ours
// already; space outside the window must be free in the process, which a PROT_NONE
// placeholder mapped with MAP_FIXED_NOREPLACE checks atomically. `placeholders` lists
// those, for undoing if the mapping then fails.
bsc_status claim(Range range, bool replace, std::vector<Range> &placeholders) {
    if (overlap(range.start, range.end, kWindowBase, kUsableBase))
        return BSC_E_EXISTS;
    if (!replace && regions.overlaps(range.start, range.end))
        return BSC_E_EXISTS;
    for (const Range &gap : regions.gaps(range.start, range.end)) {
        for (const Range &part : outside_window(gap)) {
            void *want = reinterpret_cast<void *>(part.start);
            void *got = ::mmap(want, part.end - part.start, PROT_NONE,
                               kReserveFlags | MAP_FIXED_NOREPLACE, -1, 0);
            if (got == want) {
                placeholders.push_back(part);
                continue;
            }
            bsc_status status = got == MAP_FAILED ? errno_status() : BSC_E_EXISTS;
            if (got != MAP_FAILED) // a kernel that took the flag as a mere hint
                ::munmap(got, part.end - part.start);
            unmap_all(placeholders);
            placeholders.clear();
            return status;
        }
    }
    return BSC_OK;
}

// Where a region without BSC_MAP_FIXED* goes: the hint if it is free, else the first fit.
uint64_t choose(uint64_t hint, uint64_t length, std::vector<Range> &placeholders) {
    if (hint != 0 && hint <= UINT64_MAX - length &&
        claim({hint, hint + length}, false, placeholders) == BSC_OK)
        return hint;
    return regions.first_fit(kUsableBase, kWindowEnd, length);
}

bsc_status map_range(const Region &region, int fd) {
    int flags = MAP_FIXED | (region.flags & BSC_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE);
    if (fd < 0)
        flags |= MAP_ANONYMOUS;
    if (region.flags & BSC_MAP_NORESERVE)
        flags |= MAP_NORESERVE;
    void *at = ::mmap(reinterpret_cast<void *>(region.start), region.size,
                      static_cast<int>(region.prot), flags, fd, static_cast<off_t>(region.offset));
    if (at != MAP_FAILED)
        return BSC_OK;
    // Pipes, sockets, directories and events cannot be mapped: the handle is of the wrong kind.
    return errno == ENODEV ? BSC_E_BAD_HANDLE : errno_status();
}

// The common path of vm_alloc, stream_map and ipc_shared_memory_attach: place `proto`
// (all but start and size filled in) according to `want` and proto.flags, `map` it there
// (map(region): a status), record it, and report where in *guest_addr (already probed).
// A region to fill (proto.filling) is filled by userfault where the process can.
template <class Map>
bsc_status place_at(uint64_t *guest_addr, uint64_t want, uint64_t size, Region proto, Map &&map) {
    Range range;
    if (bsc_status s = page_range(want, size, range))
        return s;
    bool fixed = proto.flags & (BSC_MAP_FIXED | BSC_MAP_FIXED_NOREPLACE);
    if ((proto.flags & BSC_MAP_FIXED) && (proto.flags & BSC_MAP_FIXED_NOREPLACE))
        return BSC_E_INVALID;

    std::lock_guard lock(memory_mutex);
    std::vector<Range> placeholders;
    uint64_t length = range.end - range.start;
    if (fixed) {
        if (bsc_status s = claim(range, proto.flags & BSC_MAP_FIXED, placeholders))
            return s;
    } else {
        range.start = choose(want, length, placeholders);
        if (range.start == 0)
            return BSC_E_NO_MEMORY;
        range.end = range.start + length;
    }
    proto.start = range.start;
    proto.size = length;
    proto.flags &= BSC_MAP_SHARED | BSC_MAP_NORESERVE; // how to map it again, not where
    if (bsc_status s = map(static_cast<const Region &>(proto))) {
        unmap_all(placeholders);
        return s;
    }
    if (proto.filling != Filling::none && userfault::register_range(range))
        proto.filling = Filling::userfault;
    regions.insert(std::move(proto));
    if (write_guest(guest_addr, range.start) != BSC_OK) {
        (void)release(range); // fresh and whole: nothing to cut
        regions.erase(range.start, range.end);
        return BSC_E_FAULT;
    }
    return BSC_OK;
}

// place_at for vm_alloc and stream_map: *guest_addr is where the region is wanted, and
// `fd` what is mapped there (-1: anonymous memory).
bsc_status place(uint64_t *guest_addr, uint64_t size, Region proto, int fd) {
    uint64_t want;
    // Probe the out pointer before changing anything: a FIXED mapping cannot be undone.
    if (read_guest(guest_addr, want) != BSC_OK || write_guest(guest_addr, want) != BSC_OK)
        return BSC_E_FAULT;
    return place_at(guest_addr, want, size, std::move(proto),
                    [fd](const Region &region) { return map_range(region, fd); });
}

// Runs `change` on a page range only if the guest owns all of it.
template <class F> bsc_status on_guest_range(uint64_t addr, uint64_t size, F change) {
    Range range;
    if (bsc_status s = page_range(addr, size, range))
        return s;
    std::lock_guard lock(memory_mutex);
    if (!regions.covers(range.start, range.end))
        return BSC_E_INVALID;
    return change(range);
}

// Whether a page of `range` is in memory: in a region being filled by copying, exactly the
// pages filled already (nothing else may touch them).
bool any_resident(Range range) {
    std::vector<unsigned char> pages((range.end - range.start) / kPage);
    if (::mincore(reinterpret_cast<void *>(range.start), range.end - range.start, pages.data()))
        return false;
    return std::ranges::any_of(pages, [](unsigned char page) { return page & 1; });
}

// How the regions covering `range` are being filled, if all of them are and alike; else
// Filling::none. The caller locks.
Filling filling_of(Range range) {
    std::optional<Filling> shared;
    bool alike = regions.all_of(range.start, range.end, [&](const Region &region) {
        if (!shared)
            shared = region.filling;
        return region.filling == *shared;
    });
    return alike && shared ? *shared : Filling::none;
}

bsc_status free_range(uint64_t addr, uint64_t size) {
    return on_guest_range(addr, size, [](Range range) -> bsc_status {
        if (!release(range))
            return errno_status();
        regions.erase(range.start, range.end);
        return BSC_OK;
    });
}

} // namespace

void initialise_memory() {
    void *want = reinterpret_cast<void *>(kWindowBase);
    void *got = ::mmap(want, kWindowSize, PROT_NONE, kReserveFlags | MAP_FIXED_NOREPLACE, -1, 0);
    if (got != want)
        throw std::runtime_error("cannot reserve the guest memory window");
}

bool guest_owns(uint64_t addr, uint64_t size) {
    if (size == 0 || addr > UINT64_MAX - size)
        return false;
    std::lock_guard lock(memory_mutex);
    return regions.covers(addr, addr + size);
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_vm_alloc(uint64_t *addr, uint64_t size, uint32_t prot, uint32_t flags) {
    constexpr uint32_t allowed = BSC_MAP_FIXED | BSC_MAP_FIXED_NOREPLACE | BSC_MAP_NORESERVE |
                                 BSC_MAP_FILL | BSC_MAP_SHARED;
    if ((prot & ~kProtMask) || (flags & ~allowed))
        return BSC_E_INVALID;
    if ((flags & BSC_MAP_FILL) && (flags & BSC_MAP_SHARED))
        return BSC_E_INVALID; // userfaultfd fills private anonymous memory
    if ((flags & BSC_MAP_FILL) && !(prot & BSC_PROT_WRITE))
        return BSC_E_INVALID; // without userfaultfd, vm_fill writes the pages
    Region proto;
    proto.prot = prot;
    proto.flags = flags;
    proto.filling = flags & BSC_MAP_FILL ? Filling::copying : Filling::none;
    return place(addr, size, std::move(proto), -1);
}

extern "C" bsc_status host_vm_fill(uint64_t addr, const void *source, uint64_t size) {
    Range range;
    if (bsc_status s = page_range(addr, size, range); s != BSC_OK || size % kPage != 0)
        return BSC_E_INVALID;
    Filling filling;
    {
        // Checked under the lock; the copy is not, so that several threads fill at once.
        std::lock_guard lock(memory_mutex);
        filling = filling_of(range);
    }
    switch (filling) {
    case Filling::userfault: return userfault::copy(addr, source, size);
    case Filling::copying:
        if (any_resident(range))
            return BSC_E_EXISTS;
        return copy_to_guest(reinterpret_cast<void *>(addr), source, size);
    case Filling::none: break;
    }
    return BSC_E_INVALID;
}

extern "C" bsc_status host_vm_fill_end(uint64_t addr, uint64_t size) {
    return on_guest_range(addr, size, [](Range range) -> bsc_status {
        Filling filling = filling_of(range);
        if (filling == Filling::none)
            return BSC_E_INVALID;
        if (filling == Filling::userfault)
            userfault::unregister_range(range);
        regions.update(range.start, range.end,
                       [](Region &region) { region.filling = Filling::none; });
        return BSC_OK;
    });
}

extern "C" bsc_status host_vm_fill_wait(uint64_t *addr, int64_t timeout_ns) {
    if (timeout_ns < 0 && timeout_ns != BSC_WAIT_FOREVER)
        return BSC_E_INVALID;
    uint64_t page = 0;
    if (bsc_status s = userfault::wait(page, timeout_ns))
        return s;
    return write_guest(addr, page);
}

extern "C" bsc_status host_vm_free(uint64_t addr, uint64_t size) { return free_range(addr, size); }

extern "C" bsc_status host_vm_protect(uint64_t addr, uint64_t size, uint32_t prot) {
    if (prot & ~kProtMask)
        return BSC_E_INVALID;
    return on_guest_range(addr, size, [prot](Range range) -> bsc_status {
        if (::mprotect(reinterpret_cast<void *>(range.start), range.end - range.start,
                       static_cast<int>(prot)) != 0)
            return errno_status();
        regions.protect(range.start, range.end, prot);
        return BSC_OK;
    });
}

// Shared anonymous memory keeps its pages through MADV_DONTNEED (they are the shared
// object's); MADV_REMOVE gives them back, so they read as zero as the ABI promises.
// Private pages are dropped even where vm_lock locked them (MADV_DONTNEED_LOCKED, Linux
// 5.18; an older kernel, which knows only MADV_DONTNEED, refuses locked pages).
static int drop_private_pages(void *start, uint64_t size) {
    constexpr int kDontNeedLocked = 24; // MADV_DONTNEED_LOCKED
    if (::madvise(start, size, kDontNeedLocked) == 0)
        return 0;
    return errno == EINVAL ? ::madvise(start, size, MADV_DONTNEED) : -1;
}

extern "C" bsc_status host_vm_reset(uint64_t addr, uint64_t size) {
    return on_guest_range(addr, size, [](Range range) -> bsc_status {
        bsc_status status = BSC_OK;
        regions.update(range.start, range.end, [&status](Region &region) {
            bool shared_memory =
                (region.flags & BSC_MAP_SHARED) && region.origin == RegionOrigin::anonymous;
            void *start = reinterpret_cast<void *>(region.start);
            if ((shared_memory ? ::madvise(start, region.size, MADV_REMOVE)
                               : drop_private_pages(start, region.size)) != 0)
                status = errno_status();
        });
        return status;
    });
}

// Present pages from /proc/self/pagemap: 8 bytes per page, bit 63 set when the page is
// in the process's page tables (its resident set, as the kernel counts RSS), bit 61 when
// it is a file page or shared anonymous memory.
extern "C" bsc_status host_vm_resident_query(uint64_t addr, uint64_t size, uint64_t *resident,
                                             uint64_t *resident_shared) {
    if (addr % kPage != 0 || size % kPage != 0 || !guest_owns(addr, size))
        return BSC_E_INVALID;
    int pagemap = own_pagemap().get();
    if (pagemap < 0)
        return BSC_E_IO;
    constexpr uint64_t kPresent = uint64_t{1} << 63, kShared = uint64_t{1} << 61;
    std::vector<uint64_t> entries(4096);
    uint64_t bytes = 0, shared = 0;
    for (uint64_t page = addr / kPage, end = (addr + size) / kPage; page < end;) {
        uint64_t count = std::min<uint64_t>(end - page, entries.size());
        ssize_t got = ::pread(pagemap, entries.data(), count * 8, static_cast<off_t>(page * 8));
        if (got <= 0)
            return got < 0 ? errno_status() : BSC_E_IO;
        for (ssize_t i = 0; i < got / 8; i++) {
            uint64_t entry = entries[static_cast<size_t>(i)];
            bytes += entry & kPresent ? kPage : 0;
            shared += (entry & kPresent) && (entry & kShared) ? kPage : 0;
        }
        page += static_cast<uint64_t>(got) / 8;
    }
    if (bsc_status status = write_guest(resident, bytes))
        return status;
    return write_guest(resident_shared, shared);
}

// mlock2 and munlock on the guest's range: the host kernel faults the pages in and keeps
// them, with its own limits (the guest applies its RLIMIT_MEMLOCK before asking).
extern "C" bsc_status host_vm_lock(uint64_t addr, uint64_t size, uint32_t flags) {
    if (addr % kPage != 0 || size % kPage != 0 ||
        (flags != 0 && flags != BSC_VM_LOCK && flags != BSC_VM_LOCK_ON_FAULT) ||
        !guest_owns(addr, size))
        return BSC_E_INVALID;
    void *start = reinterpret_cast<void *>(addr);
    long result = flags == 0 ? ::munlock(start, size)
                             : ::syscall(SYS_mlock2, start, size,
                                         flags == BSC_VM_LOCK_ON_FAULT ? MLOCK_ONFAULT : 0);
    return result == 0 ? BSC_OK : errno_status();
}

// msync(MS_SYNC) on the guest's range: the host's kernel writes the stream mappings'
// changed pages to their files and waits, as Linux's msync does for the guest's own.
extern "C" bsc_status host_vm_sync(uint64_t addr, uint64_t size, uint32_t flags) {
    if (addr % kPage != 0 || flags != 0 || !guest_owns(addr, size))
        return BSC_E_INVALID;
    return ::msync(reinterpret_cast<void *>(addr), size, MS_SYNC) == 0 ? BSC_OK : errno_status();
}

// mincore on the guest's range: a byte per page, 1 for a resident one (the kernel's other
// bits are reserved, so they are dropped).
extern "C" bsc_status host_vm_residency_query(uint64_t addr, uint64_t size, uint8_t *pages,
                                              uint64_t pages_size) {
    if (addr % kPage != 0 || size % kPage != 0 || pages_size < size / kPage ||
        !guest_owns(addr, size))
        return BSC_E_INVALID;
    std::vector<unsigned char> vector(size / kPage);
    if (::mincore(reinterpret_cast<void *>(addr), size, vector.data()) != 0)
        return errno_status();
    for (unsigned char &page : vector)
        page &= 1;
    return copy_to_guest(pages, vector.data(), vector.size());
}

// Only private anonymous memory is counted: another process or the stream changes shared
// memory and a stream mapping's untouched pages without this process writing them.
extern "C" bsc_status host_vm_written_query(uint64_t addr, uint64_t size, uint32_t flags,
                                            uint8_t *written, uint64_t written_size) {
    uint64_t pages = size / kPage;
    if (addr % kPage != 0 || size % kPage != 0 || (flags & ~uint32_t{BSC_WRITTEN_RESTART}) ||
        written_size < (pages + 7) / 8)
        return BSC_E_INVALID;
    std::vector<uint8_t> bits((pages + 7) / 8);
    bsc_status status = on_guest_range(addr, size, [&](Range range) -> bsc_status {
        bsc_status result = BSC_OK;
        regions.for_each_in(range.start, range.end, [&](const Region &region) {
            Range part{std::max(region.start, range.start), std::min(region.end(), range.end)};
            if (result != BSC_OK)
                return;
            bool counted = region.origin == RegionOrigin::anonymous &&
                           !(region.flags & BSC_MAP_SHARED) && region.filling == Filling::none;
            if (counted)
                result = write_tracking::scan(part, flags & BSC_WRITTEN_RESTART, addr, bits);
            else
                write_tracking::mark_written(part, addr, bits);
        });
        return result;
    });
    if (status != BSC_OK)
        return status;
    return copy_to_guest(written, bits.data(), bits.size());
}

extern "C" bsc_status host_stream_map(bsc_handle handle, uint64_t *addr, uint64_t offset,
                                      uint64_t size, uint32_t prot, uint32_t flags) {
    constexpr uint32_t allowed =
        BSC_MAP_FIXED | BSC_MAP_FIXED_NOREPLACE | BSC_MAP_SHARED | BSC_MAP_NORESERVE;
    if ((prot & ~kProtMask) || (flags & ~allowed) || offset % kPage != 0)
        return BSC_E_INVALID;
    auto object = find_stream(handle);
    if (!object || object->fd < 0)
        return BSC_E_BAD_HANDLE;
    Region proto;
    proto.prot = prot;
    proto.flags = flags;
    proto.origin = RegionOrigin::stream;
    proto.uri = object->uri;
    proto.offset = offset;
    return place(addr, size, std::move(proto), object->fd);
}

extern "C" bsc_status host_stream_unmap(uint64_t addr, uint64_t size) {
    return free_range(addr, size);
}

// shmat's checks of the address come before the segment is looked up (Linux's do_shmat):
// unaligned without SHM_RND, or SHM_REMAP without an address, is EINVAL. The segment's
// size is the kernel's (its IPC_STAT needs the read permission every attach needs too);
// the attach itself is the kernel's shmat over the place chosen in the window (SHM_REMAP:
// the window is all mapped, reserved), so its own checks (the permission to write, a
// segment removed meanwhile) decide the rest.
extern "C" bsc_status host_ipc_shared_memory_attach(int32_t id, uint64_t *addr, uint64_t *size,
                                                    uint32_t flags) {
    uint64_t want;
    if (read_guest(addr, want) != BSC_OK || write_guest(addr, want) != BSC_OK ||
        probe_out(size) != BSC_OK)
        return BSC_E_FAULT;
    if (id < 0)
        return BSC_E_INVALID;
    bool replace = flags & BSC_ATTACH_REPLACE;
    // An address rounded down to 0 is still asked for: Linux maps there, which only a
    // privileged process may (the host refuses the placeholder otherwise: EPERM).
    bool fixed = want != 0;
    if (want % kPage) {
        if (!(flags & BSC_ATTACH_ROUND))
            return BSC_E_INVALID;
        want &= ~(kPage - 1);
    }
    if (want == 0 && replace)
        return BSC_E_INVALID;
    uint64_t bytes = 0;
    if (bsc_status status = shared_segment_size(id, bytes))
        return status;
    Region proto;
    proto.prot = BSC_PROT_READ | (flags & BSC_ATTACH_READ_ONLY ? 0 : BSC_PROT_WRITE) |
                 (flags & BSC_ATTACH_EXEC ? BSC_PROT_EXEC : 0);
    proto.flags = BSC_MAP_SHARED | (fixed ? (replace ? BSC_MAP_FIXED : BSC_MAP_FIXED_NOREPLACE) : 0);
    proto.origin = RegionOrigin::shared_segment;
    proto.uri = "sysv-shm:" + std::to_string(id);
    long attach_flags = BSC_ATTACH_REPLACE | (flags & (BSC_ATTACH_READ_ONLY | BSC_ATTACH_EXEC));
    bsc_status status = place_at(addr, want, bytes, std::move(proto), [&](const Region &region) {
        long at = ::syscall(SYS_shmat, id, region.start, attach_flags);
        return at == -1 ? ipc_status(errno) : BSC_OK;
    });
    if (status == BSC_E_EXISTS) // over memory in use, without SHM_REMAP
        return BSC_E_INVALID;
    if (status != BSC_OK)
        return status;
    return write_guest(size, (bytes + kPage - 1) & ~(kPage - 1));
}
