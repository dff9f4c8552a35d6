/* SPDX-License-Identifier: MIT */
/* Copies between the program's memory and the LibOS's that survive a bad pointer: a
 * fault inside [user_copy_begin, user_copy_end) resumes at the matching fixup
 * (signals.cpp), like the kernel's exception tables. */
    .text
    .globl user_copy_begin, user_copy_end, user_copy_fixup, user_copy, user_string
    .globl user_cmpxchg32, user_load32
    .hidden user_copy_begin, user_copy_end, user_copy_fixup, user_copy, user_string
    .hidden user_cmpxchg32, user_load32

user_copy_begin:
/* uint64_t user_copy(void *dst, const void *src, uint64_t size): bytes left uncopied. */
user_copy:
    mov %rdx, %rcx
    rep movsb
    xor %eax, %eax
    ret

/* int64_t user_string(char *dst, const char *src, uint64_t capacity): the length copied
 * (NUL included in the copy), -1 on a fault, -2 if no NUL within capacity. */
user_string:
    xor %eax, %eax
1:  cmp %rdx, %rax
    je 2f
    movzbl (%rsi, %rax), %ecx
    mov %cl, (%rdi, %rax)
    test %cl, %cl
    je 3f
    inc %rax
    jmp 1b
2:  mov $-2, %rax
3:  ret

/* int64_t user_cmpxchg32(uint32_t *word, uint32_t expected, uint32_t desired): stores
 * desired if the word holds expected, atomically; the word's old value, or -1 on a fault
 * (as in user_string). */
user_cmpxchg32:
    mov %esi, %eax
    lock cmpxchg %edx, (%rdi)
    ret

/* int64_t user_load32(const uint32_t *word): the word, read in one access (a futex word
 * another thread changes at the same time), or -1 on a fault. */
user_load32:
    mov (%rdi), %eax
    ret
user_copy_end:

/* A fault in user_copy leaves the remaining count in %rcx; in user_string,
 * user_cmpxchg32 and user_load32 -1 is the answer. Both come here with %rax set by the handler. */
user_copy_fixup:
    ret
    .section .note.GNU-stack, "", @progbits
