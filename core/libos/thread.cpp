// SPDX-License-Identifier: MIT
// Per-thread LibOS state and exception stacks.
#include "thread.h"

#include <stddef.h>

#include "heap.h"

namespace libos {
namespace {

constexpr uint64_t kExceptionStackSize = 256 * 1024;
constexpr uint32_t kFirstTid = 1; // the virtual pid and tid of the initial thread

bsc_tcb &tcb() {
    uint64_t self;
    asm volatile("mov %%gs:0, %0" : "=r"(self));
    return *reinterpret_cast<bsc_tcb *>(self);
}

void set_up(Thread &thread) {
    thread.exception_stack = reinterpret_cast<uint64_t>(allocate(kExceptionStackSize));
    tcb().exception_stack_top = thread.exception_stack + kExceptionStackSize;
    tcb().guest[0] = reinterpret_cast<uint64_t>(&thread);
}

} // namespace

void initialise_main_thread() {
    Thread *thread = create<Thread>();
    thread->tid = kFirstTid;
    set_up(*thread);
}

Thread &current_thread() { return *reinterpret_cast<Thread *>(tcb().guest[0]); }

void start_thread(uint64_t) { panic("threads are not supported yet"); }

} // namespace libos
