// SPDX-License-Identifier: MIT
// The freestanding printf.
#include "format.h"

#include <stdint.h>

#include "text.h"

namespace freestanding {
namespace {

void put_unsigned(const Sink &sink, uint64_t value, unsigned base) {
    char digits[24];
    int n = sizeof digits;
    do
        digits[--n] = "0123456789abcdef"[value % base];
    while (value /= base);
    sink.put(sink.context, digits + n, sizeof digits - n);
}

uint64_t next_unsigned(va_list &args, bool wide) {
    return wide ? va_arg(args, uint64_t) : va_arg(args, unsigned);
}

} // namespace

void vformat(const Sink &sink, const char *format, va_list arguments) {
    va_list args; // a local copy, so helpers can take it by reference on every ABI
    va_copy(args, arguments);
    for (const char *f = format; *f; f++) {
        if (*f != '%') {
            const char *run = f;
            while (f[1] && f[1] != '%')
                f++;
            sink.put(sink.context, run, f - run + 1);
            continue;
        }
        bool wide = f[1] == 'l';
        f += wide ? 2 : 1;
        switch (*f) {
        case 's': {
            const char *s = va_arg(args, const char *);
            s = s ? s : "(null)";
            sink.put(sink.context, s, strlen(s));
            break;
        }
        case 'c': {
            char c = static_cast<char>(va_arg(args, int));
            sink.put(sink.context, &c, 1);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = wide ? va_arg(args, int64_t) : va_arg(args, int);
            if (v < 0)
                sink.put(sink.context, "-", 1);
            put_unsigned(sink, v < 0 ? -static_cast<uint64_t>(v) : static_cast<uint64_t>(v), 10);
            break;
        }
        case 'u': put_unsigned(sink, next_unsigned(args, wide), 10); break;
        case 'x': put_unsigned(sink, next_unsigned(args, wide), 16); break;
        case 'o': put_unsigned(sink, next_unsigned(args, wide), 8); break;
        case 'p':
            sink.put(sink.context, "0x", 2);
            put_unsigned(sink, reinterpret_cast<uint64_t>(va_arg(args, void *)), 16);
            break;
        case '%': sink.put(sink.context, "%", 1); break;
        case 0: va_end(args); return;
        default: sink.put(sink.context, "?", 1); break;
        }
    }
    va_end(args);
}

size_t format(char *buffer, size_t capacity, const char *format, ...) {
    struct Cursor {
        char *at, *end;
    } cursor{buffer, buffer + capacity - 1};
    Sink sink{[](void *context, const char *data, size_t size) {
                  auto &c = *static_cast<Cursor *>(context);
                  for (; size-- && c.at < c.end; c.at++)
                      *c.at = *data++;
              },
              &cursor};
    va_list args;
    va_start(args, format);
    vformat(sink, format, args);
    va_end(args);
    *cursor.at = 0;
    return cursor.at - buffer;
}

} // namespace freestanding
