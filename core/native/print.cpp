// SPDX-License-Identifier: MIT
// Formatted output for native guests over stream_write.
#include "format.h"
#include "native.h"

namespace native {
namespace {

// Collects formatted output and writes it with as few downcalls as possible.
class Buffer {
public:
    explicit Buffer(bsc_handle handle) : handle_(handle) {}
    ~Buffer() { flush(); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    freestanding::Sink sink() {
        return {[](void *self, const char *data, size_t size) {
                    static_cast<Buffer *>(self)->put(data, size);
                },
                this};
    }

private:
    void put(const char *data, size_t size) {
        for (; size--; data++) {
            if (used_ == sizeof data_)
                flush();
            data_[used_++] = *data;
        }
    }
    void flush() {
        if (used_)
            write_all(handle_, data_, used_);
        used_ = 0;
    }

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
    freestanding::vformat(out.sink(), format, args);
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
