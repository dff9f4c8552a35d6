// SPDX-License-Identifier: MIT
// Reading and writing an open file of any kind, shared by the read/write family
// (sys/files.cpp, which defines it) and the zero-copy family (sys/splice.cpp).
#pragma once

#include "fd_table.h"

namespace libos {

// Whether the file is open for reading / writing (never an O_PATH descriptor).
bool file_readable(const OpenFile &file);
bool file_writable(const OpenFile &file);
// Whether the file takes explicit offsets (the kernel's FMODE_PREAD / FMODE_PWRITE).
bool file_positional(const OpenFile &file);

// One read or write of at most 0x7ffff000 bytes between `file` at `offset` (or
// BSC_AT_POSITION) and `buffer` (the program's memory or the LibOS's), as read(2) and
// write(2) do it: EBADF for the wrong access mode, EISDIR, SIGPIPE with EPIPE, and
// -kRestartSyscall when a signal interrupts it. Bytes or -errno.
int64_t file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                      bool write);

struct Iovec {
    uint64_t base, length;
};

// The program's iovec array, read whole before anything moves, as the kernel's
// import_iovec: EINVAL for more than 1024 entries or a negative length, EFAULT for an
// array it cannot read; lengths beyond 0x7ffff000 in total are cut there.
class IoVector {
public:
    IoVector() = default;
    IoVector(const IoVector &) = delete;
    IoVector &operator=(const IoVector &) = delete;
    ~IoVector();
    int64_t import(uint64_t address, uint64_t entries);
    Iovec *segments = nullptr;
    uint64_t count = 0, total = 0;
};

// Moves up to `size` bytes between `bounce` and the segments from `skip` bytes on,
// stopping at the first fault; the bytes moved.
uint64_t copy_segments(const IoVector &v, uint64_t skip, char *bounce, uint64_t size,
                       bool to_segments);

} // namespace libos
