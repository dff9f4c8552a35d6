/* SPDX-License-Identifier: MIT */
/* int probe_write(uint32_t *addr): stores 42 at addr and returns 0. If the store faults,
 * the guest's exception handler resumes at the return address with %eax = 1: the fault
 * happens before anything is pushed, so the return address is at the faulting %rsp. */
    .text
    .globl probe_write
    .hidden probe_write
    .type probe_write, @function
probe_write:
    movl $42, (%rdi)
    xor %eax, %eax
    ret
    .size probe_write, . - probe_write
    .section .note.GNU-stack, "", @progbits
