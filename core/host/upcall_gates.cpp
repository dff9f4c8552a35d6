// SPDX-License-Identifier: MIT
// Entering the guest image's upcalls: start on the initial stack, thread start on the
// thread's stack, exceptions just below the exception record the host wrote.
#include <signal.h>

#include "gate.h"
#include "guest_memory.h"
#include "internal.h"
#include "threads.h"
#include "bascule_host.h"

namespace bsc::host {
namespace {

bsc_upcalls guest_upcalls;

uint64_t address(auto fn) { return reinterpret_cast<uint64_t>(fn); }

// Runs the upcall `fn` in the guest on `stack` with %fs at `fs`; never returns.
[[noreturn]] void enter_guest(uint64_t fn, uint64_t arg0, uint64_t arg1, uint64_t stack,
                              uint64_t fs) {
    prepare_guest_entry();
    forget_abandoned_frames();
    entry_page().enter_guest(fn, arg0, arg1, stack, fs);
    __builtin_unreachable();
}

int signal_for(uint32_t kind) {
    switch (kind) {
    case BSC_EXCEPTION_BUS: return SIGBUS;
    case BSC_EXCEPTION_ILLEGAL: return SIGILL;
    case BSC_EXCEPTION_ARITHMETIC: return SIGFPE;
    case BSC_EXCEPTION_BREAKPOINT: return SIGTRAP;
    case BSC_EXCEPTION_SYSCALL: return SIGSYS;
    default: return SIGSEGV;
    }
}

void enter_start(const bsc_downcalls *abi, const bsc_start_info *info) {
    uint64_t stack_top;
    if (read_guest(&info->stack_top, stack_top) != BSC_OK || !guest_upcalls.start)
        terminate_by_signal(SIGSEGV);
    enter_guest(address(guest_upcalls.start), address(abi), address(info),
                stack_top & ~uint64_t{15}, 0);
}

void enter_thread_start(uint64_t argument) {
    if (!guest_upcalls.thread_start)
        terminate_by_signal(SIGSEGV);
    enter_guest(address(guest_upcalls.thread_start), argument, 0, current_thread_stack_top(),
                0);
}

void enter_exception(bsc_exception *exception) {
    bsc_exception ex;
    if (read_guest(exception, ex) != BSC_OK)
        terminate_by_signal(SIGSEGV);
    // A guest without a handler dies the way Linux kills a process for the fault.
    if (!guest_upcalls.exception)
        terminate_by_signal(signal_for(ex.kind));
    enter_guest(address(guest_upcalls.exception), address(exception), 0,
                address(exception) & ~uint64_t{15}, ex.context.fs_base);
}

const bsc_upcalls entry_upcalls = {
    .size = sizeof(bsc_upcalls),
    .version = BSC_ABI_VERSION,
    .start = enter_start,
    .thread_start = enter_thread_start,
    .exception = enter_exception,
};

} // namespace

const bsc_upcalls &guest_entry_upcalls(const bsc_upcalls &guest) {
    guest_upcalls = guest;
    set_exception_entries(entry_upcalls.exception, guest.exception);
    return entry_upcalls;
}

} // namespace bsc::host
