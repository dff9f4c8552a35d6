// SPDX-License-Identifier: MIT
// Reading and writing the program's memory from the LibOS: a bad pointer becomes EFAULT,
// never a crash of the LibOS.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {
uint64_t user_copy(void *dst, const void *src, uint64_t size);
int64_t user_string(char *dst, const char *src, uint64_t capacity);
int64_t user_cmpxchg32(uint32_t *word, uint32_t expected, uint32_t desired);
int64_t user_load32(const uint32_t *word);
extern const char user_copy_begin[], user_copy_end[], user_copy_fixup[];
}

namespace libos {

inline bool copy_from_user(void *dst, uint64_t src, size_t size) {
    return user_copy(dst, reinterpret_cast<const void *>(src), size) == 0;
}
inline bool copy_to_user(uint64_t dst, const void *src, size_t size) {
    return user_copy(reinterpret_cast<void *>(dst), src, size) == 0;
}
template <class T> bool put_user(uint64_t dst, const T &value) {
    return copy_to_user(dst, &value, sizeof value);
}
template <class T> bool get_user(uint64_t src, T &value) {
    return copy_from_user(&value, src, sizeof value);
}

// Compares the program's 32-bit word at `address` with `expected` and, if equal, stores
// `desired`, atomically: false on a fault, else the value found in `old`.
inline bool compare_exchange_user(uint64_t address, uint32_t expected, uint32_t desired,
                                  uint32_t &old) {
    int64_t found = user_cmpxchg32(reinterpret_cast<uint32_t *>(address), expected, desired);
    old = static_cast<uint32_t>(found);
    return found >= 0;
}

// Reads the program's 32-bit word at `address` in one access (atomically): false on a fault.
inline bool load_user(uint64_t address, uint32_t &value) {
    int64_t found = user_load32(reinterpret_cast<const uint32_t *>(address));
    value = static_cast<uint32_t>(found);
    return found >= 0;
}

// Copies a path-like string: its length, or -EFAULT / -ENAMETOOLONG.
int64_t string_from_user(char *dst, uint64_t src, size_t capacity);

// An extensible structure of `size` bytes the program passes as `user_size` bytes, as the
// kernel's copy_struct_from_user reads it: bytes past the known ones must be zero (E2BIG),
// checked first; fewer leave the rest zero; 0 or -EFAULT / -E2BIG. The callers check the
// sizes their call allows.
int64_t struct_from_user(void *dst, size_t size, uint64_t src, uint64_t user_size);

// If `rip` faulted inside a user copy, where to resume and the value for %rax.
bool user_copy_fault(uint64_t &rip, uint64_t &rax, uint64_t rcx);

} // namespace libos
