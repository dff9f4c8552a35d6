/* SPDX-License-Identifier: MIT */
/* Debian's Zydis decoder (libZydis.so from libzydis-dev, found by CMake), embedded in the
 * LibOS as the file is: disassembler.cpp loads and links it into LibOS memory itself,
 * since a freestanding guest image cannot depend on a shared library. */
    .section .rodata.zydis_image, "a"
    .balign 64
    .globl zydis_image_start, zydis_image_end
    .hidden zydis_image_start, zydis_image_end
zydis_image_start:
    .incbin ZYDIS_IMAGE
zydis_image_end:
    .section .note.GNU-stack, "", @progbits
