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

bool on_exception_stack(const Thread &thread, uint64_t sp) {
    return sp - thread.exception_stack <= kExceptionStackSize;
}

namespace {

constexpr uint64_t kInternalStackSize = 64 * 1024;

// What a LibOS thread is started with: its TCB, then the function it runs.
struct InternalStart {
    bsc_tcb tcb;
    void (*fn)();
};

} // namespace

bsc_handle start_internal_thread(void (*fn)()) {
    auto *start = create<InternalStart>(); // heap blocks of this size are 512-byte aligned
    start->fn = fn;
    auto stack = reinterpret_cast<uint64_t>(allocate(kInternalStackSize));
    bsc_thread_start request{stack + kInternalStackSize, reinterpret_cast<uint64_t>(&start->tcb),
                             reinterpret_cast<uint64_t>(start), 0};
    bsc_handle handle = BSC_NO_HANDLE;
    if (abi().thread_create(&request, &handle) != BSC_OK)
        panic("cannot start a LibOS thread");
    return handle;
}

void start_thread(uint64_t argument) {
    Thread *thread = create<Thread>();
    set_up(*thread);
    reinterpret_cast<InternalStart *>(argument)->fn();
    abi().thread_exit();
    panic("thread_exit returned");
}

} // namespace libos
