// SPDX-License-Identifier: MIT
// Case-insensitive names: Unicode simple case folding of UTF-8 names.
#pragma once

#include <string>
#include <string_view>

namespace bsc::fs_translate {

// The code point `c` folded (Unicode simple case folding; itself when it has no folding).
char32_t fold_case(char32_t c);

// `name` with every code point folded, re-encoded in UTF-8. Bytes that are not valid
// UTF-8 are kept as they are, so any name has a folded form.
std::string folded(std::string_view name);

} // namespace bsc::fs_translate
