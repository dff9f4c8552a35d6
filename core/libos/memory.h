// SPDX-License-Identifier: MIT
// The program's address space as the LibOS manages it: pages and the break.
#pragma once

#include <stdint.h>

namespace libos {

inline constexpr uint64_t kPage = 4096;
inline uint64_t page_down(uint64_t v) { return v & ~(kPage - 1); }
inline uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

// Places the program break right after the loaded program (end of its highest segment).
void initialise_brk(uint64_t program_end);
// execve: every mapping of the old program and its break go back to the host.
void release_program_memory();
// After fork, in the child: the memory marked MADV_WIPEONFORK reads as zero, the memory
// marked MADV_DONTFORK is not there, nothing is locked.
void prepare_child_memory();

// The new program's stack (exec): a reserve of address space below `top` that it may grow
// into, with its top `initial` bytes (the arguments, environment and auxiliary vector and
// the kernel's 128 KiB more, at most RLIMIT_STACK) mapped. Returns the top.
uint64_t map_initial_stack(uint64_t initial);
// A fault at `address`: if it is below the stack, in the space kept for it, the stack grows
// down to it where RLIMIT_STACK, RLIMIT_AS and the mappings below allow it, as the
// kernel's expand_stack (the faulting access is then made again); refused, the fault is
// one at an unmapped address, as the kernel's.
enum class StackFault { elsewhere, grown, refused };
StackFault grow_stack(uint64_t address);

// munmap of [start, end) (page aligned, checked): its code sites forgotten, its runs given
// back to the host; 0, or -ENOMEM where the host could not split a mapping.
int64_t unmap_memory(uint64_t start, uint64_t end);

// ---- memory locking (sys/mlock.cpp), for the calls that map ----

// How memory is locked: not, or (the kernel's VM_LOCKED) faulted in at once, or with
// `on_fault` (VM_LOCKONFAULT) as its pages are touched.
struct LockMode {
    bool locked = false, on_fault = false;
};
// The lock a new mapping gets: MAP_LOCKED's if `map_locked`, and mlockall(MCL_FUTURE)'s
// (the kernel's mm->def_flags).
LockMode new_mapping_lock(bool map_locked);
// can_do_mlock, which MAP_LOCKED needs (EPERM without it).
bool may_map_locked();
// mlock_future_ok: whether `bytes` more may be locked under RLIMIT_MEMLOCK (EAGAIN if not).
bool may_lock_more(uint64_t bytes);
// Has the host lock the new memory [start, end) as `mode` says (faulting it in unless on
// fault); failures are ignored, as the kernel's mm_populate after mmap ignores them.
void lock_new_memory(uint64_t start, uint64_t end, LockMode mode);
// fork's child and exec start with no mlockall(MCL_FUTURE).
void forget_future_lock();

} // namespace libos
