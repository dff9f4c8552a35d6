// SPDX-License-Identifier: MIT
// ELF64 parsing and segment mapping, shared by the runtime and the Linux personality.
#include "elf_image.h"

namespace bsc::elf {
namespace {

enum Error {
    kNone,
    kNotElf,
    kWrongMachine,
    kWrongType,
    kBadProgramHeaders,
    kBadInterpreter,
    kMisalignedSegment,
    kNoSegments,
    kMapFailed,
    kZeroFailed,
};

const char *const kErrorTexts[] = {
    "no error",
    "not an ELF file",
    "not an x86-64 ELF64 image",
    "neither an executable nor a position-independent image",
    "bad program headers",
    "bad PT_INTERP",
    "misaligned or inconsistent PT_LOAD segment",
    "no loadable segments",
    "cannot map a segment",
    "cannot zero the end of a segment",
};

constexpr uint64_t kPage = 4096;

uint64_t page_down(uint64_t v) { return v & ~(kPage - 1); }
uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

bool has_elf_magic(const Elf64_Ehdr &h) {
    return h.e_ident[EI_MAG0] == ELFMAG0 && h.e_ident[EI_MAG1] == ELFMAG1 &&
           h.e_ident[EI_MAG2] == ELFMAG2 && h.e_ident[EI_MAG3] == ELFMAG3;
}

int read_interpreter(const Reader &reader, const Elf64_Phdr &seg, Image &image) {
    if (seg.p_filesz < 2 || seg.p_filesz > sizeof image.interpreter ||
        !reader.read(reader.context, seg.p_offset, image.interpreter, seg.p_filesz) ||
        image.interpreter[seg.p_filesz - 1] != 0)
        return kBadInterpreter;
    return kNone;
}

// Maps one segment at its biased address over the reservation made by map().
int map_segment(const bsc_downcalls &abi, bsc_handle file, const Elf64_Phdr &seg,
                uint64_t bias, bsc_status *status) {
    uint32_t prot = segment_protection(seg.p_flags);
    uint64_t start = page_down(bias + seg.p_vaddr);
    uint64_t file_end = bias + seg.p_vaddr + seg.p_filesz;
    uint64_t mem_end = page_up(bias + seg.p_vaddr + seg.p_memsz);
    uint64_t anon_start = start;
    if (seg.p_filesz > 0) {
        // Writable while the tail of the last file page is zeroed, then as asked.
        bool zero_tail = seg.p_memsz > seg.p_filesz && file_end % kPage != 0;
        uint64_t addr = start;
        *status = abi.stream_map(file, &addr, page_down(seg.p_offset), page_up(file_end) - start,
                                 zero_tail ? prot | BSC_PROT_WRITE : prot, BSC_MAP_FIXED);
        if (*status != BSC_OK)
            return kMapFailed;
        if (zero_tail) {
            for (char *p = reinterpret_cast<char *>(file_end);
                 p < reinterpret_cast<char *>(page_up(file_end)); p++)
                *p = 0;
            if (!(prot & BSC_PROT_WRITE) &&
                (*status = abi.vm_protect(page_down(file_end), kPage, prot)) != BSC_OK)
                return kZeroFailed;
        }
        anon_start = page_up(file_end);
    }
    if (mem_end > anon_start) {
        uint64_t addr = anon_start;
        *status = abi.vm_alloc(&addr, mem_end - anon_start, prot, BSC_MAP_FIXED);
        if (*status != BSC_OK)
            return kMapFailed;
    }
    return kNone;
}

} // namespace

const char *error_text(int error) {
    return error >= 0 && error < int(sizeof kErrorTexts / sizeof *kErrorTexts)
               ? kErrorTexts[error]
               : "unknown error";
}

int parse(const Reader &reader, Image &image) {
    image = Image{};
    Elf64_Ehdr &h = image.header;
    if (!reader.read(reader.context, 0, &h, sizeof h) || !has_elf_magic(h))
        return kNotElf;
    if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_machine != EM_X86_64)
        return kWrongMachine;
    if (h.e_type != ET_EXEC && h.e_type != ET_DYN)
        return kWrongType;
    if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0 || h.e_phnum > kMaxSegments ||
        !reader.read(reader.context, h.e_phoff, image.segments, h.e_phnum * sizeof(Elf64_Phdr)))
        return kBadProgramHeaders;
    image.segment_count = h.e_phnum;
    image.low = UINT64_MAX;
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type == PT_INTERP) {
            if (int error = read_interpreter(reader, seg, image))
                return error;
        } else if (seg.p_type == PT_LOAD) {
            if (seg.p_offset % kPage != seg.p_vaddr % kPage || seg.p_filesz > seg.p_memsz ||
                seg.p_vaddr + seg.p_memsz < seg.p_vaddr)
                return kMisalignedSegment;
            if (page_down(seg.p_vaddr) < image.low)
                image.low = page_down(seg.p_vaddr);
            if (page_up(seg.p_vaddr + seg.p_memsz) > image.high)
                image.high = page_up(seg.p_vaddr + seg.p_memsz);
        }
    }
    return image.low < image.high ? kNone : kNoSegments;
}

int map(const bsc_downcalls &abi, bsc_handle file, Image &image, bsc_status *status) {
    // Reserve the whole span first, so the segments land in one free range.
    uint64_t base = image.header.e_type == ET_EXEC ? image.low : 0;
    *status = abi.vm_alloc(&base, image.high - image.low, BSC_PROT_NONE,
                           image.header.e_type == ET_EXEC ? BSC_MAP_FIXED_NOREPLACE : 0);
    if (*status != BSC_OK)
        return kMapFailed;
    image.bias = base - image.low;
    // The reservation between segments is given back, as Linux's loader leaves no mapping
    // there: a later program (after an exec) may need the range.
    uint64_t mapped_to = base;
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type != PT_LOAD)
            continue;
        if (int error = map_segment(abi, file, seg, image.bias, status))
            return error;
        uint64_t start = page_down(image.bias + seg.p_vaddr);
        if (start > mapped_to)
            abi.vm_free(mapped_to, start - mapped_to);
        uint64_t end = page_up(image.bias + seg.p_vaddr + seg.p_memsz);
        mapped_to = end > mapped_to ? end : mapped_to;
    }
    image.low += image.bias;
    image.high += image.bias;
    image.entry = image.header.e_entry + image.bias;
    for (unsigned i = 0; i < image.segment_count; i++) {
        const Elf64_Phdr &seg = image.segments[i];
        if (seg.p_type == PT_PHDR)
            image.phdr = seg.p_vaddr + image.bias;
        else if (seg.p_type == PT_LOAD && seg.p_offset <= image.header.e_phoff &&
                 image.header.e_phoff < seg.p_offset + seg.p_filesz && image.phdr == 0)
            image.phdr = seg.p_vaddr + (image.header.e_phoff - seg.p_offset) + image.bias;
    }
    return kNone;
}

uint32_t segment_protection(uint32_t flags) {
    return (flags & PF_R ? BSC_PROT_READ : 0) | (flags & PF_W ? BSC_PROT_WRITE : 0) |
           (flags & PF_X ? BSC_PROT_EXEC : 0);
}

} // namespace bsc::elf
