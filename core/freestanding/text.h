// SPDX-License-Identifier: MIT
// The C string and memory functions guest-side (freestanding) code relies on; the
// compiler may call the mem* ones on its own.
#pragma once

#include <stddef.h>

extern "C" {
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *text);
int strcmp(const char *a, const char *b);
}

namespace freestanding {

inline bool equal(const char *a, const char *b) { return strcmp(a, b) == 0; }
bool starts_with(const char *text, const char *prefix);
// Copies src into dst (capacity bytes, NUL included); false if it did not fit.
bool copy_string(char *dst, size_t capacity, const char *src);

} // namespace freestanding
