// SPDX-License-Identifier: MIT
// The one error type of the snapshot layer: an image that cannot be written or read.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace bsc::snapshot {

// Thrown for an image that is missing, foreign, corrupt, of another version, or whose
// chain is broken, and for a write that fails. what() names the file and what is wrong,
// as a sentence a tool can print as it is.
class ImageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// "FILE: what is wrong", ready to throw.
template <class... Args>
ImageError image_error(const std::string &file, fmt::format_string<Args...> format,
                       Args &&...args) {
    return ImageError(file + ": " + fmt::format(format, std::forward<Args>(args)...));
}

} // namespace bsc::snapshot
