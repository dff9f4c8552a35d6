// SPDX-License-Identifier: MIT
// Formatted output for native guests: a small printf over stream_write.
#include "native.h"

namespace native {
namespace {

// Collects output and writes it with as few downcalls as possible.
class Buffer {
public:
    explicit Buffer(bsc_handle handle) : handle_(handle) {}
    ~Buffer() { flush(); }
    void put(char c) {
        if (used_ == sizeof data_)
            flush();
        data_[used_++] = c;
    }
    void put(const char *text) {
        while (*text)
            put(*text++);
    }
    void put_unsigned(uint64_t value, unsigned base) {
        char digits[24];
        int n = 0;
        do
            digits[n++] = "0123456789abcdef"[value % base];
        while (value /= base);
        while (n)
            put(digits[--n]);
    }
    void flush() {
        if (used_)
            write_all(handle_, data_, used_);
        used_ = 0;
    }

private:
    bsc_handle handle_;
    char data_[512];
    size_t used_ = 0;
};

} // namespace

void write_all(bsc_handle handle, const void *data, size_t size) {
    auto *bytes = static_cast<const char *>(data);
    while (size > 0) {
        uint64_t done = 0;
        bsc_status status = abi().stream_write(handle, BSC_AT_POSITION, bytes, size, &done);
        if (status == BSC_E_INTERRUPTED)
            continue;
        if (status != BSC_OK || done == 0)
            exit(70);
        bytes += done, size -= done;
    }
}

void vprint(bsc_handle handle, const char *format, va_list args) {
    Buffer out(handle);
    for (const char *f = format; *f; f++) {
        if (*f != '%') {
            out.put(*f);
            continue;
        }
        bool wide = false;
        if (*++f == 'l')
            wide = true, f++;
        switch (*f) {
        case 's': {
            const char *s = va_arg(args, const char *);
            out.put(s ? s : "(null)");
            break;
        }
        case 'c': out.put(static_cast<char>(va_arg(args, int))); break;
        case 'd':
        case 'i': {
            int64_t v = wide ? va_arg(args, int64_t) : va_arg(args, int);
            if (v < 0)
                out.put('-');
            out.put_unsigned(v < 0 ? -static_cast<uint64_t>(v) : static_cast<uint64_t>(v), 10);
            break;
        }
        case 'u': out.put_unsigned(wide ? va_arg(args, uint64_t) : va_arg(args, unsigned), 10); break;
        case 'x': out.put_unsigned(wide ? va_arg(args, uint64_t) : va_arg(args, unsigned), 16); break;
        case 'o': out.put_unsigned(wide ? va_arg(args, uint64_t) : va_arg(args, unsigned), 8); break;
        case 'p':
            out.put("0x");
            out.put_unsigned(reinterpret_cast<uint64_t>(va_arg(args, void *)), 16);
            break;
        case '%': out.put('%'); break;
        default: out.put('?'); break;
        }
    }
}

void print(bsc_handle handle, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vprint(handle, format, args);
    va_end(args);
}

void check(bsc_status status, const char *what) {
    if (status == BSC_OK)
        return;
    print(err(), "native guest: %s failed: %s\n", what, bsc_status_name(status));
    exit(70);
}

} // namespace native
