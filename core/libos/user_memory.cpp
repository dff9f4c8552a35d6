// SPDX-License-Identifier: MIT
// Fault-tolerant access to the program's memory.
#include "user_memory.h"

#include <asm-generic/errno.h>

namespace libos {

int64_t string_from_user(char *dst, uint64_t src, size_t capacity) {
    int64_t n = user_string(dst, reinterpret_cast<const char *>(src), capacity);
    return n == -1 ? -EFAULT : n == -2 ? -ENAMETOOLONG : n;
}

int64_t struct_from_user(void *dst, size_t size, uint64_t src, uint64_t user_size) {
    for (uint64_t at = size; at < user_size; at++) {
        uint8_t byte;
        if (!get_user(src + at, byte))
            return -EFAULT;
        if (byte)
            return -E2BIG;
    }
    __builtin_memset(dst, 0, size);
    return copy_from_user(dst, src, user_size < size ? user_size : size) ? 0 : -EFAULT;
}

bool user_copy_fault(uint64_t &rip, uint64_t &rax, uint64_t rcx) {
    auto begin = reinterpret_cast<uint64_t>(user_copy_begin);
    auto end = reinterpret_cast<uint64_t>(user_copy_end);
    if (rip < begin || rip >= end)
        return false;
    bool in_copy = rip < reinterpret_cast<uint64_t>(user_string);
    rax = in_copy ? (rcx ? rcx : 1) : static_cast<uint64_t>(-1);
    rip = reinterpret_cast<uint64_t>(user_copy_fixup);
    return true;
}

} // namespace libos
