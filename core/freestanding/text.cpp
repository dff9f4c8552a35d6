// SPDX-License-Identifier: MIT
// Freestanding memory and string functions (built with loop-pattern recognition off, so
// these loops are not turned back into calls to themselves).
#include "text.h"

extern "C" {

// The string instructions: fast on every CPU with ERMS, and no loop for the compiler to
// turn back into a call.
void *memcpy(void *dst, const void *src, size_t n) {
    void *d = dst;
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
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
    void *d = dst;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
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

size_t strlen(const char *text) {
    size_t n = 0;
    while (text[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b) {
    while (*a && *a == *b)
        a++, b++;
    return static_cast<unsigned char>(*a) - static_cast<unsigned char>(*b);
}
}

namespace freestanding {

bool starts_with(const char *text, const char *prefix) {
    while (*prefix)
        if (*text++ != *prefix++)
            return false;
    return true;
}

bool copy_string(char *dst, size_t capacity, const char *src) {
    size_t n = strlen(src);
    if (n >= capacity)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

} // namespace freestanding
