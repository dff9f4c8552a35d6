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
// marked MADV_DONTFORK is not there.
void prepare_child_memory();

} // namespace libos
