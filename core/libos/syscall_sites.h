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
// `offset` at [start, end) readable, executable and not writable, or made so by
// mprotect: its sites are patched as they first trap.
void note_mapped_code(bsc_handle file, const char *name, uint64_t start, uint64_t end,
                      uint64_t offset);
// A system call trapped with its `syscall` instruction at `syscall`: once a site of noted
// code has trapped often enough, rewrites it if it can be proven safe (once: a site found
// unsafe stays on the trap path). `fs` is the program's %fs base, which the thread has
// again afterwards.
void patch_trapped_site(uint64_t syscall, uint64_t fs);
// --verbose: says, per object, what became of its system call sites that ran (at exit;
// an object unmapped or replaced by exec says so as it goes).
void report_syscall_sites();
// [start, end) is about to be made writable or moved: its sites get their own bytes back
// and are no longer patched.
void unpatch_sites(uint64_t start, uint64_t end);
// [start, end) is unmapped or replaced: its sites are gone.
void forget_sites(uint64_t start, uint64_t end);
// The program's memory goes (exec): every site is forgotten, every trampoline freed.
void forget_all_sites();

} // namespace libos
