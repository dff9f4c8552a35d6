// SPDX-License-Identifier: MIT
// ELF64 header, program header and dynamic symbol parsing for the image loader.
#include "elf_file.h"

#include <cstring>
#include <string_view>

namespace bsc::runtime {
namespace {

constexpr size_t kMaxSegments = 64;
constexpr uint64_t kMaxTableBytes = 64 << 20;

template <class T> bool read_table(const ReadAt &read, uint64_t offset, uint64_t count,
                                   std::vector<T> &out) {
    if (count > kMaxTableBytes / sizeof(T))
        return false;
    out.resize(count);
    return count == 0 || read(offset, out.data(), count * sizeof(T));
}

} // namespace

std::optional<ElfFile> ElfFile::parse(const ReadAt &read, std::string &error) {
    ElfFile elf;
    auto &h = elf.header;
    if (!read(0, &h, sizeof h) || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
        error = "not an ELF file";
        return std::nullopt;
    }
    if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_machine != EM_X86_64) {
        error = "not an x86-64 ELF64 image";
        return std::nullopt;
    }
    if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0 || h.e_phnum > kMaxSegments ||
        !read_table(read, h.e_phoff, h.e_phnum, elf.segments)) {
        error = "bad program headers";
        return std::nullopt;
    }
    return elf;
}

std::optional<uint64_t> ElfFile::dynamic_symbol(const ReadAt &read,
                                                const std::string &name) const {
    std::vector<Elf64_Shdr> sections;
    if (header.e_shentsize != sizeof(Elf64_Shdr) ||
        !read_table(read, header.e_shoff, header.e_shnum, sections))
        return std::nullopt;
    for (const auto &s : sections) {
        if (s.sh_type != SHT_DYNSYM || s.sh_link >= sections.size())
            continue;
        std::vector<Elf64_Sym> symbols;
        std::vector<char> strings;
        const auto &strtab = sections[s.sh_link];
        if (!read_table(read, s.sh_offset, s.sh_size / sizeof(Elf64_Sym), symbols) ||
            !read_table(read, strtab.sh_offset, strtab.sh_size, strings))
            return std::nullopt;
        for (const auto &sym : symbols) {
            if (sym.st_shndx == SHN_UNDEF || sym.st_name >= strings.size())
                continue;
            const char *text = strings.data() + sym.st_name;
            if (std::string_view(text, strnlen(text, strings.size() - sym.st_name)) == name)
                return sym.st_value;
        }
    }
    return std::nullopt;
}

} // namespace bsc::runtime
