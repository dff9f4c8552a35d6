/* SPDX-License-Identifier: MIT */
/* The gates between guest and host, all in the entry blob: entry_page.cpp copies it into
 * the entry page at the start of the guest window. The guest's downcall table points at
 * its stubs; the upcall entry, the host's signal entry and the signal restorer run there
 * too, because syscall user dispatch always lets system calls from that page through,
 * whatever the thread's selector says. See core/host/README.md for the state machine. */
#include "tcb.h"

#define MAX_DOWNCALLS 128
#define SYS_rt_sigreturn 15
#define SYS_arch_prctl 158
#define ARCH_SET_FS 0x1002
#define ARCH_GET_GS 0x1004

    .section .rodata.bsc_entry, "a"
    .balign 4096
    .globl bsc_entry_blob
bsc_entry_blob:
    /* Page 0 of the entry page: data. The guest's bsc_downcalls table sits at offset 0
     * (filled in by entry_page.cpp); the host values the code needs follow it. */
    .skip 2048
    .globl bsc_entry_top_table
bsc_entry_top_table:
    .quad 0                   /* const bsc_downcalls *: the top of the chain */
    .globl bsc_entry_exit_work
bsc_entry_exit_work:
    .quad 0                   /* bsc_status (*)(bsc_status): the work TCB_WORK asks for */
    .globl bsc_entry_host_signal
bsc_entry_host_signal:
    .quad 0                   /* bsc_host_signal (exceptions.cpp) */
    .globl bsc_entry_fsgsbase
bsc_entry_fsgsbase:
    .quad 0                   /* 1: the kernel supports rd/wrfsbase (AT_HWCAP2) */
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
    call .Lget_fs
    mov %r11, %gs:TCB_GUEST_FS
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_SP, %rsp
    mov %gs:TCB_HOST_FS, %r11
    call .Lset_fs
    mov bsc_entry_top_table(%rip), %r11
    call *8(%r11, %rax, 8)

/* Host -> guest after a downcall. Every instruction from the check to the ret can run
 * again: a signal that lands in that range is made pending and the thread restarts at
 * the check, so no interrupt is lost between the check and the return to the guest. The
 * guest's %fs is set before the check, so that nothing in the range calls out. */
.Lgate_exit:
    mov %gs:TCB_GUEST_FS, %r11
    call .Lset_fs
    .globl bsc_entry_exit_check
bsc_entry_exit_check:
    cmpl $0, %gs:TCB_WORK
    jne .Lexit_work
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
 * guest instead of returning; else it returns the status and the exit starts over. A
 * restart may come here with %rsp already on the guest stack: the host stack first. */
.Lexit_work:
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_SP, %rsp
    mov %gs:TCB_HOST_FS, %r11
    call .Lset_fs
    mov %eax, %edi
    call *bsc_entry_exit_work(%rip)
    jmp .Lgate_exit

/* [[noreturn]] void bsc_entry_enter_guest(fn, arg0, arg1, stack, fs): runs an upcall in
 * the guest on its stack with its %fs. The pushed 0 stands for a return address: upcalls
 * never return. */
    .globl bsc_entry_enter_guest
bsc_entry_enter_guest:
    mov %rdi, %r10
    mov %rsi, %rdi
    mov %rdx, %rsi
    mov %r8, %r11
    call .Lset_fs
    mov %rcx, %rsp
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    push $0
    jmp *%r10

/* void bsc_entry_sigreturn(ucontext *uc, uint64_t guest_fs): resumes a full guest context
 * through rt_sigreturn. Signals are blocked by the caller; the frame's mask unblocks them
 * atomically with the return. */
    .globl bsc_entry_sigreturn
bsc_entry_sigreturn:
    mov %rsi, %r11
    call .Lset_fs
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    mov %rdi, %rsp
    mov $SYS_rt_sigreturn, %eax
    syscall
    ud2

/* The handler of every host signal. On a guest thread (%gs set) it lets system calls
 * through, switches to the runtime's %fs and marks the thread as in the host before any
 * C++ runs, and puts all three back when bsc_host_signal returns:
 * void bsc_host_signal(sig, info, uc, interrupted_fs, interrupted_state). On a host
 * thread %fs never changes, and the interrupted one is of no use: 0. */
    .globl bsc_entry_signal
bsc_entry_signal:
    call .Lget_gs
    test %r11, %r11
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
    call .Lget_fs
    mov %r11, %rbx
    mov %gs:TCB_HOST_FS, %r11
    call .Lset_fs
    mov %rbx, %rcx
    mov %r14d, %r8d
    call *bsc_entry_host_signal(%rip)
    mov %rbx, %r11
    call .Lset_fs
    mov %r14d, %gs:TCB_STATE
    movb %r12b, %gs:TCB_SELECTOR
    add $8, %rsp
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    ret
.Lhost_thread:
    xor %ecx, %ecx
    mov $TCB_IN_HOST, %r8d
    jmp *bsc_entry_host_signal(%rip)

/* Segment bases: the FSGSBASE instructions where the kernel supports them; else
 * arch_prctl, which the kernel remembers. (Where the CPU runs rd/wrfsbase but the
 * kernel does not know of them, as under some hypervisors, a base they write is lost at
 * the next context switch.) Each keeps every register but %r11 and the flags, and needs
 * a few words of stack. Without FSGSBASE only these change a guest thread's %fs, so
 * TCB_FS_NOW, written before the system call, says what it is: a signal between the
 * two finds the base about to be set, and sets it again when it returns. */

/* %fs base := %r11 */
.Lset_fs:
    cmpb $0, bsc_entry_fsgsbase(%rip)
    je .Lset_fs_by_call
    wrfsbase %r11
    ret
.Lset_fs_by_call:
    mov %r11, %gs:TCB_FS_NOW
    push %rax
    push %rcx
    push %rsi
    push %rdi
    mov %r11, %rsi
    mov $ARCH_SET_FS, %edi
    mov $SYS_arch_prctl, %eax
    syscall
    pop %rdi
    pop %rsi
    pop %rcx
    pop %rax
    ret

/* %r11 := %fs base, on a guest thread */
.Lget_fs:
    cmpb $0, bsc_entry_fsgsbase(%rip)
    je .Lget_fs_remembered
    rdfsbase %r11
    ret
.Lget_fs_remembered:
    mov %gs:TCB_FS_NOW, %r11
    ret

/* %r11 := %gs base */
.Lget_gs:
    cmpb $0, bsc_entry_fsgsbase(%rip)
    je .Lget_gs_by_call
    rdgsbase %r11
    ret
.Lget_gs_by_call:
    push %rax
    push %rcx
    push %rsi
    push %rdi
    push $0
    mov $ARCH_GET_GS, %edi
    mov %rsp, %rsi
    mov $SYS_arch_prctl, %eax
    syscall
    pop %r11
    pop %rdi
    pop %rsi
    pop %rcx
    pop %rax
    ret

/* The sa_restorer of every host signal handler. */
    .globl bsc_entry_restorer
bsc_entry_restorer:
    mov $SYS_rt_sigreturn, %eax
    syscall
    ud2
    /* syscall user dispatch checks the address after the syscall instruction: leave room */
    .skip 16, 0xcc
    .globl bsc_entry_blob_end
bsc_entry_blob_end:

    .section .note.GNU-stack, "", @progbits
