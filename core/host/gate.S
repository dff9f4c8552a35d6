/* SPDX-License-Identifier: MIT */
/* The gates between guest and host, all in the entry blob: entry_page.cpp copies it into
 * the entry page at the start of the guest window. The guest's downcall table points at
 * its stubs; the upcall entry, the host's signal entry and the signal restorer run there
 * too, because syscall user dispatch always lets system calls from that page through,
 * whatever the thread's selector says. See core/host/README.md for the state machine. */
#include "gate_layout.h"
#include "tcb.h"

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
    /* The direct thread_context_restore (below): */
    .globl bsc_entry_restore_slot
bsc_entry_restore_slot:
    .quad -1                  /* its slot, when no extension interposes on it; else -1 */
    .globl bsc_entry_guarded_copy
bsc_entry_guarded_copy:
    .quad 0                   /* size_t (*)(void *, const void *, size_t): guarded_copy.S */
    .globl bsc_entry_restore_work
bsc_entry_restore_work:
    .quad 0                   /* [[noreturn]] void (*)(const bsc_cpu_context *, const void *xstate) */
    .globl bsc_entry_xstate_size
bsc_entry_xstate_size:
    .quad 0                   /* the XSAVE area's size (CPUID 0xD) */
    .globl bsc_entry_xfeatures
bsc_entry_xfeatures:
    .quad 0                   /* XCR0: the features an XSAVE header may name */
    .globl bsc_entry_mxcsr_mask
bsc_entry_mxcsr_mask:
    .quad 0                   /* the MXCSR bits the CPU supports */
    /* The system call entry (below): */
    .globl bsc_entry_bottom_upcalls
bsc_entry_bottom_upcalls:
    .quad 0                   /* const bsc_upcalls *: what the host raises exceptions through */
    .globl bsc_entry_host_exception
bsc_entry_host_exception:
    .quad 0                   /* the host's own exception upcall: nothing interposes if it is there */
    .globl bsc_entry_guest_exception
bsc_entry_guest_exception:
    .quad 0                   /* the guest image's exception upcall */
    .globl bsc_entry_syscall_work
bsc_entry_syscall_work:
    .quad 0                   /* [[noreturn]] void (*)(bsc_exception *): raises it up the chain */
.Lmxcsr_initial:
    .quad 0x1f80              /* MXCSR as a signal handler starts with it (every exception masked) */
    .globl bsc_entry_fast_calls
bsc_entry_fast_calls:
    .skip MAX_DOWNCALLS * 8   /* per slot, its fast call (fast_calls.cpp) or 0 */
    .if . - bsc_entry_blob > 4096
    .error "the entry page's data outgrew its page"
    .endif
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
    cmp bsc_entry_restore_slot(%rip), %rax
    je .Lrestore_direct
    lea bsc_entry_fast_calls(%rip), %r11
    cmpq $0, (%r11, %rax, 8)
    jne .Lfast_call
.Lgate_host:
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
    testl $TCB_EXIT_WORK, %gs:TCB_WORK
    jnz .Lexit_work
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

/* A downcall the host serves with the guest's %fs (fast_calls.cpp): on the host stack,
 * without the two switches. It leaves by the usual exit, whose restore of %fs changes
 * nothing then; where it declines, the downcall goes the usual way with its arguments. */
.Lfast_call:
    sub $8, %rsp
    .irp reg, rax, rdi, rsi, rdx, rcx, r8, r9
    push %\reg
    .endr
    call *(%r11, %rax, 8)
    cmp $FAST_DECLINED, %eax
    jne bsc_entry_exit_check      /* %fs is the guest's still */
    .irp reg, r9, r8, rcx, rdx, rsi, rdi, rax
    pop %\reg
    .endr
    add $8, %rsp
    jmp .Lgate_host

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

/* thread_context_restore(%rdi) where no extension interposes on it (bsc_entry_restore_slot):
 * the context resumed from here, with no system call, no signal frame and no switch of
 * %fs, for the contexts a system call's exception resumes: the guest's own %fs, no trap
 * flag, the whole XSAVE area. Anything else, or a context that cannot be read, goes to
 * the host's function (.Lrestore_host). The context and the XSAVE area are copied below
 * the host stack's top (RESTORE_*), the area checked as the kernel's rt_sigreturn checks
 * it, then restored; from bsc_entry_restore_check on the sequence can run again, as the
 * downcall's exit can: a signal that lands in it is made pending and the thread restarts
 * at the check, which hands pending work to the host (bsc_entry_restore_work). */
