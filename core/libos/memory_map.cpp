// SPDX-License-Identifier: MIT
// The program's memory map: a sorted array of regions in LibOS memory (a few dozen to a
// few thousand entries: binary search to find, memmove to insert), and its text.
#include "memory_map.h"

#include <asm-generic/mman-common.h>

#include "fork_locks.h"
#include "format.h"
#include "heap.h"
#include "paths.h"
#include "spinlock.h"
#include "stat.h"

namespace libos {
namespace {

Region *regions; // sorted by start, not overlapping
size_t count, capacity;
Spinlock map_lock;
LIBOS_FORK_LOCK(map_lock);

size_t mapped_file_size(const char *path) { return sizeof(MappedFile) + strlen(path) + 1; }

void acquire(MappedFile *file) {
    if (file)
        __atomic_fetch_add(&file->refs, 1, __ATOMIC_RELAXED);
}

// The index of the first region that ends after addr (count if none).
size_t first_ending_after(uint64_t addr) {
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (regions[middle].end <= addr)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

void insert_at(size_t index, const Region &region) {
    if (count == capacity) {
        size_t grown = capacity ? capacity * 2 : 64;
        auto *bigger = static_cast<Region *>(allocate(grown * sizeof(Region)));
        if (count)
            memcpy(bigger, regions, count * sizeof(Region));
        release(regions, capacity * sizeof(Region));
        regions = bigger, capacity = grown;
    }
    memmove(regions + index + 1, regions + index, (count - index) * sizeof(Region));
    regions[index] = region;
    count++;
}

// Removes regions [first, last), dropping their file references.
void erase(size_t first, size_t last) {
    for (size_t i = first; i < last; i++)
        mapped_file_release(regions[i].file);
    memmove(regions + first, regions + last, (count - last) * sizeof(Region));
    count -= last - first;
}

// Makes addr a region boundary by cutting the region that strictly contains it in two.
void split_at(uint64_t addr) {
    size_t i = first_ending_after(addr);
    if (i == count || regions[i].start >= addr)
        return;
    Region tail = regions[i];
    tail.offset += addr - tail.start;
    tail.start = addr;
    acquire(tail.file);
    regions[i].end = addr;
    insert_at(i + 1, tail);
}

// The regions inside [start, end) after cutting at both ends: [*first, *last).
void isolate(uint64_t start, uint64_t end, size_t &first, size_t &last) {
    split_at(start);
    split_at(end);
    first = first_ending_after(start);
    last = first_ending_after(end);
}

// Whether Linux would make one VMA of two neighbours.
bool mergeable(const Region &a, const Region &b) {
    return a.end == b.start && a.prot == b.prot && a.shared == b.shared && a.name == b.name &&
           a.accounted == b.accounted && a.grows_down == b.grows_down &&
           a.may_write == b.may_write && a.wipe_on_fork == b.wipe_on_fork && a.dont_fork == b.dont_fork &&
           a.dont_dump == b.dont_dump &&
           a.locked == b.locked && a.lock_on_fault == b.lock_on_fault && a.file == b.file &&
           (!a.file || a.offset + (a.end - a.start) == b.offset);
}

bool writable_private(const Region &r) { return !r.shared && (r.prot & PROT_WRITE); }

// Merges the changed regions [first, last) with each other and their neighbours.
void merge_around(size_t first, size_t last) {
    for (size_t i = first ? first - 1 : 0; i + 1 < count && i + 1 <= last;) {
        if (mergeable(regions[i], regions[i + 1])) {
            regions[i].end = regions[i + 1].end;
            erase(i + 1, i + 2);
            last--;
        } else {
            i++;
        }
    }
}

// Text in /proc/self/maps format; with a null buffer it only counts.
class MapsWriter {
public:
    explicit MapsWriter(char *buffer) : buffer_(buffer) {}
    uint64_t length() const { return length_; }

    void line(const Region &r) {
        uint64_t line_start = length_;
        hex(r.start, 8);
        put("-", 1);
        hex(r.end, 8);
        const char perms[] = {' ', r.prot & PROT_READ ? 'r' : '-', r.prot & PROT_WRITE ? 'w' : '-',
                              r.prot & PROT_EXEC ? 'x' : '-', r.shared ? 's' : 'p', ' '};
        put(perms, sizeof perms);
        hex(r.file ? r.offset : 0, 8);
        put(" ", 1);
        uint64_t device = r.file ? r.file->device : r.shared ? kSharedZeroDevice : 0;
        hex(device_major(device), 2);
        put(":", 1);
        hex(device_minor(device), 2);
        put(" ", 1);
        decimal(r.file ? r.file->inode : 0);
        put(" ", 1);
        if (const char *name = name_of(r)) {
            // The kernel pads the name to its own column (seq_pad).
            while (length_ - line_start < kNameColumn)
                put(" ", 1);
            put(name, strlen(name));
        }
        put("\n", 1);
    }

private:
    static constexpr uint64_t kNameColumn = 73;
    static constexpr uint64_t kSharedZeroDevice = 1; // 00:01, the kernel's shmem device

    static const char *name_of(const Region &r) {
        if (r.file)
            return r.file->path;
        if (r.shared)
            return "/dev/zero (deleted)"; // shared anonymous memory is a shmem file
        switch (r.name) {
        case RegionName::heap: return "[heap]";
        case RegionName::stack: return "[stack]";
        case RegionName::vdso: return "[vdso]";
        case RegionName::vvar: return "[vvar]";
        case RegionName::none: break;
        }
        return nullptr;
    }

    void put(const char *text, size_t size) {
        if (buffer_)
            memcpy(buffer_ + length_, text, size);
        length_ += size;
    }
    // At least `width` digits, zero-padded, as the kernel's seq_put_hex_ll.
    void hex(uint64_t value, int width) {
        char digits[16];
        int n = 0;
        do
            digits[sizeof digits - ++n] = "0123456789abcdef"[value & 15];
        while ((value >>= 4) || n < width);
        put(digits + sizeof digits - n, n);
    }
    void decimal(uint64_t value) {
        char digits[20];
        int n = 0;
        do
            digits[sizeof digits - ++n] = static_cast<char>('0' + value % 10);
        while (value /= 10);
        put(digits + sizeof digits - n, n);
    }

    char *buffer_;
    uint64_t length_ = 0;
};

} // namespace

MappedFile *mapped_file(const char *path, bsc_handle handle) {
    char real[kPathMax];
    bsc_stream_attributes attributes{};
    if (abi().stream_attributes_query_by_handle(handle, &attributes) != BSC_OK)
        return nullptr;
    if (real_path(path, real, sizeof real) < 0) // gone: named as the kernel names it
        freestanding::format(real, sizeof real, "%s (deleted)", path);
    auto *file = static_cast<MappedFile *>(allocate(mapped_file_size(real)));
    file->refs = 1;
    file->device = attributes.device;
    file->inode = attributes.inode;
    file->segment_size = 0;
    memcpy(file->path, real, strlen(real) + 1);
    return file;
}

namespace {

// A MappedFile for an object of the kernel's own file system, named `name`.
MappedFile *mapped_kernel_file(const char *name, uint64_t device, uint64_t inode,
                               uint64_t segment_size) {
    auto *file = static_cast<MappedFile *>(allocate(mapped_file_size(name)));
    file->refs = 1;
    file->device = device;
    file->inode = inode;
    file->segment_size = segment_size;
    memcpy(file->path, name, strlen(name) + 1);
    return file;
}

} // namespace

MappedFile *mapped_segment(int32_t id, int32_t key, uint64_t size) {
    char name[32] = "/SYSV"; // the key in 8 hex digits (the LibOS's format has no width)
    for (int i = 0; i < 8; i++)
        name[5 + i] = "0123456789abcdef"[(static_cast<uint32_t>(key) >> (28 - 4 * i)) & 15];
    memcpy(name + 13, " (deleted)", sizeof " (deleted)");
    // 00:01, the kernel's shmem mount
    return mapped_kernel_file(name, 1, static_cast<uint32_t>(id), size);
}

MappedFile *mapped_aio_ring() {
    // The aio file system's anonymous device; each ring has an inode of its own there.
    static uint64_t next_inode = 1;
    return mapped_kernel_file("/[aio] (deleted)", 0x12,
                              __atomic_fetch_add(&next_inode, 1, __ATOMIC_RELAXED), 0);
}

void mapped_file_release(MappedFile *file) {
    if (file && __atomic_sub_fetch(&file->refs, 1, __ATOMIC_ACQ_REL) == 0)
        release(file, mapped_file_size(file->path));
}

void map_add(const Region &region) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(region.start, region.end, first, last);
    erase(first, last);
    acquire(region.file);
    insert_at(first, region);
    regions[first].accounted = region.accounted || writable_private(region);
    merge_around(first, first + 1);
}

// Gives the runs of adjacent regions among [first, last) back with one call each, in
// order, until `release_memory` fails: the index of the run that failed, or `last`.
template <typename Release>
size_t release_runs(size_t first, size_t last, Release release_memory) {
    for (size_t i = first; i < last;) {
        size_t j = i + 1;
        while (j < last && regions[j].start == regions[j - 1].end)
            j++;
        if (!release_memory(regions[i].start, regions[j - 1].end))
            return i;
        i = j;
    }
    return last;
}

void map_remove(uint64_t start, uint64_t end, void (*release_memory)(uint64_t, uint64_t)) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(start, end, first, last);
    release_runs(first, last, [release_memory](uint64_t from, uint64_t to) {
        release_memory(from, to);
        return true;
    });
    erase(first, last);
}

