// SPDX-License-Identifier: MIT
// The native guest's upcalls (start, thread start, exceptions), exit, memory and threads.
#include "call_log.h"
#include "native.h"

namespace native {
namespace {

const bsc_downcalls *raw_table;
const bsc_start_info *info;
void (*exception_handler)(bsc_exception *);

constexpr uint64_t kThreadStackSize = 256 * 1024;

// Lives at the bottom of a thread's allocation: the TCB, then what the thread runs.
struct ThreadBlock {
    bsc_tcb tcb;
    void (*fn)(void *);
    void *argument;
};

int signal_for(uint32_t kind) {
    switch (kind) {
    case BSC_EXCEPTION_BUS: return 7;
    case BSC_EXCEPTION_ILLEGAL: return 4;
    case BSC_EXCEPTION_ARITHMETIC: return 8;
    case BSC_EXCEPTION_BREAKPOINT: return 5;
    case BSC_EXCEPTION_SYSCALL: return 31;
    default: return 11;
    }
}

void on_start(const bsc_downcalls *table, const bsc_start_info *start) {
    raw_table = table;
    info = start;
    call_log::initialise(*table);
    auto **argv = reinterpret_cast<char **>(start->argv);
    exit(guest_main(static_cast<int>(start->argc), argv));
}

void on_thread_start(uint64_t argument) {
    auto *block = reinterpret_cast<ThreadBlock *>(argument);
    block->fn(block->argument);
    abi().thread_exit();
}

void on_exception(bsc_exception *exception) {
    if (exception_handler)
        exception_handler(exception);
    else
        exit(-signal_for(exception->kind));
}

} // namespace

const bsc_downcalls &abi() { return call_log::table(*raw_table); }
const bsc_start_info &start_info() { return *info; }
bsc_handle in() { return info->stdio[0]; }
bsc_handle out() { return info->stdio[1]; }
bsc_handle err() { return info->stdio[2]; }

void exit(int status) {
    call_log::flush(*raw_table, status);
    raw_table->process_exit(status);
    __builtin_trap();
}

void *allocate(uint64_t size) {
    uint64_t addr = 0;
    check(abi().vm_alloc(&addr, size, BSC_PROT_READ | BSC_PROT_WRITE, 0), "vm_alloc");
    return reinterpret_cast<void *>(addr);
}

bsc_handle start_thread(void (*fn)(void *), void *argument, uint32_t *exit_word) {
    auto *block = static_cast<ThreadBlock *>(allocate(kThreadStackSize));
    block->fn = fn;
    block->argument = argument;
    bsc_thread_start start = {
        .stack_top = reinterpret_cast<uint64_t>(block) + kThreadStackSize,
        .tcb = reinterpret_cast<uint64_t>(&block->tcb),
        .argument = reinterpret_cast<uint64_t>(block),
        .clear_on_exit = reinterpret_cast<uint64_t>(exit_word),
    };
    bsc_handle thread = BSC_NO_HANDLE;
    check(abi().thread_create(&start, &thread), "thread_create");
    return thread;
}

void join_thread(uint32_t *exit_word) {
    for (uint32_t value; (value = __atomic_load_n(exit_word, __ATOMIC_ACQUIRE)) != 0;)
        abi().sync_wait(exit_word, value, BSC_WAIT_FOREVER);
}

void set_exception_handler(void (*handler)(bsc_exception *)) { exception_handler = handler; }

} // namespace native

extern "C" __attribute__((visibility("default"))) const bsc_upcalls bascule_guest_upcalls = {
    .size = sizeof(bsc_upcalls),
    .version = BSC_ABI_VERSION,
    .start = native::on_start,
    .thread_start = native::on_thread_start,
    .exception = native::on_exception,
};
