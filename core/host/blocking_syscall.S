/* SPDX-License-Identifier: MIT */
/* The one way host code makes a system call that may block on a guest thread (see
 * blocking_syscall in internal.h). The interrupt that must end the wait may arrive just
 * before the call: then the thread's TCB_WORK or TCB_WAKE says so, and the wait is not
 * begun. The
 * interrupt handler closes the last gap: a signal that lands between the check and the
 * syscall instruction moves the thread to bsc_blocking_syscall_cancelled. */
#include "tcb.h"

#define EINTR 4

    .text
/* long bsc_blocking_syscall(long number, long a1, long a2, long a3, long a4, long a5):
 * the kernel's result (-errno on failure), or -EINTR without the call. */
    .globl bsc_blocking_syscall
    .type bsc_blocking_syscall, @function
bsc_blocking_syscall:
    .cfi_startproc
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %rcx, %rdx
    mov %r8, %r10
    mov %r9, %r8
    .globl bsc_blocking_syscall_check
bsc_blocking_syscall_check:
    testl $TCB_WORK_INTERRUPT, %gs:TCB_WORK
    jnz bsc_blocking_syscall_cancelled
    cmpl $0, %gs:TCB_WAKE
    jne bsc_blocking_syscall_cancelled
    .globl bsc_blocking_syscall_instruction
bsc_blocking_syscall_instruction:
    syscall
    ret
    .globl bsc_blocking_syscall_cancelled
bsc_blocking_syscall_cancelled:
    mov $-EINTR, %rax
    ret
    .cfi_endproc
    .size bsc_blocking_syscall, . - bsc_blocking_syscall

    .section .note.GNU-stack, "", @progbits
