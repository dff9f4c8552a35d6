// SPDX-License-Identifier: MIT
// A native guest that dereferences an unmapped address without a handler: the runtime
// must end like a process killed by SIGSEGV.
#include "native.h"

int guest_main(int, char **) {
    native::print(native::out(), "about to fault\n");
    volatile uintptr_t address = 16; // volatile: the compiler may not see the null page
    *reinterpret_cast<volatile int *>(address) = 1;
    native::print(native::out(), "still alive?\n");
    return 0;
}
