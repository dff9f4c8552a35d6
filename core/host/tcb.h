// SPDX-License-Identifier: MIT
// The host's part of the thread control block (bsc_tcb.host_reserved) that every guest
// thread's %gs points at. gate.S reads these fields by offset; keep the two in step.
#pragma once

#ifdef __ASSEMBLER__
#define TCB_OFFSET(name, value) .set name, value
#else
#include <cstddef>
#include <cstdint>

#include "bascule.h"
#define TCB_OFFSET(name, value) inline constexpr size_t name = value;
#endif

// clang-format off
TCB_OFFSET(TCB_HOST_FS,   64)  // the runtime's %fs base on this thread
TCB_OFFSET(TCB_HOST_SP,   72)  // top of the host stack that downcalls run on
TCB_OFFSET(TCB_GUEST_FS,  80)  // the guest's %fs base while it is in a downcall
TCB_OFFSET(TCB_GUEST_SP,  88)  // guest stack pointer at downcall entry (saved registers)
TCB_OFFSET(TCB_STATE,     96)  // uint32: TCB_IN_GUEST or TCB_IN_HOST
TCB_OFFSET(TCB_WORK,     100)  // uint32: TCB_WORK_* to do before returning to the guest
TCB_OFFSET(TCB_SELECTOR, 104)  // uint8: the syscall-user-dispatch selector of the thread
TCB_OFFSET(TCB_WAKE,     108)  // uint32: an interrupt came in guest code (blocking_syscall)
TCB_OFFSET(TCB_THREAD,   112)  // the host's Thread object
TCB_OFFSET(TCB_FS_NOW,   120)  // %fs base as the gates last set it (without FSGSBASE)
TCB_OFFSET(TCB_RESUME_RIP, 128) // where the direct thread_context_restore jumps to
TCB_OFFSET(TCB_SIGNAL_STACK, 136) // the base of the thread's host signal stack
TCB_OFFSET(TCB_END,      144)
TCB_OFFSET(TCB_INTERRUPTS_HELD, 248) // the guest's bsc_tcb.interrupts_held (ABI 1.14)
// clang-format on

#define TCB_WORK_INTERRUPT 1 // an interrupt waits for delivery
#define TCB_WORK_TSC 2       // host code enabled rdtsc: trap it again for the guest
#define TCB_WORK_HELD_INTERRUPT 4 // one came while the guest held interrupts: raised as
                                  // thread_context_restore resumes a context
// What a downcall's exit does (gate.S); a held interrupt waits for a resumption.
#define TCB_EXIT_WORK (TCB_WORK_INTERRUPT | TCB_WORK_TSC)

#define TCB_IN_GUEST 0
#define TCB_IN_HOST 1
#define TCB_SELECTOR_ALLOW 0 // SYSCALL_DISPATCH_FILTER_ALLOW
#define TCB_SELECTOR_BLOCK 1 // SYSCALL_DISPATCH_FILTER_BLOCK
#define SIGNAL_STACK_SIZE 0x40000 // each guest thread's host signal stack (threads.cpp)

// The callee-saved registers the downcall gate pushes on the guest stack, in the order
// they sit above TCB_GUEST_SP, followed by the guest's return address.
#define GATE_SAVED_REGISTERS 6

#ifndef __ASSEMBLER__
static_assert(TCB_END <= offsetof(bsc_tcb, interrupts_held));
static_assert(offsetof(bsc_tcb, interrupts_held) == TCB_INTERRUPTS_HELD);
static_assert(offsetof(bsc_tcb, host_reserved) <= TCB_HOST_FS);
static_assert(sizeof(bsc_tcb) == BSC_TCB_SIZE);

namespace bsc::host {

// The TCB of the guest thread this host code runs on, 0 on the runtime's own threads.
// Host code always runs with the runtime's %fs, so a thread_local serves; %gs would need
// rdgsbase, which not every kernel allows, or a system call.
extern constinit thread_local uint64_t current_guest_tcb;
inline uint64_t current_tcb() { return current_guest_tcb; }

// Accessors for host code running on a guest thread (%gs = the thread's TCB).

template <class T> T &tcb_field(uint64_t tcb, size_t offset) {
    return *reinterpret_cast<T *>(tcb + offset);
}

} // namespace bsc::host
#endif