#define SIGRETURN_FLAGS 0x50dd5   /* what rt_sigreturn takes of rflags (FIX_EFLAGS) */
#define TRAP_FLAG 0x100
.Lrestore_direct:
    mov %rdi, %r12
    mov %eax, %r13d
    lea -RESTORE_CONTEXT(%rsp), %rbx
    mov %rbx, %rdi
    mov %r12, %rsi
    mov $CONTEXT_SIZE, %edx
    call *bsc_entry_guarded_copy(%rip)
    test %rax, %rax
    jnz .Lrestore_host
    mov CONTEXT_RIP(%rbx), %rax
    shr $47, %rax
    jnz .Lrestore_host
    mov CONTEXT_FS(%rbx), %rax
    cmp %gs:TCB_GUEST_FS, %rax
    jne .Lrestore_host
    testq $TRAP_FLAG, CONTEXT_RFLAGS(%rbx)
    jnz .Lrestore_host
    andq $SIGRETURN_FLAGS, CONTEXT_RFLAGS(%rbx)
    mov CONTEXT_XSTATE_SIZE(%rbx), %edx
    cmp bsc_entry_xstate_size(%rip), %rdx
    jne .Lrestore_host
    mov CONTEXT_XSTATE(%rbx), %rsi
    test %rsi, %rsi
    jz .Lrestore_host
    lea -RESTORE_XSTATE(%rbx), %r14
    and $-64, %r14
    mov %r14, %rdi
    call *bsc_entry_guarded_copy(%rip)
    test %rax, %rax
    jnz .Lrestore_host
    /* MXCSR within the CPU's mask; a header in the standard format naming enabled
     * features only, its reserved bytes zero: what xrstor accepts without a fault. */
    mov bsc_entry_mxcsr_mask(%rip), %eax
    and %eax, 24(%r14)
    mov bsc_entry_xfeatures(%rip), %rax
    and %rax, XSTATE_HEADER(%r14)
    xor %eax, %eax
    .irp offset, 8, 16, 24, 32, 40, 48, 56
    mov %rax, (XSTATE_HEADER + \offset)(%r14)
    .endr
    mov $-1, %eax
    mov $-1, %edx
    xrstor64 (%r14)
    mov CONTEXT_RIP(%rbx), %rax
    mov %rax, %gs:TCB_RESUME_RIP
    .globl bsc_entry_restore_check
bsc_entry_restore_check:
    mov %gs:TCB_HOST_SP, %rsp
    lea (CONTEXT_RFLAGS - RESTORE_CONTEXT)(%rsp), %rsp
    cmpl $0, %gs:TCB_WORK
    jne .Lrestore_work
    popfq
    /* %rsp is the copy's fs_base field now: every register is at its offset from there */
    mov (CONTEXT_RAX - CONTEXT_FS)(%rsp), %rax
    mov (CONTEXT_RBX - CONTEXT_FS)(%rsp), %rbx
    mov (CONTEXT_RCX - CONTEXT_FS)(%rsp), %rcx
    mov (CONTEXT_RDX - CONTEXT_FS)(%rsp), %rdx
    mov (CONTEXT_RSI - CONTEXT_FS)(%rsp), %rsi
    mov (CONTEXT_RDI - CONTEXT_FS)(%rsp), %rdi
    mov (CONTEXT_RBP - CONTEXT_FS)(%rsp), %rbp
    mov (CONTEXT_R8 + 0 - CONTEXT_FS)(%rsp), %r8
    mov (CONTEXT_R8 + 8 - CONTEXT_FS)(%rsp), %r9
    mov (CONTEXT_R8 + 16 - CONTEXT_FS)(%rsp), %r10
    mov (CONTEXT_R8 + 24 - CONTEXT_FS)(%rsp), %r11
    mov (CONTEXT_R8 + 32 - CONTEXT_FS)(%rsp), %r12
    mov (CONTEXT_R8 + 40 - CONTEXT_FS)(%rsp), %r13
    mov (CONTEXT_R8 + 48 - CONTEXT_FS)(%rsp), %r14
    mov (CONTEXT_R8 + 56 - CONTEXT_FS)(%rsp), %r15
    movl $0, %gs:TCB_INTERRUPTS_HELD
    movl $TCB_IN_GUEST, %gs:TCB_STATE
    movb $TCB_SELECTOR_BLOCK, %gs:TCB_SELECTOR
    mov (CONTEXT_RSP - CONTEXT_FS)(%rsp), %rsp
    .globl bsc_entry_restore_return
