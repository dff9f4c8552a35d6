// SPDX-License-Identifier: MIT
// The native personality's view of its environment.
#include "native.h"

namespace native {

const char *getenv(const char *name) {
    auto *env = reinterpret_cast<const char *const *>(start_info().envp);
    size_t n = strlen(name);
    for (; *env; env++)
        if (memcmp(*env, name, n) == 0 && (*env)[n] == '=')
            return *env + n + 1;
    return nullptr;
}

} // namespace native
