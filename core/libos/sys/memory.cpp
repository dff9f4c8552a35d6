// SPDX-License-Identifier: MIT
// Memory system calls: mmap, munmap, mprotect, mremap, brk, madvise, msync.
#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm-generic/mman.h>
#include <linux/mman.h>

#include "fd_table.h"
#include "memory.h"
#include "spinlock.h"
#include "syscalls.h"

namespace libos {
namespace {

constexpr uint64_t kPage = 4096;
// The break may grow this far; the range is reserved up front so nothing else lands in it.
constexpr uint64_t kBrkReserve = 1ull << 30;

uint64_t brk_start, brk_current, brk_mapped;
Spinlock brk_lock;

uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

uint32_t protection(uint64_t prot) {
    return (prot & PROT_READ ? BSC_PROT_READ : 0) | (prot & PROT_WRITE ? BSC_PROT_WRITE : 0) |
           (prot & PROT_EXEC ? BSC_PROT_EXEC : 0);
}

// The result of mmap: the address, or -errno (call after the downcall has written addr).
int64_t map_result(bsc_status status, uint64_t addr) {
    return status == BSC_OK ? static_cast<int64_t>(addr)
                            : (status == BSC_E_EXISTS ? -EEXIST : result_of(status));
}

} // namespace

void initialise_brk(uint64_t program_end) {
    uint64_t reserve = page_up(program_end);
    // Keep the whole range: FIXED_NOREPLACE fails only if something is already there.
    if (abi().vm_alloc(&reserve, kBrkReserve, BSC_PROT_NONE, BSC_MAP_FIXED_NOREPLACE) != BSC_OK)
        reserve = 0; // no break: glibc falls back to mmap
    brk_start = brk_current = brk_mapped = reserve;
}

int64_t sys_brk(Syscall &call) {
    uint64_t wanted = call.arg[0];
    SpinGuard guard(brk_lock);
    if (brk_start == 0 || wanted < brk_start || wanted > brk_start + kBrkReserve)
        return static_cast<int64_t>(brk_current);
    uint64_t needed = page_up(wanted);
    if (needed > brk_mapped &&
        abi().vm_protect(brk_mapped, needed - brk_mapped, BSC_PROT_READ | BSC_PROT_WRITE) !=
            BSC_OK)
        return static_cast<int64_t>(brk_current);
    if (needed < brk_mapped) {
        // Shrinking gives the pages back: they read as zero if the break grows again.
        abi().vm_reset(needed, brk_mapped - needed);
        abi().vm_protect(needed, brk_mapped - needed, BSC_PROT_NONE);
    }
    brk_mapped = needed;
    brk_current = wanted;
    return static_cast<int64_t>(brk_current);
}

int64_t sys_mmap(Syscall &call) {
    uint64_t addr = call.arg[0], length = call.arg[1], prot = call.arg[2], flags = call.arg[3];
    int fd = static_cast<int>(call.arg[4]);
    uint64_t offset = call.arg[5];
    if (length == 0 || offset % kPage || (addr % kPage && (flags & MAP_FIXED)))
        return -EINVAL;
    uint32_t map_flags = 0;
    if (flags & MAP_FIXED_NOREPLACE)
        map_flags = BSC_MAP_FIXED_NOREPLACE;
    else if (flags & MAP_FIXED)
        map_flags = BSC_MAP_FIXED;
    if (flags & MAP_NORESERVE)
        map_flags |= BSC_MAP_NORESERVE;
    uint64_t at = addr & ~(kPage - 1);
    // Shared anonymous memory behaves as private until there are other processes.
    if (flags & MAP_ANONYMOUS) {
        bsc_status status = abi().vm_alloc(&at, length, protection(prot), map_flags);
        return map_result(status, at);
    }
    FileRef file(fd);
    if (!file)
        return -EBADF;
    if ((flags & 0x3) == MAP_SHARED)
        map_flags |= BSC_MAP_SHARED;
    bsc_status status =
        abi().stream_map(file->handle, &at, offset, length, protection(prot), map_flags);
    return map_result(status, at);
}

int64_t sys_munmap(Syscall &call) {
    if (call.arg[0] % kPage || call.arg[1] == 0)
        return -EINVAL;
    bsc_status status = abi().vm_free(call.arg[0], call.arg[1]);
    return status == BSC_E_INVALID ? 0 : result_of(status); // unmapping nothing is fine
}

int64_t sys_mprotect(Syscall &call) {
    if (call.arg[0] % kPage)
        return -EINVAL;
    if (call.arg[1] == 0)
        return 0;
    bsc_status status = abi().vm_protect(call.arg[0], call.arg[1], protection(call.arg[2]));
    return status == BSC_E_INVALID ? -ENOMEM : result_of(status);
}

int64_t sys_mremap(Syscall &) {
    return -ENOMEM; // glibc then allocates, copies and frees
}

int64_t sys_madvise(Syscall &call) {
    if (call.arg[2] == MADV_DONTNEED) {
        bsc_status status = abi().vm_reset(call.arg[0], call.arg[1]);
        return status == BSC_E_INVALID ? -ENOMEM : result_of(status);
    }
    return 0; // advice only
}

int64_t sys_msync(Syscall &) { return 0; }

} // namespace libos