bsc_entry_restore_return:
    jmp *%gs:TCB_RESUME_RIP

/* The context and its XSAVE area are copied and checked: the host resumes them after the
 * pending work (a restart may come here with the guest's registers loaded). */
.Lrestore_work:
    mov %gs:TCB_HOST_SP, %rsp
    lea -RESTORE_FRAME(%rsp), %rsp
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_FS, %r11
    call .Lset_fs
    lea (RESTORE_FRAME - RESTORE_CONTEXT)(%rsp), %rdi
    lea -RESTORE_XSTATE(%rdi), %rsi
    and $-64, %rsi
    call *bsc_entry_restore_work(%rip)
    ud2

.Lrestore_host:
    mov %gs:TCB_HOST_SP, %rsp
    mov %r12, %rdi
    mov %r13d, %eax
    jmp .Lgate_host

/* Jumps to `otherwise` unless the guest's exception upcall can run straight from a gate:
 * nothing interposes on exceptions (the chain's bottom raises through the host's own
 * upcall) and the guest image gave one. Uses %rax. */
.macro unless_guest_upcall_direct otherwise
    mov bsc_entry_bottom_upcalls(%rip), %rax
    mov UPCALLS_EXCEPTION(%rax), %rax
    cmp bsc_entry_host_exception(%rip), %rax
    jne \otherwise
    cmpq $0, bsc_entry_guest_exception(%rip)
    je \otherwise
.endm

/* The system call entry (bsc_start_info.syscall_entry, abi/README.md): a guest's rewritten
 * system call site jumps here with %r11 on a `syscall` instruction and every other
 * register as that instruction would have them, and the entry raises BSC_EXCEPTION_SYSCALL
 * as its trap would, without a signal and without touching the guest's stack: the record
 * and the XSAVE area go on the exception stack (below the red zone where the thread has
 * none), the context is the one the trap would show (rip past that `syscall`, %rcx and
 * %r11 as `syscall` leaves them). Where nothing interposes on the exception upcall it
 * runs the guest's own upcall from here, as the host's bsc_entry_enter_guest would, but
 * with no host code and no switch of %fs; else the host raises the record up the chain
 * (bsc_entry_syscall_work). The stack is switched before the flags are saved, with
 * instructions that leave them alone. */
    .globl bsc_entry_syscall
bsc_entry_syscall:
    mov %gs:TCB_EXCEPTION_STACK_TOP, %rcx
    jrcxz 1f
    xchg %rcx, %rsp               /* %rcx: the system call's stack pointer */
    jmp 2f
1:  mov %rsp, %rcx
    lea -RED_ZONE(%rsp), %rsp
