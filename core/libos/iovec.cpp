// SPDX-License-Identifier: MIT
// The program's iovec arrays (iovec.h).
#include "iovec.h"

#include <asm-generic/errno.h>

#include "heap.h"
#include "user_memory.h"

namespace libos {

IoVector::~IoVector() {
    if (segments)
        release(segments, count * sizeof(Iovec));
}

int64_t IoVector::import(uint64_t address, uint64_t entries) {
    if (entries > kMaxIov)
        return -EINVAL;
    if (entries == 0)
        return 0;
    count = entries;
    segments = static_cast<Iovec *>(allocate(count * sizeof(Iovec)));
    if (!copy_from_user(segments, address, count * sizeof(Iovec)))
        return -EFAULT;
    for (uint64_t i = 0; i < count; i++) {
        if (static_cast<int64_t>(segments[i].length) < 0)
            return -EINVAL;
        if (segments[i].length > kMaxTransfer - total)
            segments[i].length = kMaxTransfer - total;
        total += segments[i].length;
    }
    return 0;
}

void IoVector::truncate(uint64_t size) {
    if (size >= total)
        return;
    uint64_t left = size;
    for (uint64_t i = 0; i < count; i++) {
        segments[i].length = segments[i].length < left ? segments[i].length : left;
        left -= segments[i].length;
    }
    total = size;
}

uint64_t copy_segments(const IoVector &v, uint64_t skip, char *bounce, uint64_t size,
                       bool to_segments) {
    uint64_t moved = 0;
    for (uint64_t i = 0; i < v.count && moved < size; i++) {
        const Iovec &s = v.segments[i];
        if (skip >= s.length) {
            skip -= s.length;
            continue;
        }
        uint64_t n = s.length - skip < size - moved ? s.length - skip : size - moved;
        bool ok = to_segments ? copy_to_user(s.base + skip, bounce + moved, n)
                              : copy_from_user(bounce + moved, s.base + skip, n);
        if (!ok)
            break;
        moved += n;
        skip = 0;
    }
    return moved;
}

} // namespace libos
