// SPDX-License-Identifier: MIT
// A small printf for guest-side code: %s %c %d %i %u %x %o %p %%, with the l modifier for
// 64-bit integers. Output goes to a sink in pieces.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace freestanding {

struct Sink {
    void (*put)(void *context, const char *data, size_t size);
    void *context;
};

void vformat(const Sink &sink, const char *format, va_list args);

// Formats into buffer (always NUL-terminated); returns the length written.
size_t format(char *buffer, size_t capacity, const char *format, ...);

} // namespace freestanding
