// SPDX-License-Identifier: MIT
// An allocator for the large buffers of an image's page index (its decompressed bytes,
// columns and entries: over 10 MiB for a guest mapping 2 GiB). The first touch of a fresh
// 4 KiB page costs about 10 us in a VM with shadow page tables, 16 ms for 6 MiB here, and
// 0.5 ms in transparent huge pages (experiments/README.md, "Lazy restore"): a large buffer
// is mapped on its own and asks for huge pages (MADV_HUGEPAGE, which THP's "madvise"
// mode, Debian's default, honours); a smaller one comes from operator new.
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

namespace bsc::snapshot {

// Below `huge_from` bytes, a buffer comes from operator new; from there on it is mapped on
// its own in huge pages. An index buffer of 256 KiB or more is worth its own huge page: its
// 64 first touches of 4 KiB cost more than clearing one 2 MiB page, and it is made once.
// A read buffer, made for every read of a lazy restore, is one from 2 MiB on only.
inline constexpr std::size_t kIndexInHugePages = 256 << 10, kReadInHugePages = 2 << 20;
void *allocate_bytes(std::size_t size, std::size_t alignment, std::size_t huge_from);
void deallocate_bytes(void *memory, std::size_t size, std::size_t alignment,
                      std::size_t huge_from);

template <class T> struct HugePageAllocator {
    using value_type = T;
    HugePageAllocator() = default;
    template <class U> HugePageAllocator(const HugePageAllocator<U> &) {}
    T *allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T))
            throw std::bad_array_new_length();
        return static_cast<T *>(allocate_bytes(n * sizeof(T), alignof(T), kIndexInHugePages));
    }
    void deallocate(T *memory, std::size_t n) {
        deallocate_bytes(memory, n * sizeof(T), alignof(T), kIndexInHugePages);
    }
    // What a resize adds is default-initialised, not zeroed: each user writes every element
    // it adds (the index's decoder and writer), and zeroing would be one more pass over
    // fresh memory.
    template <class U> void construct(U *element) { ::new (static_cast<void *>(element)) U; }
    template <class U, class... Args> void construct(U *element, Args &&...args) {
        ::new (static_cast<void *>(element)) U(std::forward<Args>(args)...);
    }
    template <class U> bool operator==(const HugePageAllocator<U> &) const { return true; }
};

// Bytes in such a buffer.
using HugeBytes = std::vector<std::byte, HugePageAllocator<std::byte>>;

} // namespace bsc::snapshot
