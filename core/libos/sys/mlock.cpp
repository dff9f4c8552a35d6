// SPDX-License-Identifier: MIT
// Memory locking and residency: mlock, mlock2, munlock, mlockall, munlockall, mincore.
// The LibOS keeps what is locked in its memory map (Region::locked: VmLck, RLIMIT_MEMLOCK,
// what a child does not inherit) and has the host lock the same pages (vm_lock), so
// faulting in and keeping them is the host kernel's work, as is telling which pages are
// in memory (vm_residency_query). Both walk the map as mm/mlock.c and mm/mincore.c walk
// VMAs, so a hole answers as Linux's does, after the same partial work.
#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm-generic/mman.h>
#include <linux/capability.h>
#include <linux/resource.h>

#include "heap.h"
#include "memory.h"
#include "memory_map.h"
#include "process_state.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kTaskSizeMax = (uint64_t{1} << 47) - 4096; // the user address space's end

// mlockall(MCL_FUTURE)'s lock for the mappings still to come (the kernel's mm->def_flags).
LockMode future_lock;

// The host's lock flags for a lock mode.
uint32_t host_flags(LockMode mode) {
    return !mode.locked ? 0 : mode.on_fault ? BSC_VM_LOCK_ON_FAULT : BSC_VM_LOCK;
}

// Whether a region may be locked at all: the vDSO and vvar are the kernel's special
// mappings (VM_DONTEXPAND, VM_PFNMAP), which mlock_fixup leaves as they are.
bool lockable(const Region &r) { return r.name != RegionName::vdso && r.name != RegionName::vvar; }

// The kernel's apply_vma_lock_flags then __mm_populate over [start, end): every region
// up to the first hole takes the new flags (a hole is ENOMEM, the pages before it locked
// but not faulted in); then the host faults the pages in, the first failure being the
// answer (ENOMEM for a page that cannot be, EAGAIN for one that cannot be locked), the
// regions after it locked as they are touched, as Linux leaves them.
int64_t apply_lock(uint64_t start, uint64_t end, LockMode mode) {
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    Region first;
    if (!map_find(start, first))
        return -ENOMEM;
    bool whole = map_covers(start, end);
    int64_t result = whole ? 0 : -ENOMEM;
    Region piece;
    for (uint64_t at = start; at < end && map_next(at, end, piece) && piece.start == at;
         at = piece.end) {
        if (!lockable(piece))
            continue;
        map_set_lock(piece.start, piece.end, mode.locked, mode.on_fault);
        // Not faulted in after a hole or a failure: locked as the pages are touched.
        LockMode host = result && mode.locked ? LockMode{true, true} : mode;
        bsc_status status = abi().vm_lock(piece.start, piece.end - piece.start, host_flags(host));
        if (status != BSC_OK && result == 0)
            result = result_of(status);
    }
    return result;
}

// can_do_mlock: a caller without CAP_IPC_LOCK may lock only with a soft RLIMIT_MEMLOCK.
bool may_lock() { return capable(CAP_IPC_LOCK) || soft_limit(RLIMIT_MEMLOCK) != 0; }

// Pages of `bytes`, as the kernel counts against RLIMIT_MEMLOCK.
uint64_t pages(uint64_t bytes) { return bytes / kPage; }

// do_mlock: the privilege, then the limit (the range's pages locked already not counted
// twice), then the flags and the faulting in.
int64_t lock_range(uint64_t start, uint64_t length, LockMode mode) {
    if (!may_lock())
        return -EPERM;
    uint64_t size = page_up(length + (start & (kPage - 1))); // wraps as the kernel's does
    start = page_down(start);
    uint64_t limit = pages(soft_limit(RLIMIT_MEMLOCK));
    uint64_t locked = pages(size) + pages(map_locked_bytes(0, kTaskSizeMax));
    if (locked > limit && !capable(CAP_IPC_LOCK))
        locked -= pages(map_locked_bytes(start, start + size));
    if (locked > limit && !capable(CAP_IPC_LOCK))
        return -ENOMEM;
    return apply_lock(start, start + size, mode);
}

// apply_mlockall_flags: every region takes the lock mode (errors ignored, as the kernel
// ignores them), then, when locking, the host faults every page in that it can.
void lock_every_region(LockMode mode) {
    Region piece;
    for (uint64_t at = 0; map_next(at, kTaskSizeMax, piece); at = piece.end) {
        if (!lockable(piece))
            continue;
        map_set_lock(piece.start, piece.end, mode.locked, mode.on_fault);
        abi().vm_lock(piece.start, piece.end - piece.start, host_flags(mode));
    }
}

} // namespace

