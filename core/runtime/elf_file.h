// SPDX-License-Identifier: MIT
// Looking up a symbol in an ELF image's dynamic symbol table, by its section headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "elf_image.h"

namespace bsc::runtime {

// The (unrelocated) value of a defined dynamic symbol, if the image has it.
std::optional<uint64_t> find_dynamic_symbol(const elf::Reader &reader, const Elf64_Ehdr &header,
                                            const std::string &name);

} // namespace bsc::runtime
