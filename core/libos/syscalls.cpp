// SPDX-License-Identifier: MIT
// The system call table, built from LIBOS_SYSCALLS, and the dispatcher.
#include "syscalls.h"

#include <asm-generic/errno.h>

#include "process_state.h"
#include "spinlock.h"

namespace libos {
namespace {

using Handler = int64_t (*)(Syscall &);
constexpr unsigned kTableSize = 512;

struct Table {
    Handler handlers[kTableSize];
};

constexpr Table build_table() {
    Table table{};
#define LIBOS_TABLE_ENTRY(name) table.handlers[__NR_##name] = sys_##name;
    LIBOS_SYSCALLS(LIBOS_TABLE_ENTRY)
#undef LIBOS_TABLE_ENTRY
    return table;
}

constexpr Table table = build_table();

// Unsupported calls are named once each with --verbose.
bool reported[kTableSize];

// The refusals report_unsupported has named: (call, what), with the request and the kind
// of object for report_unsupported_request. The strings are string literals, so comparing
// pointers is enough, and a refusal seen twice in different translation units is at worst
// named twice.
struct Refusal {
    const char *call, *what;
    uint64_t request;
    const char *object;
};
constexpr unsigned kMaxRefusals = 128;
Refusal refusals[kMaxRefusals];
unsigned refusal_count;
Spinlock refusals_lock; // the guest's threads refuse at once

// Whether `refusal` is new; remembers it. Past kMaxRefusals every one is new.
bool first_time(const Refusal &refusal) {
    SpinGuard guard(refusals_lock);
    for (unsigned i = 0; i < refusal_count; i++) {
        const Refusal &seen = refusals[i];
        if (seen.call == refusal.call && seen.what == refusal.what &&
            seen.request == refusal.request && seen.object == refusal.object)
            return false;
    }
    if (refusal_count < kMaxRefusals)
        refusals[refusal_count++] = refusal;
    return true;
}

} // namespace

void report_unsupported(const char *call, const char *what) {
    if (verbose() && first_time({call, what, 0, nullptr}))
        log("%s: %s is not supported", call, what);
}

void report_unsupported_request(const char *call, const char *what, uint64_t request,
                                const char *object) {
    if (verbose() && first_time({call, what, request, object}))
        log("%s: %s 0x%lx (on %s) is not supported", call, what, request, object);
}

void handle_syscall(bsc_cpu_context &context, bool patched) {
    uint64_t number = context.rax;
    check_strict_mode(number); // before anything, as Linux's syscall entry
    Syscall call{{context.rdi, context.rsi, context.rdx, context.r10, context.r8, context.r9},
                 context};
    Handler handler = number < kTableSize ? table.handlers[number] : nullptr;
    if (!handler) {
        if (verbose() && number < kTableSize && !reported[number]) {
            reported[number] = true;
            log("unsupported system call %lu", number);
        }
        context.rax = static_cast<uint64_t>(-int64_t{ENOSYS});
        return;
    }
    int64_t result = handler(call);
    if (strace())
        log("syscall %lu(%lx, %lx, %lx, %lx) = %ld [%s]", number, call.arg[0], call.arg[1],
            call.arg[2], call.arg[3], result, patched ? "patched" : "trapped");
    context.rax = static_cast<uint64_t>(result);
}

} // namespace libos