// ---- what memory.cpp asks when it maps ----

LockMode new_mapping_lock(bool map_locked) {
    if (!map_locked)
        return future_lock;
    return {true, future_lock.locked && future_lock.on_fault};
}

bool may_lock_more(uint64_t bytes) {
    if (capable(CAP_IPC_LOCK))
        return true;
    return pages(bytes) + pages(map_locked_bytes(0, kTaskSizeMax)) <=
           pages(soft_limit(RLIMIT_MEMLOCK));
}

bool may_map_locked() { return may_lock(); }

void lock_new_memory(uint64_t start, uint64_t end, LockMode mode) {
    if (mode.locked && start < end)
        abi().vm_lock(start, end - start, host_flags(mode)); // mm_populate ignores errors
}

void forget_future_lock() { future_lock = {}; }

// ---- the system calls ----

int64_t sys_mlock(Syscall &call) { return lock_range(call.arg[0], call.arg[1], {true, false}); }

int64_t sys_mlock2(Syscall &call) {
    if (call.arg[2] & ~uint64_t{MLOCK_ONFAULT})
        return -EINVAL;
    return lock_range(call.arg[0], call.arg[1], {true, (call.arg[2] & MLOCK_ONFAULT) != 0});
}

int64_t sys_munlock(Syscall &call) {
    uint64_t start = call.arg[0];
    uint64_t size = page_up(call.arg[1] + (start & (kPage - 1)));
    start = page_down(start);
    return apply_lock(start, start + size, {false, false});
}

// mlockall: MCL_CURRENT locks what is mapped (ENOMEM if all of it passes the limit),
// MCL_FUTURE what will be; each call replaces what the last asked for the future.
int64_t sys_mlockall(Syscall &call) {
    uint64_t flags = call.arg[0];
    if (!flags || (flags & ~uint64_t{MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT}) ||
        flags == MCL_ONFAULT)
        return -EINVAL;
    if (!may_lock())
        return -EPERM;
    bool on_fault = flags & MCL_ONFAULT;
    if ((flags & MCL_CURRENT) && !capable(CAP_IPC_LOCK) &&
        pages(map_mapped_bytes(0, kTaskSizeMax)) > pages(soft_limit(RLIMIT_MEMLOCK)))
        return -ENOMEM;
    future_lock = flags & MCL_FUTURE ? LockMode{true, on_fault} : LockMode{};
    if (flags & MCL_CURRENT)
        lock_every_region({true, on_fault});
    return 0;
}

int64_t sys_munlockall(Syscall &) {
    future_lock = {};
    lock_every_region({false, false});
    return 0;
}

// mincore, in mm/mincore.c's order: EINVAL for an unaligned start, ENOMEM for a range
// beyond the user address space, EFAULT for a vector that is; then region by region, the
// host's answer copied out as each is done, ENOMEM at the first hole.
int64_t sys_mincore(Syscall &call) {
    uint64_t start = call.arg[0], length = call.arg[1], vector = call.arg[2];
    if (start % kPage)
        return -EINVAL;
    if (length > kTaskSizeMax || start > kTaskSizeMax - length)
        return -ENOMEM;
    uint64_t count = length / kPage + (length % kPage != 0);
    if (count > kTaskSizeMax || vector > kTaskSizeMax - count)
        return -EFAULT;
    constexpr uint64_t kChunk = 4096; // pages a step, as the kernel's one-page buffer
    auto *answer = static_cast<uint8_t *>(allocate(kChunk));
    uint64_t end = start + count * kPage;
    int64_t result = 0;
    Region piece;
    for (uint64_t at = start; at < end && result == 0;) {
        if (!map_next(at, end, piece) || piece.start > at) {
            result = -ENOMEM;
            break;
        }
        uint64_t step = (piece.end - at) / kPage < kChunk ? (piece.end - at) / kPage : kChunk;
        if (bsc_status status = abi().vm_residency_query(at, step * kPage, answer, step))
            result = result_of(status);
        else if (!copy_to_user(vector, answer, step))
            result = -EFAULT;
        vector += step;
        at += step * kPage;
    }
    release(answer, kChunk);
    return result;
}

} // namespace libos
