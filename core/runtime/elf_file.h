// SPDX-License-Identifier: MIT
// Reading the parts of an ELF64 x86-64 file the image loader needs, through a reader
// function so it serves both ABI streams and plain host files.
#pragma once

#include <elf.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bsc::runtime {

// Reads exactly `size` bytes at `offset` into `out`; false on a short read or error.
using ReadAt = std::function<bool(uint64_t offset, void *out, uint64_t size)>;

struct ElfFile {
    Elf64_Ehdr header{};
    std::vector<Elf64_Phdr> segments;

    // Parses and checks the header and program headers; the error text says what is wrong.
    static std::optional<ElfFile> parse(const ReadAt &read, std::string &error);

    // The value of a symbol in the dynamic symbol table (from the section headers), if any.
    std::optional<uint64_t> dynamic_symbol(const ReadAt &read, const std::string &name) const;
};

} // namespace bsc::runtime
