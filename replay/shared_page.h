// SPDX-License-Identifier: MIT
// Memory the record extension and the replay layer share with the processes the guest
// forks (a fork keeps it shared), in their own address space, outside the guest.
#pragma once

#include <cstddef>

namespace bsc::replay {

// Zeroed shared memory of `bytes`; throws std::runtime_error, saying it was for `what`.
void *map_shared_page(size_t bytes, const char *what);

} // namespace bsc::replay
