// SPDX-License-Identifier: MIT
// The host's view of the gates (gate.S) and of the entry page they are copied into.
#pragma once

#include <signal.h>
#include <ucontext.h>

#include <cstdint>

#include "bascule.h"
#include "bascule_host.h"
#include "gate_layout.h"

extern "C" {
// Symbols of the entry blob; only their offsets from bsc_entry_blob mean anything.
extern const char bsc_entry_blob[], bsc_entry_blob_end[], bsc_entry_top_table[],
    bsc_entry_exit_work[], bsc_entry_host_signal[], bsc_entry_fsgsbase[], bsc_entry_stubs[],
    bsc_entry_exit_check[], bsc_entry_exit_return[], bsc_entry_enter_guest[],
    bsc_entry_sigreturn[], bsc_entry_signal[], bsc_entry_restorer[], bsc_entry_restore_slot[],
    bsc_entry_guarded_copy[], bsc_entry_restore_work[], bsc_entry_xstate_size[],
    bsc_entry_xfeatures[], bsc_entry_mxcsr_mask[], bsc_entry_restore_check[],
    bsc_entry_restore_return[], bsc_entry_syscall[], bsc_entry_bottom_upcalls[],
    bsc_entry_host_exception[], bsc_entry_guest_exception[], bsc_entry_syscall_work[],
    bsc_entry_fast_calls[];

// What bsc_entry_signal calls (exceptions.cpp), with the runtime's %fs; `fs` and `state`
// are the interrupted thread's (fs 0 on a thread that is not a guest's).
void bsc_host_signal(int sig, siginfo_t *info, ucontext_t *uc, uint64_t fs, uint32_t state);
// What the gate's direct thread_context_restore calls when work is pending (exceptions.cpp).
[[noreturn]] void bsc_restore_with_work(const bsc_cpu_context *context, const void *xstate);
// What the system call entry calls where an extension interposes on exceptions: the
// record is written; it raises it up the chain (exceptions.cpp).
[[noreturn]] void bsc_raise_syscall(bsc_exception *record);
size_t bsc_guarded_copy(void *dst, const void *src, size_t size);
}

namespace bsc::host {

// Addresses inside the installed entry page.
struct EntryPage {
    uint64_t base = 0, size = 0;
    const bsc_downcalls *guest_table = nullptr; // what the guest calls
    uint64_t exit_check = 0, exit_return = 0;   // the restartable exit sequence
    uint64_t restore_check = 0, restore_return = 0; // and thread_context_restore's
    uint64_t sigreturn = 0, restorer = 0;
    uint64_t syscall_entry = 0; // bsc_start_info.syscall_entry
    // void (int sig, siginfo_t *, void *ucontext): the handler of every host signal
    uint64_t signal_entry = 0;
    // [[noreturn]] void (fn, arg0, arg1, stack, fs): runs an upcall in the guest
    void (*enter_guest)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) = nullptr;

    bool contains(uint64_t addr) const { return addr - base < size; }
    // Where a thread interrupted at `rip` inside a restartable sequence starts it again
    // (its check), or 0.
    uint64_t restart_of(uint64_t rip) const {
        if (rip > exit_check && rip <= exit_return)
            return exit_check;
        if (rip > restore_check && rip <= restore_return)
            return restore_check;
        return 0;
    }
    template <class F> F at(const char *symbol) const {
        return reinterpret_cast<F>(base + (symbol - bsc_entry_blob));
    }
};

// Maps the entry page at the start of the guest window (initialise() does this).
void install_entry_page();
const EntryPage &entry_page();

const bsc_upcalls &chain_upcalls();
// What the system call entry needs to run the guest's exception upcall itself: the
// host's own (in the chain's table when nothing interposes) and the guest image's.
void set_exception_entries(void (*host)(bsc_exception *), void (*guest)(bsc_exception *));
// The gates' number for the downcall whose bsc_downcalls field is at `offset`.
constexpr size_t downcall_slot(size_t offset) {
    return (offset - offsetof(bsc_downcalls, vm_alloc)) / sizeof(void *);
}
// fast_calls.cpp: what the gate runs with the guest's %fs for each slot (0: the usual
// way) in a chain whose top is `top`; only slots that still hold the host's own function.
void fill_fast_calls(const bsc_downcalls &top, uint64_t (&fast)[kMaxDowncalls]);

} // namespace bsc::host
