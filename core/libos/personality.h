// SPDX-License-Identifier: MIT
// The calling thread's execution domain and its flags (personality(2), sys/personality.cpp),
// and what they change elsewhere: uname's release and machine, select's timeout, the
// protection of readable memory.
#pragma once

#include <stdint.h>

namespace libos {

uint32_t current_personality();

// READ_IMPLIES_EXEC: `prot` with PROT_EXEC added if it has PROT_READ (mmap, mprotect).
uint64_t implied_protection(uint64_t prot);

// At exec's point of no return, as the x86-64 loader leaves it: READ_IMPLIES_EXEC
// cleared (set_personality_64bit), PER_CLEAR_ON_SETID too for a program that runs with
// other effective ids (`secure`).
void personality_at_exec(bool secure);

// uname's release under UNAME26 ("2.6.(60 + minor)" and the rest, override_release), in
// place; its machine under PER_LINUX32 ("i686", override_architecture).
void personality_uname(char *release, uint64_t release_size, char *machine,
                       uint64_t machine_size);

} // namespace libos
