// SPDX-License-Identifier: MIT
// What this machine's CPU and kernel let the host do, where that differs between machines:
// whether the gates may use the FSGSBASE instructions, whether rdtsc can be trapped, and
// whether 32-bit code can run.
#include <asm/ldt.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "bascule_host.h"

namespace bsc::host {
namespace {

constexpr unsigned long kHwcap2Fsgsbase = 1ul << 1; // HWCAP2_FSGSBASE (asm/hwcap2.h)

// How `probe` ends in a child, with the default action for a fault: its wait status, or -1
// if there was no child.
template <typename Probe>
int status_in_child(Probe probe) {
    pid_t child = ::fork();
    if (child == 0) {
        struct sigaction default_action{};
        default_action.sa_handler = SIG_DFL;
        ::sigaction(SIGSEGV, &default_action, nullptr);
        ::sigaction(SIGBUS, &default_action, nullptr);
        probe();
        ::_exit(0);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child)
        return -1;
    return status;
}

// Whether rdtsc faults after PR_SET_TSC: some hypervisors accept the prctl and let rdtsc
// run anyway.
bool probe_timestamp_traps() {
    int status = status_in_child([] {
        ::prctl(PR_SET_TSC, PR_TSC_SIGSEGV);
        unsigned low, high;
        asm volatile("rdtsc" : "=a"(low), "=d"(high));
    });
    return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

// Whether `probe` returns in a child, rather than dying of a fault.
template <typename Probe>
bool returns_in_child(Probe probe) {
    int status = status_in_child(probe);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

constexpr uint16_t kUserDataSelector = 0x2b;   // __USER_DS: flat, valid in both modes
constexpr uint16_t kCompatCodeSelector = 0x23; // __USER32_CS
constexpr uint16_t kLdtCodeSelector = 0x7;     // LDT entry 0, RPL 3

// A far call from 64-bit code into a 32-bit `lret` at `selector`, on a stack below 4 GiB
// (32-bit code sees 32-bit addresses only), with the flat data segments 32-bit code needs.
void far_call_into_32_bit_code(uint16_t selector) {
    void *code = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    void *stack = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (code == MAP_FAILED || stack == MAP_FAILED)
        ::_exit(1);
    *static_cast<uint8_t *>(code) = 0xcb; // lret
    struct [[gnu::packed]] {
        uint32_t offset;
        uint16_t selector;
    } target{static_cast<uint32_t>(reinterpret_cast<uintptr_t>(code)), selector};
    void *stack_top = static_cast<uint8_t *>(stack) + 4096 - 16;
    asm volatile("mov %0, %%ds\n\tmov %0, %%es" : : "r"(uint32_t{kUserDataSelector}));
    asm volatile("mov %%rsp, %%r12\n\t"
                 "mov %[stack], %%rsp\n\t"
                 "lcall *(%[target])\n\t"
                 "mov %%r12, %%rsp"
                 :
                 : [stack] "r"(stack_top), [target] "r"(&target)
                 : "r12", "memory");
}

// A 32-bit code segment of this process's own in the LDT, then a far call into it.
void far_call_into_ldt_code() {
    user_desc segment{};
    segment.entry_number = 0;
    segment.limit = 0xfffff;
    segment.seg_32bit = 1;
    segment.contents = MODIFY_LDT_CONTENTS_CODE;
    segment.limit_in_pages = 1;
    segment.useable = 1;
    if (::syscall(SYS_modify_ldt, 1, &segment, sizeof segment) != 0)
        ::_exit(1);
    far_call_into_32_bit_code(kLdtCodeSelector);
}

CompatCode probe_compat_code() {
    if (returns_in_child([] { far_call_into_32_bit_code(kCompatCodeSelector); }))
        return CompatCode::gdt;
    if (returns_in_child(far_call_into_ldt_code))
        return CompatCode::ldt;
    return CompatCode::none;
}

} // namespace

bool gates_use_fsgsbase() {
    // BASCULE_SEGMENT_BASES=arch_prctl takes the other path on any machine, so that one
    // with FSGSBASE tests both.
    const char *forced = ::getenv("BASCULE_SEGMENT_BASES");
    if (forced && std::strcmp(forced, "arch_prctl") == 0)
        return false;
    return (::getauxval(AT_HWCAP2) & kHwcap2Fsgsbase) != 0;
}

bool timestamps_trap() {
    static const bool traps = probe_timestamp_traps();
    return traps;
}

CompatCode compat_code_segment() {
    static const CompatCode segment = probe_compat_code();
    return segment;
}

const char *compat_code_name(CompatCode segment) {
    switch (segment) {
    case CompatCode::gdt: return "gdt";
    case CompatCode::ldt: return "ldt";
    case CompatCode::none: break;
    }
    return "none";
}

} // namespace bsc::host
