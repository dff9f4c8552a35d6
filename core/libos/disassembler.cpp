// SPDX-License-Identifier: MIT
// Debian's Zydis, loaded from the image embedded in the LibOS and linked by hand: its
// segments copied into LibOS memory, its relocations applied, its imports bound.
#include "disassembler.h"

#include <Zydis/Decoder.h>
#include <elf.h>

#include "elf_image.h"
#include "fork_locks.h"
#include "memory.h"
#include "spinlock.h"

extern "C" const char zydis_image_start[], zydis_image_end[]; // zydis_image.S

namespace libos {
namespace {

using DecoderInit = decltype(&ZydisDecoderInit);
using DecodeInstruction = decltype(&ZydisDecoderDecodeInstruction);

enum class Load : uint8_t { not_yet, loaded, failed };

struct Zydis {
    Load state = Load::not_yet;
    DecodeInstruction decode_instruction = nullptr;
    ZydisDecoder decoder;
    uint64_t base = 0, size = 0; // where its code and data are loaded
};
Zydis zydis;
Spinlock decoding;
LIBOS_FORK_LOCK(decoding);

// What %fs points at while the decoder runs: its stack protector reads the word at 0x28.
alignas(64) const uint64_t protector_block[8] = {};

[[noreturn]] void decoder_failed() { panic("the Zydis decoder failed an assertion"); }

const Elf64_Ehdr &image_header() { return *reinterpret_cast<const Elf64_Ehdr *>(zydis_image_start); }

template <class T> const T *in_image(uint64_t offset) {
    return reinterpret_cast<const T *>(zydis_image_start + offset);
}

// The embedded file's dynamic symbol table (from its section headers).
struct Symbols {
    const Elf64_Sym *table = nullptr;
    uint64_t count = 0;
    const char *names = nullptr;
};

Symbols dynamic_symbols() {
    const Elf64_Ehdr &header = image_header();
    const auto *sections = in_image<Elf64_Shdr>(header.e_shoff);
    for (unsigned i = 0; i < header.e_shnum; i++)
        if (sections[i].sh_type == SHT_DYNSYM && sections[i].sh_link < header.e_shnum)
            return {in_image<Elf64_Sym>(sections[i].sh_offset),
                    sections[i].sh_size / sizeof(Elf64_Sym),
                    in_image<char>(sections[sections[i].sh_link].sh_offset)};
    return {};
}

// The address a symbol of the library binds to, loaded at `base`: its own definitions,
// the LibOS's for its imports, 0 for an undefined weak one. False if it needs another.
bool resolve(const Symbols &symbols, uint64_t index, uint64_t base, uint64_t &value) {
    if (index >= symbols.count)
        return false;
    const Elf64_Sym &symbol = symbols.table[index];
    if (symbol.st_shndx != SHN_UNDEF) {
        value = base + symbol.st_value;
        return true;
    }
    const char *name = symbols.names + symbol.st_name;
    struct Import {
        const char *name;
        uint64_t address;
    };
    const Import imports[] = {
        {"memcpy", reinterpret_cast<uint64_t>(&memcpy)},
        {"memset", reinterpret_cast<uint64_t>(&memset)},
        {"strlen", reinterpret_cast<uint64_t>(&strlen)},
        {"__assert_fail", reinterpret_cast<uint64_t>(&decoder_failed)},
        {"__stack_chk_fail", reinterpret_cast<uint64_t>(&decoder_failed)},
    };
    for (const Import &import : imports)
        if (freestanding::equal(name, import.name)) {
            value = import.address;
            return true;
        }
    value = 0;
    return ELF64_ST_BIND(symbol.st_info) == STB_WEAK;
}

bool relocate(const Elf64_Rela *relocations, uint64_t size, const Symbols &symbols, uint64_t base) {
    for (uint64_t i = 0; i < size / sizeof(Elf64_Rela); i++) {
        const Elf64_Rela &r = relocations[i];
        auto *slot = reinterpret_cast<uint64_t *>(base + r.r_offset);
        uint64_t value;
        switch (ELF64_R_TYPE(r.r_info)) {
        case R_X86_64_RELATIVE: *slot = base + r.r_addend; break;
        case R_X86_64_GLOB_DAT:
        case R_X86_64_JUMP_SLOT:
            if (!resolve(symbols, ELF64_R_SYM(r.r_info), base, value))
                return false;
            *slot = value;
            break;
        case R_X86_64_64:
            if (!resolve(symbols, ELF64_R_SYM(r.r_info), base, value))
                return false;
            *slot = value + r.r_addend;
            break;
        case R_X86_64_NONE: break;
        default: return false;
        }
    }
    return true;
}

uint64_t symbol_address(const Symbols &symbols, uint64_t base, const char *name) {
    for (uint64_t i = 0; i < symbols.count; i++)
        if (symbols.table[i].st_shndx != SHN_UNDEF &&
            freestanding::equal(symbols.names + symbols.table[i].st_name, name))
            return base + symbols.table[i].st_value;
    return 0;
}

// Copies the library's segments into fresh LibOS memory, links it and starts a decoder;
// false if anything about the image is not what this loader handles.
bool load() {
    const Elf64_Ehdr &header = image_header();
    if (zydis_image_end - zydis_image_start < static_cast<long>(sizeof header) ||
        memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_type != ET_DYN ||
        header.e_machine != EM_X86_64)
        return false;
    const auto *segments = in_image<Elf64_Phdr>(header.e_phoff);
    uint64_t span = 0;
    const Elf64_Phdr *dynamic = nullptr;
    for (unsigned i = 0; i < header.e_phnum; i++) {
        if (segments[i].p_type == PT_LOAD && segments[i].p_vaddr + segments[i].p_memsz > span)
            span = segments[i].p_vaddr + segments[i].p_memsz;
        if (segments[i].p_type == PT_DYNAMIC)
            dynamic = &segments[i];
        if (segments[i].p_type == PT_TLS)
            return false;
    }
    uint64_t &base = zydis.base;
    zydis.size = page_up(span);
    if (!dynamic || abi().vm_alloc(&base, zydis.size, BSC_PROT_READ | BSC_PROT_WRITE, 0))
        return false;
    for (unsigned i = 0; i < header.e_phnum; i++)
        if (segments[i].p_type == PT_LOAD)
            memcpy(reinterpret_cast<void *>(base + segments[i].p_vaddr),
                   in_image<char>(segments[i].p_offset), segments[i].p_filesz);
    uint64_t rela = 0, rela_size = 0, plt = 0, plt_size = 0;
    for (const auto *d = reinterpret_cast<const Elf64_Dyn *>(base + dynamic->p_vaddr);
         d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_RELA) rela = d->d_un.d_ptr;
        if (d->d_tag == DT_RELASZ) rela_size = d->d_un.d_val;
        if (d->d_tag == DT_JMPREL) plt = d->d_un.d_ptr;
        if (d->d_tag == DT_PLTRELSZ) plt_size = d->d_un.d_val;
    }
    Symbols symbols = dynamic_symbols();
    if (!symbols.table ||
        !relocate(reinterpret_cast<const Elf64_Rela *>(base + rela), rela_size, symbols, base) ||
        !relocate(reinterpret_cast<const Elf64_Rela *>(base + plt), plt_size, symbols, base))
        return false;
    // Each segment as its flags say, then the part relocation alone writes read-only.
    const uint32_t passes[] = {PT_LOAD, PT_GNU_RELRO};
    for (uint32_t type : passes)
        for (unsigned i = 0; i < header.e_phnum; i++) {
            const Elf64_Phdr &s = segments[i];
            if (s.p_type != type)
                continue;
            uint64_t start = page_down(base + s.p_vaddr);
            uint64_t end = type == PT_LOAD ? page_up(base + s.p_vaddr + s.p_memsz)
                                           : page_down(base + s.p_vaddr + s.p_memsz);
            uint32_t prot = type == PT_LOAD ? bsc::elf::segment_protection(s.p_flags) : uint32_t{BSC_PROT_READ};
            if (end > start)
                abi().vm_protect(start, end - start, prot);
        }
    auto init = reinterpret_cast<DecoderInit>(symbol_address(symbols, base, "ZydisDecoderInit"));
    zydis.decode_instruction = reinterpret_cast<DecodeInstruction>(
        symbol_address(symbols, base, "ZydisDecoderDecodeInstruction"));
    return init && zydis.decode_instruction &&
           ZYAN_SUCCESS(init(&zydis.decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64));
}

} // namespace

