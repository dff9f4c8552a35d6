// SPDX-License-Identifier: MIT
// The vDSO: its image (built from vdso/ and embedded), mapped below the data page that
// leads its code to serve(), which runs the system calls' own handlers.
#include "vdso.h"

#include <asm-generic/errno.h>
#include <asm-generic/mman-common.h>
#include <elf.h>
#include <stddef.h>

#include "memory.h"
#include "memory_map.h"
#include "syscalls.h"
#include "thread.h"
#include "vdso/vdso_data.h"

extern "C" const char vdso_image_start[], vdso_image_end[]; // vdso/vdso_image.S

namespace libos {
namespace {

static_assert(VDSO_DATA_SIZE == kPage);
static_assert(offsetof(bsc_tcb, guest[1]) == VDSO_CALLS_TCB_OFFSET);

// The vDSO's way into the LibOS (vdso_data.h). The handlers it runs write their answers
// into the vDSO's own buffers, which it then copies to the program's pointers itself.
int64_t serve(uint64_t number, uint64_t arg0, uint64_t arg1) {
    // These handlers never look at a trapped context: one shared stand-in keeps the
    // program's stack, which this runs on, from carrying one.
    static bsc_cpu_context no_context;
    Syscall call{{arg0, arg1}, no_context};
    switch (number) {
    case __NR_clock_gettime: return sys_clock_gettime(call);
    case __NR_clock_getres: return sys_clock_getres(call);
    case __NR_gettimeofday: return sys_gettimeofday(call);
    case __NR_time: return sys_time(call);
    case __NR_getcpu: return sys_getcpu(call);
    default: return -ENOSYS;
    }
}

// Linux's KERNEL_VERSION of a release string such as "6.1.0-18-amd64" (the sublevel
// saturates at 255, as the kernel's LINUX_VERSION_CODE does).
uint32_t version_code(const char *release) {
    uint32_t parts[3] = {};
    for (unsigned i = 0; i < 3 && *release >= '0' && *release <= '9'; i++) {
        while (*release >= '0' && *release <= '9')
            parts[i] = parts[i] * 10 + static_cast<uint32_t>(*release++ - '0');
        if (*release == '.')
            release++;
    }
    return parts[0] << 16 | (parts[1] > 255 ? 255 : parts[1]) << 8 |
           (parts[2] > 255 ? 255 : parts[2]);
}

// Writes the release uname reports into the image's "Linux" note, as the kernel's vDSO
// carries its own version there.
void stamp_linux_note(uint64_t image) {
    bsc_system_info system{};
    abi().system_info_query(&system);
    const auto &header = *reinterpret_cast<const Elf64_Ehdr *>(image);
    const auto *segments = reinterpret_cast<const Elf64_Phdr *>(image + header.e_phoff);
    for (unsigned i = 0; i < header.e_phnum; i++) {
        if (segments[i].p_type != PT_NOTE)
            continue;
        for (uint64_t at = image + segments[i].p_offset, end = at + segments[i].p_filesz;
             at < end;) {
            const auto &note = *reinterpret_cast<const Elf64_Nhdr *>(at);
            uint64_t name = at + sizeof note, desc = name + ((note.n_namesz + 3) & ~3u);
            if (note.n_type == 0 && note.n_descsz == 4 &&
                freestanding::equal(reinterpret_cast<const char *>(name), "Linux"))
                *reinterpret_cast<uint32_t *>(desc) = version_code(system.os_release);
            at = desc + ((note.n_descsz + 3) & ~3u);
        }
    }
}

} // namespace

uint64_t map_vdso() {
    uint64_t image_size = static_cast<uint64_t>(vdso_image_end - vdso_image_start);
    uint64_t size = page_up(image_size);
    uint64_t data = 0;
    if (abi().vm_alloc(&data, kPage + size, BSC_PROT_READ | BSC_PROT_WRITE, 0) != BSC_OK)
        panic("cannot map the vDSO");
    reinterpret_cast<vdso_data *>(data)->serve = serve;
    uint64_t image = data + kPage;
    memcpy(reinterpret_cast<void *>(image), vdso_image_start, image_size);
    stamp_linux_note(image);
    abi().vm_protect(data, kPage, BSC_PROT_READ);
    abi().vm_protect(image, size, BSC_PROT_READ | BSC_PROT_EXEC);
    map_add({data, image, 0, nullptr, PROT_READ, false, RegionName::vvar});
    map_add({image, image + size, 0, nullptr, PROT_READ | PROT_EXEC, false, RegionName::vdso});
    return image;
}

bool in_vdso_call(const bsc_cpu_context &c) {
    uint64_t calls;
    asm volatile("mov %%gs:%c1, %0" : "=r"(calls) : "i"(VDSO_CALLS_TCB_OFFSET));
    return calls > 0 && !on_exception_stack(current_thread(), c.rsp);
}

} // namespace libos
