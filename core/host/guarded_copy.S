/* SPDX-License-Identifier: MIT */
/* The host's copy to and from guest memory (guarded_copy.cpp): one instruction that may
 * fault, which the signal handler skips to the end, the bytes left in %rcx. */
    .text
/* size_t bsc_guarded_copy(void *dst, const void *src, size_t size): the bytes not copied
 * (0: all were). */
    .globl bsc_guarded_copy
    .type bsc_guarded_copy, @function
bsc_guarded_copy:
    .cfi_startproc
    mov %rdx, %rcx
    .globl bsc_guarded_copy_instruction
bsc_guarded_copy_instruction:
    rep movsb
    .globl bsc_guarded_copy_end
bsc_guarded_copy_end:
    mov %rcx, %rax
    ret
    .cfi_endproc
    .size bsc_guarded_copy, . - bsc_guarded_copy

    .section .note.GNU-stack, "", @progbits
