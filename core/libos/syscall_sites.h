// SPDX-License-Identifier: MIT
// Patched system call sites (README.md, "Patched system call sites"): the `syscall`
// instructions of program code the LibOS can prove safe to rewrite become jumps to
// trampolines that enter the LibOS through the host's system call entry, without a trap.
#pragma once

#include "kernel.h"

namespace libos {

// --syscall-path=trap: no site is patched (every system call traps).
void set_syscall_path_trap();

// The code of the ELF file open as `file` (named `name`), just mapped from file offset
// `offset` at [start, end) executable and not writable: rewrites the sites it can prove
// safe. `fs` is the program's %fs base, which the thread has again afterwards.
void patch_mapped_code(bsc_handle file, const char *name, uint64_t start, uint64_t end,
                       uint64_t offset, uint64_t fs);
// [start, end) is about to be made writable or moved: its sites get their own bytes back
// and are no longer patched.
void unpatch_sites(uint64_t start, uint64_t end);
// [start, end) is unmapped or replaced: its sites are gone.
void forget_sites(uint64_t start, uint64_t end);
// The program's memory goes (exec): every site is forgotten, every trampoline freed.
void forget_all_sites();

} // namespace libos
