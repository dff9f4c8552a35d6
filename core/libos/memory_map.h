// SPDX-License-Identifier: MIT
// The program's memory map, as Linux keeps its VMAs: sorted, non-overlapping regions that
// split and merge as the program maps, unmaps and protects memory; /proc/self/maps is
// generated from it. It holds only the program's memory (its ELF images, stack, break and
// mmaps): the LibOS's own image, heap and stacks are the kernel's part, not the program's.
#pragma once

#include "kernel.h"

namespace libos {

// The file behind a file mapping, shared by every region cut from mappings of one open
// file (the kernel merges neighbouring VMAs only of the same open file).
struct MappedFile {
    uint32_t refs;
    uint64_t device, inode; // stat's st_dev and st_ino
    // A System V shared memory attachment (shmat, one MappedFile each, as the kernel has
    // a file for each): the segment's size; its id is the inode. 0 for a file.
    uint64_t segment_size;
    char path[];            // with every symbolic link resolved, as the kernel shows it
};

// A new MappedFile with one reference for the open stream `handle` at `path`; null if the
// stream has no attributes.
MappedFile *mapped_file(const char *path, bsc_handle handle);
void mapped_file_release(MappedFile *file);
// A new MappedFile with one reference for an attachment of shared memory segment `id`
// (key `key`, `size` bytes), named as the kernel names it: "/SYSV<key> (deleted)".
MappedFile *mapped_segment(int32_t id, int32_t key, uint64_t size);

// A new MappedFile with one reference for an AIO ring (io_setup), named as the kernel
// names it: "/[aio] (deleted)".
MappedFile *mapped_aio_ring();

// How /proc/self/maps names a region without a file.
enum class RegionName : uint8_t { none, heap, stack, vdso, vvar };

struct Region {
    uint64_t start, end; // page aligned
    uint64_t offset;     // file offset at start (file mappings)
    MappedFile *file;    // or null: anonymous
    uint32_t prot;       // PROT_* bits
    bool shared;         // MAP_SHARED
    RegionName name;
    // Private memory that has been writable (the kernel's VM_ACCOUNT): never cleared, and
    // kept apart from neighbours without it, as the kernel keeps such VMAs apart.
    bool accounted = false;
    // MAP_GROWSDOWN (the kernel's VM_GROWSDOWN; the initial stack grows down too).
    bool grows_down = false;
    // A shared mapping that may be made writable: of anonymous memory, or of a file opened
    // for writing (the kernel's VM_MAYWRITE).
    bool may_write = false;
    // What a child of fork finds: MADV_WIPEONFORK zeroed (the kernel's VM_WIPEONFORK),
    // MADV_DONTFORK nothing (VM_DONTCOPY).
    bool wipe_on_fork = false;
    bool dont_fork = false;
    // MADV_DONTDUMP (the kernel's VM_DONTDUMP): left out of a core file; a child of fork
    // keeps it, a new program's memory has none.
    bool dont_dump = false;
    // MAP_LOCKED, mlock and mlockall (the kernel's VM_LOCKED): counted in VmLck and
    // against RLIMIT_MEMLOCK, refuses msync's MS_INVALIDATE and madvise's discarding; a
    // child of fork does not inherit it. With `lock_on_fault` (VM_LOCKONFAULT, mlock2's
    // MLOCK_ONFAULT) its pages are locked as they are touched, not faulted in at once.
    bool locked = false;
    bool lock_on_fault = false;
    // An AIO ring (the kernel's VM_DONTEXPAND): mremap does not grow it (EFAULT) and the
    // LibOS does not move it (its context would stay at the old address).
    bool dont_expand = false;
};

// Records a region, replacing what it overlaps (as MAP_FIXED does); takes its own
// reference to region.file. `accounted` is kept if set (a moved region keeps it), else
// worked out from the other fields.
void map_add(const Region &region);
// Forgets [start, end) and calls release(piece_start, piece_end) for every run of it that
// was mapped, so only the program's memory is given back.
void map_remove(uint64_t start, uint64_t end, void (*release)(uint64_t, uint64_t));
// map_remove for munmap, whose giving back may fail: `release` gives a run back (false if
// the host could not), and the map forgets the runs given back up to the first failure.
// Returns where that failure began, or `end`.
uint64_t map_release(uint64_t start, uint64_t end, bool (*release)(uint64_t, uint64_t));
// Whether every page of [start, end) is mapped.
bool map_covers(uint64_t start, uint64_t end);
// Whether any page of [start, end) is mapped.
bool map_intersects(uint64_t start, uint64_t end);
// Sets the protection of [start, end), which must be mapped (map_covers).
void map_protect(uint64_t start, uint64_t end, uint32_t prot);
// The region (the kernel's VMA) that contains addr, copied into `region` without a
// reference to its file; false if addr is not mapped.
bool map_find(uint64_t addr, Region &region);
// MADV_WIPEONFORK / MADV_KEEPONFORK, MADV_DONTFORK / MADV_DOFORK, MADV_DONTDUMP /
// MADV_DODUMP over [start, end), which the map covers: sets `Region::*flag` to `value`.
void map_set_fork_flag(uint64_t start, uint64_t end, bool Region::*flag, bool value);
// mlock, munlock, mlockall: sets the lock flags of [start, end), which the map covers.
void map_set_lock(uint64_t start, uint64_t end, bool locked, bool on_fault);
// The bytes of [start, end) in locked regions (the kernel's count_mm_mlocked_page_nr; of
// the whole space, its locked_vm), and the bytes mapped there (of the whole space, its
// total_vm).
uint64_t map_locked_bytes(uint64_t start, uint64_t end);
uint64_t map_mapped_bytes(uint64_t start, uint64_t end);
// The bytes of [start, end) in data regions (private, writable, not growing down: the
// kernel's is_data_mapping; of the whole space, its data_vm, which RLIMIT_DATA bounds).
uint64_t map_data_bytes(uint64_t start, uint64_t end);
bool is_data_mapping(const Region &r);
// After fork, in the child: the regions marked wipe-on-fork are reset, those marked
// don't-fork released and forgotten, and none is locked, as the kernel leaves them in a
// child.
void map_prepare_child(void (*reset_memory)(uint64_t, uint64_t),
                       void (*release_memory)(uint64_t, uint64_t));
// The first mapped piece of [start, end): the part of the first region that meets it,
// clipped to it (its offset adjusted, no file reference taken); false if none. Walks
// [start, end) region by region as the kernel walks VMAs, holes showing as a piece that
// starts later than asked.
bool map_next(uint64_t start, uint64_t end, Region &piece);

// Where the map lies in LibOS memory, which is at the same address in every process of
// the guest (one LibOS, copied by fork): procfs reads another process's map there.
struct MapPlace {
    Region *const *regions; // the sorted array
    const size_t *count;
};
MapPlace map_place();

// The map as /proc/self/maps shows it: `size` bytes from allocate(size).
char *map_text(uint64_t &size);

} // namespace libos
