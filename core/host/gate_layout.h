// SPDX-License-Identifier: MIT
// The ABI structures gate.S reads and writes by offset, and the areas it keeps below the
// host stack's top. The C++ side checks every offset against the ABI's own definitions.
#pragma once

// The downcall slots the gates have stubs for, and the status a fast call (fast_calls.cpp)
// returns to send its downcall the usual way.
#define MAX_DOWNCALLS 192
#define FAST_DECLINED 0x80000000

// bsc_cpu_context
#define CONTEXT_RAX 0
#define CONTEXT_RBX 8
#define CONTEXT_RCX 16
#define CONTEXT_RDX 24
#define CONTEXT_RSI 32
#define CONTEXT_RDI 40
#define CONTEXT_RBP 48
#define CONTEXT_RSP 56
#define CONTEXT_R8 64 /* r8..r15 follow one another */
#define CONTEXT_R11 88
#define CONTEXT_R15 120
#define CONTEXT_RIP 128
#define CONTEXT_RFLAGS 136
#define CONTEXT_FS 144
#define CONTEXT_XSTATE 152
#define CONTEXT_XSTATE_SIZE 160
#define CONTEXT_RESERVED 164
#define CONTEXT_SIZE 168

// bsc_exception
#define EXCEPTION_KIND 0
#define EXCEPTION_CODE 4
#define EXCEPTION_ADDRESS 8
#define EXCEPTION_CONTEXT 16
#define EXCEPTION_SIZE 184
#define EXCEPTION_KIND_SYSCALL 6 /* BSC_EXCEPTION_SYSCALL */

// bsc_upcalls: where the exception upcall's pointer sits
#define UPCALLS_EXCEPTION 24

// bsc_tcb
#define TCB_EXCEPTION_STACK_TOP 8
#define EXCEPTION_STACK_SPAN 0x100000 /* BSC_EXCEPTION_STACK_SPAN */
#define RED_ZONE 128

// XSAVE areas: the largest the host accepts, and the standard format's landmarks.
#define MAX_XSTATE 16384
#define XSTATE_SOFTWARE_BYTES 464 /* Linux's fx_sw_bytes in the legacy area's free words */
#define XSTATE_HEADER 512
#define XSTATE_MAGIC1 0x46505853 /* FP_XSTATE_MAGIC1 */

// The signal frame the kernel gives a handler: ucontext_t's general registers (greg_t
// indices as glibc's REG_*) and its pointer to the XSAVE area; siginfo_t's si_code.
#define UC_GREGS 40
#define UC_FPREGS 224
#define UC_R8 0 /* r8..r15 follow one another */
#define UC_RDI 8
#define UC_RSI 9
#define UC_RBP 10
#define UC_RBX 11
#define UC_RDX 12
#define UC_RAX 13
#define UC_RCX 14
#define UC_RSP 15
#define UC_RIP 16
#define UC_EFL 17
#define SIGINFO_CODE 8
#define SIGNAL_SYS 31
#define SIGSYS_USER_DISPATCH 2 /* SIGSYS's si_code when dispatch stopped a system call (uapi) */

// The direct thread_context_restore's copies below the host stack's top (gate.S).
#define RESTORE_CONTEXT 256                     /* the context: host stack top - 256 */
#define RESTORE_XSTATE (MAX_XSTATE + 64)        /* the XSAVE area below it, 64-aligned */
#define RESTORE_FRAME (RESTORE_XSTATE + 448)    /* the host's stack for pending work */

#ifndef __ASSEMBLER__
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <ucontext.h>

#include "bascule.h"

inline constexpr size_t kMaxDowncalls = MAX_DOWNCALLS;
inline constexpr bsc_status kFastDeclined = INT32_MIN;
static_assert(static_cast<uint32_t>(kFastDeclined) == FAST_DECLINED);
static_assert(offsetof(bsc_cpu_context, rax) == CONTEXT_RAX &&
              offsetof(bsc_cpu_context, rbx) == CONTEXT_RBX &&
              offsetof(bsc_cpu_context, rcx) == CONTEXT_RCX &&
              offsetof(bsc_cpu_context, rdx) == CONTEXT_RDX &&
              offsetof(bsc_cpu_context, rsi) == CONTEXT_RSI &&
              offsetof(bsc_cpu_context, rdi) == CONTEXT_RDI &&
              offsetof(bsc_cpu_context, rbp) == CONTEXT_RBP &&
              offsetof(bsc_cpu_context, rsp) == CONTEXT_RSP &&
              offsetof(bsc_cpu_context, r8) == CONTEXT_R8 &&
              offsetof(bsc_cpu_context, r11) == CONTEXT_R11 &&
              offsetof(bsc_cpu_context, r15) == CONTEXT_R15 &&
              offsetof(bsc_cpu_context, rip) == CONTEXT_RIP &&
              offsetof(bsc_cpu_context, rflags) == CONTEXT_RFLAGS &&
              offsetof(bsc_cpu_context, fs_base) == CONTEXT_FS &&
              offsetof(bsc_cpu_context, xstate) == CONTEXT_XSTATE &&
              offsetof(bsc_cpu_context, xstate_size) == CONTEXT_XSTATE_SIZE &&
              offsetof(bsc_cpu_context, reserved) == CONTEXT_RESERVED &&
              sizeof(bsc_cpu_context) == CONTEXT_SIZE);
static_assert(offsetof(bsc_exception, kind) == EXCEPTION_KIND &&
              offsetof(bsc_exception, code) == EXCEPTION_CODE &&
              offsetof(bsc_exception, address) == EXCEPTION_ADDRESS &&
              offsetof(bsc_exception, context) == EXCEPTION_CONTEXT &&
              sizeof(bsc_exception) == EXCEPTION_SIZE &&
              BSC_EXCEPTION_SYSCALL == EXCEPTION_KIND_SYSCALL);
static_assert(offsetof(bsc_upcalls, exception) == UPCALLS_EXCEPTION);
static_assert(offsetof(bsc_tcb, exception_stack_top) == TCB_EXCEPTION_STACK_TOP &&
              BSC_EXCEPTION_STACK_SPAN == EXCEPTION_STACK_SPAN);
static_assert(offsetof(ucontext_t, uc_mcontext.gregs) == UC_GREGS &&
              offsetof(ucontext_t, uc_mcontext.fpregs) == UC_FPREGS && REG_R8 == UC_R8 &&
              REG_R15 == UC_R8 + 7 && REG_RDI == UC_RDI && REG_RSI == UC_RSI &&
              REG_RBP == UC_RBP && REG_RBX == UC_RBX && REG_RDX == UC_RDX &&
              REG_RAX == UC_RAX && REG_RCX == UC_RCX && REG_RSP == UC_RSP &&
              REG_RIP == UC_RIP && REG_EFL == UC_EFL);
static_assert(offsetof(siginfo_t, si_code) == SIGINFO_CODE && SIGSYS == SIGNAL_SYS);
static_assert(RESTORE_XSTATE % 64 == 0 && RESTORE_FRAME % 16 == 0);
#endif
