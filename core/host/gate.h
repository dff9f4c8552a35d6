// SPDX-License-Identifier: MIT
// The host's view of the gates (gate.S) and of the entry page they are copied into.
#pragma once

#include <cstdint>

#include "bascule.h"
#include "bascule_host.h"

extern "C" {
// Symbols of the entry blob; only their offsets from bsc_entry_blob mean anything.
extern const char bsc_entry_blob[], bsc_entry_blob_end[], bsc_entry_top_table[],
    bsc_entry_exit_work[], bsc_entry_stubs[], bsc_entry_exit_check[],
    bsc_entry_exit_return[], bsc_entry_sigreturn[], bsc_entry_restorer[];

[[noreturn]] void bsc_gate_enter_guest(uint64_t fn, uint64_t arg0, uint64_t arg1,
                                       uint64_t stack, uint64_t fs);
extern const char bsc_gate_enter_guest_end[];
extern const char bsc_signal_entry_end[];
void bsc_signal_entry(int sig, void *info, void *uc);
}

namespace bsc::host {

// Addresses inside the installed entry page.
struct EntryPage {
    uint64_t base = 0, size = 0;
    const bsc_downcalls *guest_table = nullptr; // what the guest calls
    uint64_t exit_check = 0, exit_return = 0;   // the restartable exit sequence
    uint64_t sigreturn = 0, restorer = 0;

    bool contains(uint64_t addr) const { return addr - base < size; }
    template <class F> F at(const char *symbol) const {
        return reinterpret_cast<F>(base + (symbol - bsc_entry_blob));
    }
};

// Maps the entry page at the start of the guest window (initialise() does this).
void install_entry_page();
const EntryPage &entry_page();

const bsc_upcalls &chain_upcalls();

} // namespace bsc::host
