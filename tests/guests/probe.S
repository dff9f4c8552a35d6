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

/* void syscall_probe(uint64_t entry, uint64_t number): makes system call `number` with
 * every other register, the carry and direction flags, MXCSR, %xmm0, %xmm15 and the red
 * zone set to known values: through `entry` (bsc_start_info.syscall_entry) if it is not
 * 0, else with a `syscall` instruction. Before it, probe_rsp and probe_rip say the stack
 * pointer and `rip` the exception's context must show; after, it counts in probe_bad
 * what changed, but %rax (the result, in probe_result) and the two registers the
 * `syscall` instruction itself overwrites (%rcx: rip, %r11: rflags), as on Linux. */
    .globl syscall_probe
    .hidden syscall_probe
    .type syscall_probe, @function
syscall_probe:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rdi, probe_entry(%rip)
    mov %rsp, probe_rsp(%rip)
    movl $0, probe_bad(%rip)
    lea 4f(%rip), %rax
    test %rdi, %rdi
    jz 0f
    lea 1f(%rip), %rax
0:  mov %rax, probe_rip(%rip)
    movq $0x7a7a7a7a, -8(%rsp)
    movq $0x7b7b7b7b, -128(%rsp)
    mov $0x5151515151515151, %rax
    movq %rax, %xmm0
    movq %rax, %xmm15
    mov %rsi, %rax
    mov $0x101, %rbx
    mov $0x102, %rcx
    mov $0x103, %rdx
    mov $0x104, %rsi
    mov $0x105, %rdi
    mov $0x106, %rbp
    mov $0x108, %r8
    mov $0x109, %r9
    mov $0x110, %r10
    mov $0x111, %r11
    mov $0x112, %r12
    mov $0x113, %r13
    mov $0x114, %r14
    mov $0x115, %r15
    movl $0x7f80, -8(%rsp)        /* MXCSR: rounding toward zero, every exception masked */
    ldmxcsr -8(%rsp)
    movq $0x7a7a7a7a, -8(%rsp)
    std                           /* the direction flag: the handler's code must not see it */
    cmpq $0, probe_entry(%rip)
    je 2f
    stc
    lea 0f(%rip), %r11
    jmp *probe_entry(%rip)
0:  syscall
1:  jmp 3f
2:  stc
    syscall
4:
3:  jc 5f
    incl probe_bad(%rip)
5:  mov %rax, probe_result(%rip)
    cmp $0x101, %rbx
    jne 9f
    cmp $0x103, %rdx
    jne 9f
    cmp $0x104, %rsi
    jne 9f
    cmp $0x105, %rdi
    jne 9f
    cmp $0x106, %rbp
    jne 9f
    cmp $0x108, %r8
    jne 9f
    cmp $0x109, %r9
    jne 9f
    cmp $0x110, %r10
    jne 9f
    cmp $0x112, %r12
    jne 9f
    cmp $0x113, %r13
    jne 9f
    cmp $0x114, %r14
    jne 9f
    cmp $0x115, %r15
    jne 9f
    cmp probe_rsp(%rip), %rsp
    jne 9f
    cmpq $0x7a7a7a7a, -8(%rsp)
    jne 9f
    cmpq $0x7b7b7b7b, -128(%rsp)
    jne 9f
    movq %xmm0, %rax
    movq %xmm15, %rcx
    cmp %rax, %rcx
    jne 9f
    mov $0x5151515151515151, %rcx
    cmp %rax, %rcx
    je 8f
9:  incl probe_bad(%rip)
8:  pushf                         /* the red zone is checked: the stack may be used */
    cld
    testl $0x400, (%rsp)          /* the direction flag came back */
    jnz 6f
    incl probe_bad(%rip)
6:  stmxcsr (%rsp)
    cmpl $0x7f80, (%rsp)
    je 7f
    incl probe_bad(%rip)
7:  movl $0x1f80, (%rsp)
    ldmxcsr (%rsp)
    add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret
    .size syscall_probe, . - syscall_probe

    .bss
    .balign 8
    .globl probe_entry, probe_rsp, probe_rip, probe_result, probe_bad
    .hidden probe_entry, probe_rsp, probe_rip, probe_result, probe_bad
probe_entry: .quad 0
probe_rsp: .quad 0
probe_rip: .quad 0
probe_result: .quad 0
probe_bad: .long 0

    .section .note.GNU-stack, "", @progbits
