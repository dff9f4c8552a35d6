/* SPDX-License-Identifier: MIT */
/* The vDSO's ELF image (built from vdso.c and vdso.lds), embedded in the LibOS, which
 * copies it into every program it loads (vdso.cpp). */
    .section .rodata.vdso_image, "a"
    .balign 16
    .globl vdso_image_start, vdso_image_end
    .hidden vdso_image_start, vdso_image_end
vdso_image_start:
    .incbin VDSO_IMAGE
vdso_image_end:
    .section .note.GNU-stack, "", @progbits
