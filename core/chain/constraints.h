// SPDX-License-Identifier: MIT
// The ordering constraints of a stack (must_be_below / must_be_above), checked before
// any extension runs.
#pragma once

#include <vector>

#include "bascule_extension.h"

namespace bsc::chain {

// `stack` lists descriptors top to bottom (index = position, 0 is the topmost). Throws
// ChainError for the first broken constraint, naming both extensions, their positions
// and the order that would work. A constraint naming an extension absent from the stack
// holds trivially; an extension present several times must satisfy it for every copy.
void check_ordering(const std::vector<const bsc_extension_descriptor *> &stack);

} // namespace bsc::chain
