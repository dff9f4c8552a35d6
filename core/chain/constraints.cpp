// SPDX-License-Identifier: MIT
// Checking the ordering constraints of a stack pairwise by position.
#include "constraints.h"

#include <string_view>

#include <fmt/core.h>

#include "chain_error.h"

namespace bsc::chain {
namespace {

// Whether `names` holds `name`, or "*": every other extension.
bool lists(const char *const *names, std::string_view name) {
    for (auto *entry = names; entry && *entry; entry++)
        if (name == *entry || std::string_view(*entry) == "*")
            return true;
    return false;
}

// Positions grow downwards: `lower` sits below `upper` when lower > upper.
[[noreturn]] void refuse(const std::vector<const bsc_extension_descriptor *> &stack,
                         size_t subject, const char *relation, size_t other) {
    const char *above_one = subject < other ? stack[other]->name : stack[subject]->name;
    const char *below_one = subject < other ? stack[subject]->name : stack[other]->name;
    throw ChainError(fmt::format(
        "bad extension order: {} (position {}) must sit {} {} (position {}); positions "
        "count from 0 at the top, so list {} before {}",
        stack[subject]->name, subject, relation, stack[other]->name, other, above_one,
        below_one));
}

} // namespace

void check_ordering(const std::vector<const bsc_extension_descriptor *> &stack) {
    for (size_t i = 0; i < stack.size(); i++) {
        for (size_t j = 0; j < stack.size(); j++) {
            if (i == j)
                continue;
            // i must be nearer the host than j: a larger position.
            if (lists(stack[i]->must_be_below, stack[j]->name) && i < j)
                refuse(stack, i, "below", j);
            if (lists(stack[i]->must_be_above, stack[j]->name) && i > j)
                refuse(stack, i, "above", j);
        }
    }
}

} // namespace bsc::chain
