// SPDX-License-Identifier: MIT
// The LibOS's own allocator, over ABI memory: size classes for small blocks, whole
// allocations for large ones.
#pragma once

#include <stddef.h>

namespace libos {

void *allocate(size_t size);   // zeroed; panics when memory runs out
void release(void *block, size_t size);

template <class T> T *create() { return new (allocate(sizeof(T))) T(); }
template <class T> void destroy(T *object) {
    object->~T();
    release(object, sizeof(T));
}

} // namespace libos

// Placement new, which freestanding code has to declare itself.
inline void *operator new(size_t, void *at) noexcept { return at; }