2:  pushfq
    cld                           /* what C code expects, as the kernel clears it for a handler */
    push %rax
    push %rbx
    push %r11
    call .Lget_fs
    push %r11
    /* [rsp] %fs base, +8 the `syscall`, +16 rbx, +24 rax, +32 rflags */
    mov %rcx, %rbx
    mov %rsp, %rax
    sub bsc_entry_xstate_size(%rip), %rax
    and $-64, %rax                /* the XSAVE area */
    lea -EXCEPTION_SIZE(%rax), %rcx
    and $-64, %rcx                /* the record */
    mov %rdx, (EXCEPTION_CONTEXT + CONTEXT_RDX)(%rcx)
    mov %rsi, (EXCEPTION_CONTEXT + CONTEXT_RSI)(%rcx)
    mov %rdi, (EXCEPTION_CONTEXT + CONTEXT_RDI)(%rcx)
    mov %rbp, (EXCEPTION_CONTEXT + CONTEXT_RBP)(%rcx)
    mov %rbx, (EXCEPTION_CONTEXT + CONTEXT_RSP)(%rcx)
    mov %r8, (EXCEPTION_CONTEXT + CONTEXT_R8)(%rcx)
    mov %r9, (EXCEPTION_CONTEXT + CONTEXT_R8 + 8)(%rcx)
    mov %r10, (EXCEPTION_CONTEXT + CONTEXT_R8 + 16)(%rcx)
    mov %r12, (EXCEPTION_CONTEXT + CONTEXT_R8 + 32)(%rcx)
    mov %r13, (EXCEPTION_CONTEXT + CONTEXT_R8 + 40)(%rcx)
    mov %r14, (EXCEPTION_CONTEXT + CONTEXT_R8 + 48)(%rcx)
    mov %r15, (EXCEPTION_CONTEXT + CONTEXT_R8 + 56)(%rcx)
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_XSTATE)(%rcx)
    mov %rcx, %rdi                /* the record */
    mov %rax, %rsi                /* the XSAVE area */
    pop %rax
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_FS)(%rdi)
    pop %rax
    mov %rax, EXCEPTION_ADDRESS(%rdi) /* the `syscall`: the exception came through here */
    add $2, %rax                  /* past it */
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_RIP)(%rdi)
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_RCX)(%rdi)
    .irp field, CONTEXT_RBX, CONTEXT_RAX, CONTEXT_RFLAGS
    pop %rax
    mov %rax, (EXCEPTION_CONTEXT + \field)(%rdi)
    .endr
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_R11)(%rdi)
    movl $EXCEPTION_KIND_SYSCALL, EXCEPTION_KIND(%rdi)
    mov (EXCEPTION_CONTEXT + CONTEXT_RAX)(%rdi), %eax
    mov %eax, EXCEPTION_CODE(%rdi)
    /* The vector state, with the header's reserved words zero (xsave writes only
     * XSTATE_BV) and the words Linux's signal frames carry in the legacy area's free
     * bytes (which xsave leaves alone), as the trap's record has them. */
    xor %eax, %eax
    .irp offset, 0, 8, 16, 24, 32, 40, 48, 56
    mov %rax, (XSTATE_HEADER + \offset)(%rsi)
    .endr
    .irp offset, 24, 32, 40
    mov %rax, (XSTATE_SOFTWARE_BYTES + \offset)(%rsi)
    .endr
    mov $-1, %eax
    mov $-1, %edx
    xsave64 (%rsi)
    mov bsc_entry_xstate_size(%rip), %rax
    mov %eax, (EXCEPTION_CONTEXT + CONTEXT_XSTATE_SIZE)(%rdi)
    movl $0, (EXCEPTION_CONTEXT + CONTEXT_RESERVED)(%rdi)
    movl $XSTATE_MAGIC1, XSTATE_SOFTWARE_BYTES(%rsi)
    lea 4(%rax), %edx
    mov %edx, (XSTATE_SOFTWARE_BYTES + 4)(%rsi)
    mov bsc_entry_xfeatures(%rip), %rdx
    mov %rdx, (XSTATE_SOFTWARE_BYTES + 8)(%rsi)
    mov %rax, (XSTATE_SOFTWARE_BYTES + 16)(%rsi) /* xstate_size, then 4 bytes of padding */
    /* The upcall starts with the FPU's initial controls, as a signal handler does: the
     * program's rounding or unmasked exceptions are not its. */
    fninit
    ldmxcsr .Lmxcsr_initial(%rip)
    unless_guest_upcall_direct .Lsyscall_host
    mov %rdi, %rsp                /* 64-aligned: the upcall's frame starts below it */
    push $0
    jmp *bsc_entry_guest_exception(%rip)
.Lsyscall_host:
    movl $TCB_IN_HOST, %gs:TCB_STATE
    movb $TCB_SELECTOR_ALLOW, %gs:TCB_SELECTOR
    mov %gs:TCB_HOST_SP, %rsp
    mov %gs:TCB_HOST_FS, %r11
    call .Lset_fs
    call *bsc_entry_syscall_work(%rip)
    ud2

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
    cmp $SIGNAL_SYS, %edi
    jne .Lsignal_host
    cmpl $SIGSYS_USER_DISPATCH, SIGINFO_CODE(%rsi)
    je .Lsignal_syscall           /* only guest threads dispatch: %gs is the thread's */
