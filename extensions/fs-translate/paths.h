// SPDX-License-Identifier: MIT
// Path names as fs-translate handles them: components, prefixes and rebasing of
// canonical absolute paths ("/", "/a/b": no ".", "..", "//" or trailing slash).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bsc::fs_translate {

// The components of `path` in order, without the empty ones "//" makes; "." and ".."
// are kept.
std::vector<std::string_view> components(std::string_view path);

// Whether the canonical `path` is `prefix` or lies below it.
bool is_within(std::string_view path, std::string_view prefix);

// The canonical `path`, which lies within `from`, moved to lie within `to` instead.
std::string rebase(std::string_view path, std::string_view from, std::string_view to);

// `path` made canonical lexically ("." and ".." folded, ".." at the root stays there);
// a relative path is taken relative to the canonical `base`.
std::string lexically_canonical(std::string_view path, std::string_view base = "/");

// The canonical path of `names` ("/" when there are none).
std::string join(const std::vector<std::string> &names);

} // namespace bsc::fs_translate
