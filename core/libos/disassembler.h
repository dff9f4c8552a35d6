// SPDX-License-Identifier: MIT
// The x86-64 decoder the LibOS reads program code with: Debian's Zydis, whose shared
// object is embedded in libos.guest (zydis_image.S) and loaded into LibOS memory the
// first time code is analysed, its few imports (memcpy, memset, strlen, its assertion
// and stack-protector failures) bound to the LibOS's own.
#pragma once

#include "kernel.h"

namespace libos {

// What the analysis of system call sites needs to know of one instruction.
struct Instruction {
    enum class Kind : uint8_t {
        other,
        syscall,
        conditional, // a direct conditional jump: `target`, or the next instruction
        jump,        // a direct jump: `target`
        call,        // a direct call: `target`, then the next instruction
        stop,        // flow does not go on to the next instruction: ret, a jump through a
                     // register or memory (a table, a tail call), ud2, hlt, int3
    };
    Kind kind;
    uint8_t length;
    bool falls_through() const { return kind != Kind::jump && kind != Kind::stop; }
    bool rip_relative; // an operand addressed relative to rip
    uint64_t target;
};

// Decoding runs between these two, on one thread at a time: the decoder's code reads a
// stack-protector word at %fs:0x28, so %fs points at a block of the LibOS's meanwhile,
// and afterwards at `fs` (the program's, which the thread resumes with anyway).
// begin_decoding is false if the decoder cannot be loaded (said once with --verbose).
bool begin_decoding();
void end_decoding(uint64_t fs);
// Whether `address` is in the decoder's code or data: LibOS code, where an interrupt is
// not the program's to take (sys/signals.cpp).
bool in_decoder(uint64_t address);

// The instruction at `address`, whose bytes are code[0 .. available); false if they are
// not a valid instruction.
bool decode(uint64_t address, const uint8_t *code, uint64_t available, Instruction &out);

} // namespace libos
