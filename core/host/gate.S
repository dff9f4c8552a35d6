/* SPDX-License-Identifier: MIT */
/* The gates between guest and host. The entry blob is copied into the entry page at the
 * start of the guest window (entry_page.cpp): the guest's downcall table points at its
 * stubs, and the signal restorer lives there because syscall user dispatch always lets
 * system calls from that page through. bsc_gate_enter_guest and bsc_signal_entry run in
 * place. See core/host/README.md for the state machine. */
#include "tcb.h"

#define MAX_DOWNCALLS 128

    .section .rodata.bsc_entry, "a"
    .balign 4096
    .globl bsc_entry_blob
bsc_entry_blob:
    /* Page 0 of the entry page: data. The guest's bsc_downcalls table sits at offset 0
     * (filled in by entry_page.cpp); the host pointers the code needs follow it. */
    .skip 2048
    .globl bsc_entry_top_table
bsc_entry_top_table:
    .quad 0                   /* const bsc_downcalls *: the top of the chain */
    .globl bsc_entry_exit_work
bsc_entry_exit_work:
    .quad 0                   /* bsc_status (*)(bsc_status): the work TCB_WORK asks for */
    .balign 4096

    /* One stub per table slot: the slot number in %eax, then the common gate. */
    .globl bsc_entry_stubs
bsc_entry_stubs:
    .set slot, 0
    .rept MAX_DOWNCALLS
    .balign 16
    movl $slot, %eax
    jmp .Lgate_downcall
    .set slot, slot + 1
    .endr

/* Guest -> host. Callee-saved registers go to the guest stack, so a thread parked in a
 * downcall has its whole guest state in guest memory; the host runs on its own stack. */
.Lgate_downcall:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %gs:TCB_GUEST_SP
    rdfsbase %r11
    mov %r11, %gs:TCB_GUEST_FS
    mov %gs:TCB_HOST_FS, %r11
    wrfsbase %r11
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_SP, %rsp
    mov bsc_entry_top_table(%rip), %r11
    call *8(%r11, %rax, 8)

/* Host -> guest after a downcall. Every instruction from here to the ret can run again:
 * a signal that lands in this range is made pending and the thread restarts at the
 * check, so no interrupt is lost between the check and the return to the guest. */
    .globl bsc_entry_exit_check
bsc_entry_exit_check:
    cmpl $0, %gs:TCB_WORK
    jne .Lexit_work
    mov %gs:TCB_GUEST_FS, %r11
    wrfsbase %r11
    mov %gs:TCB_GUEST_SP, %r11
    mov 0(%r11), %r15
    mov 8(%r11), %r14
    mov 16(%r11), %r13
    mov 24(%r11), %r12
    mov 32(%r11), %rbp
    mov 40(%r11), %rbx
    lea 48(%r11), %rsp
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    .globl bsc_entry_exit_return
bsc_entry_exit_return:
    ret

/* Work before the return (TCB_WORK), back in the host: it may raise an interrupt in the
 * guest instead of returning; else it returns the status and the exit starts over. */
.Lexit_work:
    mov %gs:TCB_HOST_FS, %r11
    wrfsbase %r11
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_SP, %rsp
    mov %eax, %edi
    call *bsc_entry_exit_work(%rip)
    jmp bsc_entry_exit_check

/* void bsc_entry_sigreturn(ucontext *uc, uint64_t guest_fs): resumes a full guest context
 * through rt_sigreturn. Signals are blocked by the caller; the frame's mask unblocks them
 * atomically with the return. */
    .globl bsc_entry_sigreturn
bsc_entry_sigreturn:
    wrfsbase %rsi
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    mov %rdi, %rsp
    mov $15, %eax             /* rt_sigreturn */
    syscall
    ud2

/* The sa_restorer of every host signal handler. */
    .globl bsc_entry_restorer
bsc_entry_restorer:
    mov $15, %eax
    syscall
    ud2
    /* syscall user dispatch checks the address after the syscall instruction: leave room */
    .skip 16, 0xcc
    .globl bsc_entry_blob_end
bsc_entry_blob_end:

    .text
/* [[noreturn]] void bsc_gate_enter_guest(fn, arg0, arg1, stack, fs): runs an upcall in the
 * guest on its stack with its %fs. The pushed 0 stands for a return address: upcalls
 * never return. */
    .globl bsc_gate_enter_guest
    .type bsc_gate_enter_guest, @function
bsc_gate_enter_guest:
    mov %rdi, %r11
    mov %rsi, %rdi
    mov %rdx, %rsi
    wrfsbase %r8
    mov %rcx, %rsp
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    push $0
    jmp *%r11
    .globl bsc_gate_enter_guest_end
bsc_gate_enter_guest_end:
    .size bsc_gate_enter_guest, . - bsc_gate_enter_guest

/* The handler of every host signal. On a guest thread (%gs set) it lets system calls
 * through, switches to the runtime's %fs and marks the thread as in the host before any
 * C++ runs, and puts all three back when bsc_host_signal returns:
 * void bsc_host_signal(sig, info, uc, interrupted_fs, interrupted_state). */
    .globl bsc_signal_entry
    .type bsc_signal_entry, @function
bsc_signal_entry:
    rdgsbase %rax
    test %rax, %rax
    jz .Lhost_thread
    push %rbx
    push %r12
    push %r13
    push %r14
    sub $8, %rsp
    movzbl %gs:TCB_SELECTOR, %r12d
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_STATE, %r14d
    movl $TCB_IN_HOST, %gs:TCB_STATE
    rdfsbase %rbx
    mov %gs:TCB_HOST_FS, %r13
    wrfsbase %r13
    mov %rbx, %rcx
    mov %r14d, %r8d
    call bsc_host_signal
    wrfsbase %rbx
    mov %r14d, %gs:TCB_STATE
    movb %r12b, %gs:TCB_SELECTOR
    add $8, %rsp
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    ret
.Lhost_thread:
    rdfsbase %rcx
    mov $TCB_IN_HOST, %r8d
    jmp bsc_host_signal
    .globl bsc_signal_entry_end
bsc_signal_entry_end:
    .size bsc_signal_entry, . - bsc_signal_entry

    .section .note.GNU-stack, "", @progbits
