// SPDX-License-Identifier: MIT
#include "shared_page.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace bsc::replay {

void *map_shared_page(size_t bytes, const char *what) {
    void *page = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        throw std::runtime_error(std::string("cannot map ") + what + ": " + std::strerror(errno));
    return page;
}

} // namespace bsc::replay