uint64_t map_release(uint64_t start, uint64_t end, bool (*release_memory)(uint64_t, uint64_t)) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(start, end, first, last);
    size_t failed = release_runs(first, last, release_memory);
    if (failed < last) {
        uint64_t failed_at = regions[failed].start;
        erase(first, failed);
        merge_around(first, count); // the regions cut at start and end join again
        return failed_at;
    }
    erase(first, last);
    return end;
}

bool map_covers(uint64_t start, uint64_t end) {
    SpinGuard guard(map_lock);
    uint64_t at = start;
    for (size_t i = first_ending_after(start); i < count && at < end; i++) {
        if (regions[i].start > at)
            return false;
        at = regions[i].end;
    }
    return at >= end;
}

bool map_intersects(uint64_t start, uint64_t end) {
    SpinGuard guard(map_lock);
    size_t i = first_ending_after(start);
    return i < count && regions[i].start < end;
}

void map_protect(uint64_t start, uint64_t end, uint32_t prot) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(start, end, first, last);
    for (size_t i = first; i < last; i++) {
        regions[i].prot = prot;
        regions[i].accounted |= writable_private(regions[i]);
    }
    merge_around(first, last);
}

void map_set_fork_flag(uint64_t start, uint64_t end, bool Region::*flag, bool value) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(start, end, first, last);
    for (size_t i = first; i < last; i++)
        regions[i].*flag = value;
    merge_around(first, last);
}

