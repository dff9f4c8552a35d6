// SPDX-License-Identifier: MIT
// personality: the calling thread's execution domain and flags, kept as the kernel keeps
// task->personality (any value is taken; 0xffffffff only reads), copied to its threads and
// forked children, and applied where Linux applies it on x86-64 (personality.h).
#include "personality.h"

#include <asm-generic/mman-common.h>
#include <linux/personality.h>

#include "format.h"
#include "syscalls.h"
#include "thread.h"

namespace libos {

uint32_t current_personality() { return current_thread().personality; }

uint64_t implied_protection(uint64_t prot) {
    bool implied = (prot & PROT_READ) && (current_personality() & READ_IMPLIES_EXEC);
    return implied ? prot | PROT_EXEC : prot;
}

void personality_at_exec(bool secure) {
    uint32_t &personality = current_thread().personality;
    personality &= ~uint32_t{READ_IMPLIES_EXEC};
    if (secure)
        personality &= ~uint32_t{PER_CLEAR_ON_SETID};
    // load_elf_binary maps page 0 for it, which only a caller allowed to map below
    // mmap_min_addr gets; the LibOS does not.
    if (personality & MMAP_PAGE_ZERO)
        report_unsupported("execve", "the MMAP_PAGE_ZERO personality");
}

void personality_uname(char *release, uint64_t release_size, char *machine,
                       uint64_t machine_size) {
    uint32_t personality = current_personality();
    if ((personality & PER_MASK) == PER_LINUX32)
        freestanding::copy_string(machine, machine_size, "i686");
    if (!(personality & UNAME26))
        return;
    // The digits and dots of the first three numbers, then the rest kept.
    const char *rest = release;
    unsigned minor = 0, dots = 0;
    for (; *rest; rest++) {
        if (*rest == '.' && ++dots >= 3)
            break;
        if ((*rest < '0' || *rest > '9') && *rest != '.')
            break;
        if (dots == 1 && *rest != '.')
            minor = minor * 10 + static_cast<unsigned>(*rest - '0');
    }
    char text[65];
    freestanding::format(text, sizeof text, "2.6.%u%s", minor + 60, rest);
    freestanding::copy_string(release, release_size, text);
}

int64_t sys_personality(Syscall &c) {
    auto wanted = static_cast<uint32_t>(c.arg[0]);
    uint32_t &personality = current_thread().personality;
    uint32_t old = personality;
    if (wanted != 0xffffffffu)
        personality = wanted;
    return old;
}

} // namespace libos
