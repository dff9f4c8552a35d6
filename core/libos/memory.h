// SPDX-License-Identifier: MIT
// The program's address space as the LibOS manages it: the break.
#pragma once

#include <stdint.h>

namespace libos {

// Places the program break right after the loaded program (end of its highest segment).
void initialise_brk(uint64_t program_end);

} // namespace libos