void map_set_lock(uint64_t start, uint64_t end, bool locked, bool on_fault) {
    SpinGuard guard(map_lock);
    size_t first, last;
    isolate(start, end, first, last);
    for (size_t i = first; i < last; i++) {
        regions[i].locked = locked;
        regions[i].lock_on_fault = locked && on_fault;
    }
    merge_around(first, last);
}

namespace {

// The bytes of [start, end) in regions that `counted` selects.
uint64_t bytes_where(uint64_t start, uint64_t end, bool (*counted)(const Region &)) {
    SpinGuard guard(map_lock);
    uint64_t total = 0;
    for (size_t i = first_ending_after(start); i < count && regions[i].start < end; i++) {
        if (!counted(regions[i]))
            continue;
        uint64_t from = regions[i].start > start ? regions[i].start : start;
        uint64_t to = regions[i].end < end ? regions[i].end : end;
        total += to - from;
    }
    return total;
}

} // namespace

uint64_t map_locked_bytes(uint64_t start, uint64_t end) {
    return bytes_where(start, end, [](const Region &r) { return r.locked; });
}

uint64_t map_mapped_bytes(uint64_t start, uint64_t end) {
    return bytes_where(start, end, [](const Region &) { return true; });
}

bool is_data_mapping(const Region &r) {
    return (r.prot & PROT_WRITE) && !r.shared && !r.grows_down && r.name != RegionName::stack;
}

uint64_t map_data_bytes(uint64_t start, uint64_t end) {
    return bytes_where(start, end, is_data_mapping);
}

void map_prepare_child(void (*reset_memory)(uint64_t, uint64_t),
                       void (*release_memory)(uint64_t, uint64_t)) {
    SpinGuard guard(map_lock);
    for (size_t i = 0; i < count;) {
        if (regions[i].dont_fork) {
            release_memory(regions[i].start, regions[i].end);
            erase(i, i + 1);
            continue;
        }
        if (regions[i].wipe_on_fork)
            reset_memory(regions[i].start, regions[i].end);
        regions[i].locked = regions[i].lock_on_fault = false; // dup_mmap clears VM_LOCKED
        i++;
    }
}

bool map_find(uint64_t addr, Region &region) {
    SpinGuard guard(map_lock);
    size_t i = first_ending_after(addr);
    if (i == count || regions[i].start > addr)
        return false;
    region = regions[i];
    return true;
}

bool map_next(uint64_t start, uint64_t end, Region &piece) {
    SpinGuard guard(map_lock);
    size_t i = first_ending_after(start);
    if (i == count || regions[i].start >= end)
        return false;
    piece = regions[i];
    if (piece.start < start) {
        piece.offset += start - piece.start;
        piece.start = start;
    }
    if (piece.end > end)
        piece.end = end;
    return true;
}

MapPlace map_place() { return {&regions, &count}; }

char *map_text(uint64_t &size) {
    SpinGuard guard(map_lock);
    MapsWriter counter(nullptr);
    for (size_t i = 0; i < count; i++)
        counter.line(regions[i]);
    size = counter.length();
    auto *text = static_cast<char *>(allocate(size));
    MapsWriter writer(text);
    for (size_t i = 0; i < count; i++)
        writer.line(regions[i]);
    return text;
}

} // namespace libos
