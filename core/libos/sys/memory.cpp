// SPDX-License-Identifier: MIT
// Memory system calls: mmap, munmap, mprotect, mremap, brk, madvise, msync. Each keeps the
// program's memory map (memory_map.h) in step with what it asks of the ABI.
#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <asm-generic/mman.h>
#include <linux/mman.h>

#include "fd_table.h"
#include "libos_files.h"
#include "memory.h"
#include "memory_map.h"
#include "spinlock.h"
#include "syscalls.h"

namespace libos {
namespace {

// The break may grow this far; the range is reserved up front so nothing else lands in it.
constexpr uint64_t kBrkReserve = 1ull << 30;
constexpr uint64_t kAccessBits = PROT_READ | PROT_WRITE | PROT_EXEC;

uint64_t brk_start, brk_current, brk_mapped;
Spinlock brk_lock;

uint32_t protection(uint64_t prot) {
    return (prot & PROT_READ ? BSC_PROT_READ : 0) | (prot & PROT_WRITE ? BSC_PROT_WRITE : 0) |
           (prot & PROT_EXEC ? BSC_PROT_EXEC : 0);
}

// The end of [addr, addr + length) in whole pages; 0 if it wraps around.
uint64_t range_end(uint64_t addr, uint64_t length) {
    uint64_t end = addr + page_up(length);
    return end > addr ? end : 0;
}

void give_back(uint64_t start, uint64_t end) { abi().vm_free(start, end - start); }

// The name an open file's mappings show, made at its first mmap and kept with it.
MappedFile *mapped_name(OpenFile &file) {
    if (file.mapped || !file.path)
        return file.mapped;
    MappedFile *made = mapped_file(file.path, file.handle);
    MappedFile *none = nullptr;
    if (made && !__atomic_compare_exchange_n(&file.mapped, &none, made, false, __ATOMIC_ACQ_REL,
                                             __ATOMIC_ACQUIRE))
        mapped_file_release(made); // another thread named it first
    return file.mapped;
}

// Maps `size` bytes of a file for mmap at `at` (placed as map_flags say); names `region`.
bsc_status map_file(int fd, uint64_t &at, uint64_t size, uint32_t map_flags, Region &region) {
    FileRef file(fd);
    if (!file)
        return BSC_E_BAD_HANDLE;
    if (is_libos_file(*file.get()))
        return BSC_E_NOT_SUPPORTED;
    bsc_status status =
        abi().stream_map(file->handle, &at, region.offset, size, protection(region.prot),
                         map_flags | (region.shared ? BSC_MAP_SHARED : 0));
    if (status == BSC_OK)
        region.file = mapped_name(*file.get());
    return status;
}

int64_t mmap_errno(bsc_status status) {
    switch (status) {
    case BSC_E_EXISTS: return -EEXIST;
    case BSC_E_BAD_HANDLE: return -EBADF;
    case BSC_E_NOT_SUPPORTED: return -ENODEV;
    default: return result_of(status);
    }
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
    if (needed > brk_mapped) {
        // Linux refuses to grow the break over a mapping (MAP_FIXED into the reserve).
        if (map_intersects(brk_mapped, needed) ||
            abi().vm_protect(brk_mapped, needed - brk_mapped, BSC_PROT_READ | BSC_PROT_WRITE) !=
                BSC_OK)
            return static_cast<int64_t>(brk_current);
        map_add({brk_mapped, needed, 0, nullptr, PROT_READ | PROT_WRITE, false, RegionName::heap});
    }
    if (needed < brk_mapped) {
        // Shrinking gives the pages back: they read as zero if the break grows again.
        abi().vm_reset(needed, brk_mapped - needed);
        abi().vm_protect(needed, brk_mapped - needed, BSC_PROT_NONE);
        map_remove(needed, brk_mapped, [](uint64_t, uint64_t) {}); // the reserve keeps them
    }
    brk_mapped = needed;
    brk_current = wanted;
    return static_cast<int64_t>(brk_current);
}

int64_t sys_mmap(Syscall &call) {
    uint64_t addr = call.arg[0], length = call.arg[1], prot = call.arg[2], flags = call.arg[3];
    uint64_t type = flags & MAP_TYPE;
    if (length == 0 || call.arg[5] % kPage || (addr % kPage && (flags & MAP_FIXED)) ||
        (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE))
        return -EINVAL;
    if (range_end(0, length) == 0)
        return -ENOMEM;
    uint32_t map_flags = flags & MAP_FIXED_NOREPLACE ? BSC_MAP_FIXED_NOREPLACE
                         : flags & MAP_FIXED         ? BSC_MAP_FIXED
                                                     : 0;
    if (flags & MAP_NORESERVE)
        map_flags |= BSC_MAP_NORESERVE;
    uint64_t at = page_down(addr), size = page_up(length);
    bool anonymous = flags & MAP_ANONYMOUS;
    // Shared anonymous memory behaves as private until there are other processes.
    Region region{0, 0, anonymous ? 0 : call.arg[5], nullptr,
                  static_cast<uint32_t>(prot & kAccessBits), type != MAP_PRIVATE, RegionName::none};
    bsc_status status = anonymous ? abi().vm_alloc(&at, size, protection(prot), map_flags)
                                  : map_file(static_cast<int>(call.arg[4]), at, size, map_flags, region);
    if (status != BSC_OK)
        return mmap_errno(status);
    region.start = at;
    region.end = at + size;
    map_add(region);
    return static_cast<int64_t>(at);
}

int64_t sys_munmap(Syscall &call) {
    uint64_t end = range_end(call.arg[0], call.arg[1]);
    if (call.arg[0] % kPage || call.arg[1] == 0 || end == 0)
        return -EINVAL;
    map_remove(call.arg[0], end, give_back); // unmapping nothing is fine
    return 0;
}

int64_t sys_mprotect(Syscall &call) {
    uint64_t prot = call.arg[2];
    if (call.arg[0] % kPage)
        return -EINVAL;
    if (call.arg[1] == 0)
        return 0;
    uint64_t end = range_end(call.arg[0], call.arg[1]);
    if (end == 0)
        return -ENOMEM;
    if ((prot & ~(kAccessBits | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) ||
        ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)))
        return -EINVAL;
    if (!map_covers(call.arg[0], end))
        return -ENOMEM;
    if (bsc_status status = abi().vm_protect(call.arg[0], end - call.arg[0], protection(prot)))
        return result_of(status);
    map_protect(call.arg[0], end, static_cast<uint32_t>(prot & kAccessBits));
    return 0;
}

int64_t sys_mremap(Syscall &) {
    return -ENOMEM; // glibc then allocates, copies and frees
}

// The advice Linux knows: MADV_NORMAL to MADV_DONTNEED and MADV_FREE to MADV_COLLAPSE.
bool known_advice(uint64_t advice) {
    return advice <= MADV_DONTNEED || (advice >= MADV_FREE && advice <= MADV_COLLAPSE);
}

int64_t sys_madvise(Syscall &call) {
    uint64_t end = range_end(call.arg[0], call.arg[1]);
    if (!known_advice(call.arg[2]) || call.arg[0] % kPage || (call.arg[1] && end == 0))
        return -EINVAL;
    if (call.arg[1] == 0)
        return 0;
    if (!map_covers(call.arg[0], end))
        return -ENOMEM;
    if (call.arg[2] == MADV_DONTNEED || call.arg[2] == MADV_DONTNEED_LOCKED)
        return result_of(abi().vm_reset(call.arg[0], end - call.arg[0]));
    return 0; // advice only
}

// Shared mappings are the host's, kept coherent with the file: there is nothing to write
// back, only the arguments to check.
int64_t sys_msync(Syscall &call) {
    uint64_t flags = call.arg[2];
    if (call.arg[0] % kPage || (flags & ~uint64_t{MS_ASYNC | MS_INVALIDATE | MS_SYNC}) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    uint64_t end = range_end(call.arg[0], call.arg[1]);
    if (call.arg[1] && end == 0)
        return -ENOMEM;
    return call.arg[1] == 0 || map_covers(call.arg[0], end) ? 0 : -ENOMEM;
}

} // namespace libos
