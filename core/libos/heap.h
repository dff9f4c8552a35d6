// SPDX-License-Identifier: MIT
// The LibOS's own allocator, over ABI memory: size classes for small blocks, whole
// allocations for large ones.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace libos {

void *allocate(size_t size);   // zeroed; panics when memory runs out
void release(void *block, size_t size);

template <class T> T *create() { return new (allocate(sizeof(T))) T(); }
template <class T> void destroy(T *object) {
    object->~T();
    release(object, sizeof(T));
}

// Memory every process fork makes from this one shares (whole pages of their own,
// BSC_MAP_SHARED; zeroed), for what Linux keeps in an open file description that a parent
// and child share (an eventfd's counter, a timerfd's deadline); null if none can be had.
// Each process gives its own mapping back; the pages go with the last one.
void *allocate_shared(size_t size);
void release_shared(void *block, size_t size);

template <class T> T *create_shared() {
    void *at = allocate_shared(sizeof(T));
    return at ? new (at) T() : nullptr;
}
template <class T> void destroy_shared(T *object) {
    object->~T();
    release_shared(object, sizeof(T));
}

// Makes room for `more` items in a growable array of `count` items (trivially copyable),
// doubling its capacity from 8 as needed.
template <class T> void make_room(T *&items, uint32_t count, uint32_t &capacity, uint32_t more) {
    if (capacity - count >= more)
        return;
    uint32_t grown = capacity ? 2 * capacity : 8;
    while (grown - count < more)
        grown *= 2;
    auto *moved = static_cast<T *>(allocate(sizeof(T) * grown));
    for (uint32_t i = 0; i < count; i++)
        moved[i] = items[i];
    if (items)
        release(items, sizeof(T) * capacity);
    items = moved;
    capacity = grown;
}

} // namespace libos

// Placement new, which freestanding code has to declare itself.
inline void *operator new(size_t, void *at) noexcept { return at; }
