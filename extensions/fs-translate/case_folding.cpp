// SPDX-License-Identifier: MIT
// Simple case folding over the table generated from Unicode's CaseFolding.txt.
#include "case_folding.h"

#include <algorithm>
#include <iterator>

namespace bsc::fs_translate {
namespace {

struct Folding {
    char32_t from, to;
};

constexpr Folding kFoldings[] = {
#include "case_folding_table.inc"
};

// The code point starting at `text[at]` and its length in bytes, or length 0 when the
// bytes there are not well-formed UTF-8.
char32_t decode(std::string_view text, size_t at, size_t &length) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
    unsigned char lead = byte(0);
    size_t need = lead < 0x80            ? 1
                  : (lead >> 5) == 0x06  ? 2
                  : (lead >> 4) == 0x0e  ? 3
                  : (lead >> 3) == 0x1e  ? 4
                                         : 0;
    length = 0;
    if (need == 0 || at + need > text.size())
        return 0;
    char32_t c = need == 1 ? lead : lead & (0x7f >> need);
    for (size_t i = 1; i < need; i++) {
        if ((byte(i) & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (byte(i) & 0x3f);
    }
    constexpr char32_t kLeast[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < kLeast[need] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    length = need;
    return c;
}

void encode(char32_t c, std::string &out) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xc0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xe0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (c & 0x3f));
    }
}

} // namespace

char32_t fold_case(char32_t c) {
    auto it = std::lower_bound(std::begin(kFoldings), std::end(kFoldings), c,
                               [](const Folding &f, char32_t value) { return f.from < value; });
    return it != std::end(kFoldings) && it->from == c ? it->to : c;
}

std::string folded(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (size_t at = 0; at < name.size();) {
        size_t length = 0;
        char32_t c = decode(name, at, length);
        if (length == 0) {
            out += name[at++];
            continue;
        }
        encode(fold_case(c), out);
        at += length;
    }
    return out;
}

} // namespace bsc::fs_translate