bool begin_decoding() {
    decoding.lock();
    abi().thread_set_segment(BSC_SEGMENT_FS, reinterpret_cast<uint64_t>(protector_block));
    if (zydis.state == Load::not_yet) {
        zydis.state = load() ? Load::loaded : Load::failed;
        if (zydis.state == Load::failed && verbose())
            log("the Zydis decoder cannot be loaded: system calls stay on the trap path");
    }
    if (zydis.state == Load::loaded)
        return true;
    decoding.unlock();
    return false;
}

bool in_decoder(uint64_t address) { return zydis.base && address - zydis.base < zydis.size; }

void end_decoding(uint64_t fs) {
    abi().thread_set_segment(BSC_SEGMENT_FS, fs);
    decoding.unlock();
}

bool decode(uint64_t address, const uint8_t *code, uint64_t available, Instruction &out) {
    ZydisDecodedInstruction in;
    if (!ZYAN_SUCCESS(zydis.decode_instruction(&zydis.decoder, nullptr, code, available, &in)))
        return false;
    out = {Instruction::Kind::other, in.length, (in.attributes & ZYDIS_ATTRIB_IS_RELATIVE) != 0, 0};
    bool direct = in.raw.imm[0].is_relative;
    uint64_t next = address + in.length;
    switch (in.meta.category) {
    case ZYDIS_CATEGORY_SYSCALL:
        if (in.mnemonic == ZYDIS_MNEMONIC_SYSCALL)
            out.kind = Instruction::Kind::syscall;
        break;
    case ZYDIS_CATEGORY_COND_BR:
        out.kind = direct ? Instruction::Kind::conditional : Instruction::Kind::stop;
        break;
    case ZYDIS_CATEGORY_UNCOND_BR:
        out.kind = direct ? Instruction::Kind::jump : Instruction::Kind::stop;
        break;
    case ZYDIS_CATEGORY_CALL:
        if (direct)
            out.kind = Instruction::Kind::call;
        break;
    case ZYDIS_CATEGORY_RET: out.kind = Instruction::Kind::stop; break;
    default:
        if (in.mnemonic == ZYDIS_MNEMONIC_UD2 || in.mnemonic == ZYDIS_MNEMONIC_HLT ||
            in.mnemonic == ZYDIS_MNEMONIC_INT3)
            out.kind = Instruction::Kind::stop;
        break;
    }
    if (direct)
        out.target = next + static_cast<uint64_t>(in.raw.imm[0].value.s);
    return true;
}

} // namespace libos
