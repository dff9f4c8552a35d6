// SPDX-License-Identifier: MIT
// The program's iovec arrays, as the kernel imports them (readv and writev, the vectored
// reads and writes of files.cpp, process_vm_readv and process_vm_writev).
#pragma once

#include "kernel.h"

namespace libos {

inline constexpr uint64_t kMaxIov = 1024;            // UIO_MAXIOV
inline constexpr uint64_t kMaxTransfer = 0x7ffff000; // MAX_RW_COUNT: the largest transfer

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
    // Keeps only the first `size` bytes (the segments after them empty), as iov_iter_truncate.
    void truncate(uint64_t size);
    Iovec *segments = nullptr;
    uint64_t count = 0, total = 0;
};

// Moves up to `size` bytes between the bounce buffer and the segments from `skip` bytes
// on; the bytes moved (fewer at a segment that faults).
uint64_t copy_segments(const IoVector &v, uint64_t skip, char *bounce, uint64_t size,
                       bool to_segments);

} // namespace libos
