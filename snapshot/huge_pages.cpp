// SPDX-License-Identifier: MIT
#include "huge_pages.h"

#include <sys/mman.h>

#include <cstdint>

namespace bsc::snapshot {
namespace {

constexpr std::size_t kHugePage = 2 << 20;

std::size_t huge_size(std::size_t size) { return (size + kHugePage - 1) & ~(kHugePage - 1); }

} // namespace

void *allocate_bytes(std::size_t size, std::size_t alignment, std::size_t huge_from) {
    if (size < huge_from)
        return ::operator new(size, std::align_val_t(alignment));
    // Mapped with a huge page's worth to spare, then cut to a huge page boundary: the
    // kernel puts huge pages only where a whole one fits, aligned.
    std::size_t wanted = huge_size(size);
    void *mapped = ::mmap(nullptr, wanted + kHugePage, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED)
        throw std::bad_alloc();
    auto start = reinterpret_cast<std::uintptr_t>(mapped);
    auto aligned = (start + kHugePage - 1) & ~std::uintptr_t{kHugePage - 1};
    if (aligned > start)
        ::munmap(mapped, aligned - start);
    if (std::size_t after = start + wanted + kHugePage - (aligned + wanted))
        ::munmap(reinterpret_cast<void *>(aligned + wanted), after);
    ::madvise(reinterpret_cast<void *>(aligned), wanted, MADV_HUGEPAGE); // a hint: no huge pages is no error
    return reinterpret_cast<void *>(aligned);
}

void deallocate_bytes(void *memory, std::size_t size, std::size_t alignment,
                      std::size_t huge_from) {
    if (size < huge_from)
        return ::operator delete(memory, std::align_val_t(alignment));
    ::munmap(memory, huge_size(size));
}

} // namespace bsc::snapshot
