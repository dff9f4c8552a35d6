// SPDX-License-Identifier: MIT
// Mapping an ELF64 x86-64 image into guest memory through the ABI. Freestanding (no C++
// library, no exceptions), so the runtime's guest-image loader and the Linux
// personality's program loader share it.
#pragma once

#include <elf.h>
#include <stdint.h>

#include "bascule.h"

namespace bsc::elf {

inline constexpr unsigned kMaxSegments = 32;

// Reads exactly `size` bytes at `offset`; false on a short read or an error.
struct Reader {
    bool (*read)(void *context, uint64_t offset, void *out, uint64_t size);
    void *context;
};

struct Image {
    Elf64_Ehdr header;
    Elf64_Phdr segments[kMaxSegments];
    unsigned segment_count;
    uint64_t bias;    // load address minus link address (0 for ET_EXEC)
    uint64_t low;     // lowest mapped address (after bias)
    uint64_t high;    // end of the highest mapped page (after bias)
    uint64_t entry;   // e_entry after bias
    uint64_t phdr;    // the program headers' address in memory, or 0
    char interpreter[256]; // PT_INTERP, or ""
};

// What went wrong, for a message.
const char *error_text(int error);

// Parses and checks the header, the program headers and PT_INTERP. Returns 0 or an
// error for error_text.
int parse(const Reader &reader, Image &image);

// Maps every PT_LOAD segment of the open stream `file`: an ET_EXEC at its link address,
// an ET_DYN anywhere in the window. Zero-fills what lies past each segment's file data.
// Returns 0 or an error for error_text; *status then holds the failing call's status.
int map(const bsc_downcalls &abi, bsc_handle file, Image &image, bsc_status *status);

// A segment's p_flags (PF_R, PF_W, PF_X) as BSC_PROT_* bits, which are Linux's PROT_*.
uint32_t segment_protection(uint32_t flags);

} // namespace bsc::elf
