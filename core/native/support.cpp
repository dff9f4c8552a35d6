// SPDX-License-Identifier: MIT
// The functions a freestanding compiler may call on its own (memcpy and friends), and the
// native personality's small string helpers.
#include "native.h"

extern "C" {

void *memcpy(void *dst, const void *src, size_t n) {
    auto *d = static_cast<char *>(dst);
    auto *s = static_cast<const char *>(src);
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    auto *d = static_cast<char *>(dst);
    auto *s = static_cast<const char *>(src);
    if (d < s)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int value, size_t n) {
    auto *d = static_cast<unsigned char *>(dst);
    while (n--)
        *d++ = static_cast<unsigned char>(value);
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    auto *x = static_cast<const unsigned char *>(a);
    auto *y = static_cast<const unsigned char *>(b);
    for (; n--; x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *text) { return native::length(text); }
}

namespace native {

size_t length(const char *text) {
    size_t n = 0;
    while (text[n])
        n++;
    return n;
}

bool equal(const char *a, const char *b) {
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

const char *getenv(const char *name) {
    auto *env = reinterpret_cast<const char *const *>(start_info().envp);
    size_t n = length(name);
    for (; *env; env++)
        if (memcmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return nullptr;
}

} // namespace native