.Lsignal_host:
    call .Lget_gs
    test %r11, %r11
    jz .Lhost_thread
    /* A thread the runtime starts from a guest thread's host code (an extension's
     * std::thread) inherits its %gs, not its signal stack: %gs is this thread's own only
     * on the signal stack it names, where every signal of a guest thread runs. */
    mov %rsp, %rax
    sub %gs:TCB_SIGNAL_STACK, %rax
    cmp $SIGNAL_STACK_SIZE, %rax
    jae .Lhost_thread
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

/* A system call the dispatch stopped, raised as BSC_EXCEPTION_SYSCALL the way the system
 * call entry raises it: the record and the XSAVE area the kernel saved go on the exception
 * stack, then the guest's own upcall runs, with no host code and no switch of %fs. Where
 * something interposes on exceptions, the thread is not in guest code, the trap came on
 * the exception stack itself or the frame is not the one expected, the host's handler
 * raises it instead. The signal frame is left behind: the handler changed no mask
 * (SA_NODEFER, no sa_mask) and the next signal starts the alternate stack afresh. The
 * checks keep %rdi, %rsi and %rdx for the host's handler. */
.macro context_from_greg greg, field
    mov (UC_GREGS + 8 * \greg)(%r8), %rax
    mov %rax, (EXCEPTION_CONTEXT + \field)(%rdi)
.endm
.Lsignal_syscall:
    cmpl $TCB_IN_GUEST, %gs:TCB_STATE
    jne .Lsignal_host
    unless_guest_upcall_direct .Lsignal_host
    mov UC_FPREGS(%rdx), %r9
    test %r9, %r9
    jz .Lsignal_host
    cmpl $XSTATE_MAGIC1, XSTATE_SOFTWARE_BYTES(%r9)
    jne .Lsignal_host
    mov (XSTATE_SOFTWARE_BYTES + 16)(%r9), %ecx /* the area's size */
    cmp bsc_entry_xstate_size(%rip), %rcx
    jne .Lsignal_host
    mov %gs:TCB_EXCEPTION_STACK_TOP, %rax
    test %rax, %rax
    jz .Lsignal_host
    mov %rax, %r10
    sub (UC_GREGS + 8 * UC_RSP)(%rdx), %r10
    cmp $EXCEPTION_STACK_SPAN, %r10
    jb .Lsignal_host              /* trapped on the exception stack */
    mov %rdx, %r8                 /* the ucontext */
    sub %rcx, %rax
    and $-64, %rax                /* the XSAVE area */
    lea -EXCEPTION_SIZE(%rax), %r10
    and $-64, %r10                /* the record */
    mov %rax, %rdi
    mov %r9, %rsi
    rep movsb                     /* the kernel clears DF for a handler */
    mov %r10, %rdi
    mov %rax, (EXCEPTION_CONTEXT + CONTEXT_XSTATE)(%rdi)
    mov bsc_entry_xstate_size(%rip), %rax
    mov %eax, (EXCEPTION_CONTEXT + CONTEXT_XSTATE_SIZE)(%rdi)
    movl $0, (EXCEPTION_CONTEXT + CONTEXT_RESERVED)(%rdi)
    context_from_greg UC_RAX, CONTEXT_RAX
    context_from_greg UC_RBX, CONTEXT_RBX
    context_from_greg UC_RCX, CONTEXT_RCX
    context_from_greg UC_RDX, CONTEXT_RDX
    context_from_greg UC_RSI, CONTEXT_RSI
    context_from_greg UC_RDI, CONTEXT_RDI
    context_from_greg UC_RBP, CONTEXT_RBP
    context_from_greg UC_RSP, CONTEXT_RSP
    .irp n, 0, 1, 2, 3, 4, 5, 6, 7
    context_from_greg (UC_R8 + \n), (CONTEXT_R8 + 8 * \n)
    .endr
    context_from_greg UC_RIP, CONTEXT_RIP
    context_from_greg UC_EFL, CONTEXT_RFLAGS
    call .Lget_fs
    mov %r11, (EXCEPTION_CONTEXT + CONTEXT_FS)(%rdi)
    movl $EXCEPTION_KIND_SYSCALL, EXCEPTION_KIND(%rdi)
    mov (EXCEPTION_CONTEXT + CONTEXT_RAX)(%rdi), %eax
    mov %eax, EXCEPTION_CODE(%rdi)
    movq $0, EXCEPTION_ADDRESS(%rdi) /* trapped, not entered */
    mov %rdi, %rsp
    push $0
    jmp *bsc_entry_guest_exception(%rip)

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
