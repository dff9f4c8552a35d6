// SPDX-License-Identifier: MIT
// The host-provided entry page: the gate code and the guest's downcall table, at a fixed
// address in the guest window so that a restored guest finds them where they were.
#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

#include "gate.h"
#include "host_calls.h"
#include "internal.h"
#include "window.h"
#include "xstate.h"

namespace bsc::host {
namespace {

EntryPage page;
const bsc_upcalls *bottom_upcalls = nullptr;

constexpr uint64_t kDataPageSize = 4096;
constexpr size_t kSlotCount = downcall_slot(sizeof(bsc_downcalls));
static_assert(kSlotCount <= kMaxDowncalls, "gate.S has stubs for MAX_DOWNCALLS downcalls");

void set_data_writable(bool writable) {
    ::mprotect(reinterpret_cast<void *>(page.base), kDataPageSize,
               writable ? PROT_READ | PROT_WRITE : PROT_READ);
}

} // namespace

void install_entry_page() {
    size_t blob = bsc_entry_blob_end - bsc_entry_blob;
    page.base = kWindowBase;
    page.size = (blob + 4095) & ~uint64_t{4095};
    if (page.size > kEntryAreaSize)
        throw std::logic_error("entry blob larger than the entry area");
    void *at = ::mmap(reinterpret_cast<void *>(page.base), page.size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (at == MAP_FAILED)
        throw std::runtime_error("cannot map the entry page");
    std::memcpy(at, bsc_entry_blob, blob);

    auto *table = reinterpret_cast<bsc_downcalls *>(page.base);
    table->size = sizeof(bsc_downcalls);
    table->version = BSC_ABI_VERSION;
    auto *slots = reinterpret_cast<uint64_t *>(&table->vm_alloc);
    uint64_t stubs = page.at<uint64_t>(bsc_entry_stubs);
    for (size_t i = 0; i < kSlotCount; i++)
        slots[i] = stubs + 16 * i;

    page.guest_table = table;
    page.exit_check = page.at<uint64_t>(bsc_entry_exit_check);
    page.exit_return = page.at<uint64_t>(bsc_entry_exit_return);
    page.restore_check = page.at<uint64_t>(bsc_entry_restore_check);
    page.restore_return = page.at<uint64_t>(bsc_entry_restore_return);
    page.sigreturn = page.at<uint64_t>(bsc_entry_sigreturn);
    page.restorer = page.at<uint64_t>(bsc_entry_restorer);
    page.syscall_entry = page.at<uint64_t>(bsc_entry_syscall);
    page.signal_entry = page.at<uint64_t>(bsc_entry_signal);
    page.enter_guest = page.at<decltype(page.enter_guest)>(bsc_entry_enter_guest);
    *page.at<decltype(&bsc_host_signal) *>(bsc_entry_host_signal) = bsc_host_signal;
    *page.at<uint64_t *>(bsc_entry_fsgsbase) = gates_use_fsgsbase() ? 1 : 0;
    *page.at<decltype(&bsc_guarded_copy) *>(bsc_entry_guarded_copy) = bsc_guarded_copy;
    *page.at<decltype(&bsc_restore_with_work) *>(bsc_entry_restore_work) = bsc_restore_with_work;
    *page.at<uint64_t *>(bsc_entry_xstate_size) = xstate_size();
    *page.at<uint64_t *>(bsc_entry_xfeatures) = enabled_features();
    *page.at<uint64_t *>(bsc_entry_mxcsr_mask) = mxcsr_mask();
    *page.at<decltype(&bsc_raise_syscall) *>(bsc_entry_syscall_work) = bsc_raise_syscall;
    ::mprotect(reinterpret_cast<void *>(page.base + kDataPageSize), page.size - kDataPageSize,
               PROT_READ | PROT_EXEC);
    set_data_writable(false);
}

const EntryPage &entry_page() { return page; }

uint64_t entry_page_address() { return page.base; }

const bsc_downcalls *guest_downcalls() { return page.guest_table; }

void connect_chain(const bsc_downcalls *top, const bsc_upcalls *upcalls) {
    set_data_writable(true);
    *page.at<const bsc_downcalls **>(bsc_entry_top_table) = top;
    *page.at<bsc_status (**)(bsc_status)>(bsc_entry_exit_work) = gate_exit_work;
    // With no extension on thread_context_restore, the gate resumes contexts itself.
    *page.at<int64_t *>(bsc_entry_restore_slot) =
        top->thread_context_restore == host_thread_context_restore
            ? int64_t(downcall_slot(offsetof(bsc_downcalls, thread_context_restore)))
            : -1;
    *page.at<const bsc_upcalls **>(bsc_entry_bottom_upcalls) = upcalls;
    fill_fast_calls(*top, *page.at<uint64_t(*)[kMaxDowncalls]>(bsc_entry_fast_calls));
    set_data_writable(false);
    bottom_upcalls = upcalls;
}

void set_exception_entries(void (*host)(bsc_exception *), void (*guest)(bsc_exception *)) {
    set_data_writable(true);
    *page.at<decltype(host) *>(bsc_entry_host_exception) = host;
    *page.at<decltype(guest) *>(bsc_entry_guest_exception) = guest;
    set_data_writable(false);
}

uint64_t syscall_entry_address() { return page.syscall_entry; }

const bsc_upcalls &chain_upcalls() { return *bottom_upcalls; }

} // namespace bsc::host
