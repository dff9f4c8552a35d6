// SPDX-License-Identifier: MIT
// A size-class allocator: blocks of 16 B to 64 KiB come from 1 MiB arenas and return to
// per-class free lists; larger blocks are their own ABI allocation.
#include "heap.h"

#include "fork_locks.h"
#include "kernel.h"
#include "memory.h"
#include "spinlock.h"

namespace libos {
namespace {

constexpr size_t kMinShift = 4, kMaxShift = 16;
constexpr size_t kArenaSize = 1 << 20;

struct FreeBlock {
    FreeBlock *next;
};

FreeBlock *free_lists[kMaxShift + 1];
char *arena_next, *arena_end;
Spinlock heap_lock;
LIBOS_FORK_LOCK(heap_lock);

size_t class_of(size_t size) {
    size_t shift = kMinShift;
    while ((size_t{1} << shift) < size)
        shift++;
    return shift;
}

void *map(size_t size) {
    uint64_t addr = 0;
    if (abi().vm_alloc(&addr, size, BSC_PROT_READ | BSC_PROT_WRITE, 0) != BSC_OK)
        panic("out of memory allocating %lu bytes", static_cast<uint64_t>(size));
    return reinterpret_cast<void *>(addr);
}

} // namespace

void *allocate(size_t size) {
    if (size > (size_t{1} << kMaxShift))
        return map(page_up(size));
    size_t shift = class_of(size);
    size_t block = size_t{1} << shift;
    void *result;
    {
        SpinGuard guard(heap_lock);
        if (FreeBlock *head = free_lists[shift]) {
            free_lists[shift] = head->next;
            result = head;
        } else {
            if (arena_end - arena_next < static_cast<ptrdiff_t>(block)) {
                arena_next = static_cast<char *>(map(kArenaSize));
                arena_end = arena_next + kArenaSize;
            }
            result = arena_next;
            arena_next += block;
        }
    }
    memset(result, 0, block);
    return result;
}

void *allocate_shared(size_t size) {
    uint64_t addr = 0;
    if (abi().vm_alloc(&addr, page_up(size), BSC_PROT_READ | BSC_PROT_WRITE, BSC_MAP_SHARED) !=
        BSC_OK)
        return nullptr;
    return reinterpret_cast<void *>(addr);
}

void release_shared(void *block, size_t size) {
    abi().vm_free(reinterpret_cast<uint64_t>(block), page_up(size));
}

void release(void *block, size_t size) {
    if (!block)
        return;
    if (size > (size_t{1} << kMaxShift)) {
        abi().vm_free(reinterpret_cast<uint64_t>(block), page_up(size));
        return;
    }
    size_t shift = class_of(size);
    SpinGuard guard(heap_lock);
    auto *free = static_cast<FreeBlock *>(block);
    free->next = free_lists[shift];
    free_lists[shift] = free;
}

} // namespace libos
