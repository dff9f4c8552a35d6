// SPDX-License-Identifier: MIT
// A growing text in LibOS memory, for the files the LibOS generates (/proc).
#pragma once

#include <stdarg.h>

#include "format.h"
#include "heap.h"
#include "kernel.h"

namespace libos {

class Text {
public:
    ~Text() {
        if (data_)
            release(data_, capacity_);
    }
    void put(const char *data, size_t size) {
        if (size_ + size > capacity_)
            grow(size_ + size);
        memcpy(data_ + size_, data, size);
        size_ += size;
    }
    void print(const char *format, ...) __attribute__((format(printf, 2, 3))) {
        va_list args;
        va_start(args, format);
        freestanding::vformat({[](void *self, const char *data, size_t size) {
                                   static_cast<Text *>(self)->put(data, size);
                               },
                               this},
                              format, args);
        va_end(args);
    }
    // `value`'s last `count` hex digits (at most 16), zeros leading ("%016lx"): the small
    // printf has no width.
    void put_hex(uint64_t value, int count) {
        char digits[16];
        for (int i = 0; i < count; i++)
            digits[i] = "0123456789abcdef"[(value >> (4 * (count - 1 - i))) & 15];
        put(digits, static_cast<size_t>(count));
    }
    const char *data() const { return data_; }
    size_t size() const { return size_; }
    // The text in a block of exactly its size, for OpenFile::text.
    char *take(uint64_t &size) {
        char *out = static_cast<char *>(allocate(size_));
        if (size_)
            memcpy(out, data_, size_);
        size = size_;
        return out;
    }

private:
    void grow(size_t need) {
        size_t capacity = capacity_ ? capacity_ * 2 : 1024;
        while (capacity < need)
            capacity *= 2;
        char *data = static_cast<char *>(allocate(capacity));
        if (size_)
            memcpy(data, data_, size_);
        if (data_)
            release(data_, capacity_);
        data_ = data, capacity_ = capacity;
    }
    char *data_ = nullptr;
    size_t size_ = 0, capacity_ = 0;
};

} // namespace libos
