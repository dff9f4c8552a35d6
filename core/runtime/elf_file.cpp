// SPDX-License-Identifier: MIT
// Dynamic symbol lookup through the section headers of an ELF64 file.
#include "elf_file.h"

#include <cstring>
#include <string_view>
#include <vector>

namespace bsc::runtime {
namespace {

constexpr uint64_t kMaxTableBytes = 64 << 20;

template <class T> bool read_table(const elf::Reader &reader, uint64_t offset, uint64_t count,
                                   std::vector<T> &out) {
    if (count > kMaxTableBytes / sizeof(T))
        return false;
    out.resize(count);
    return count == 0 || reader.read(reader.context, offset, out.data(), count * sizeof(T));
}

} // namespace

std::optional<uint64_t> find_dynamic_symbol(const elf::Reader &reader, const Elf64_Ehdr &header,
                                            const std::string &name) {
    std::vector<Elf64_Shdr> sections;
    if (header.e_shentsize != sizeof(Elf64_Shdr) ||
        !read_table(reader, header.e_shoff, header.e_shnum, sections))
        return std::nullopt;
    for (const auto &s : sections) {
        if (s.sh_type != SHT_DYNSYM || s.sh_link >= sections.size())
            continue;
        std::vector<Elf64_Sym> symbols;
        std::vector<char> strings;
        const auto &strtab = sections[s.sh_link];
        if (!read_table(reader, s.sh_offset, s.sh_size / sizeof(Elf64_Sym), symbols) ||
            !read_table(reader, strtab.sh_offset, strtab.sh_size, strings))
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
