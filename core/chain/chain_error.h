// SPDX-License-Identifier: MIT
// The one error type of the chain: every problem with a stack, worded for the user.
#pragma once

#include <stdexcept>

namespace bsc::chain {

// Thrown for a malformed spec or manifest, a missing or invalid extension, a broken
// ordering constraint or a failed init. what() is a complete sentence for the user;
// the CLI prints it and exits with code 2.
class ChainError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace bsc::chain
