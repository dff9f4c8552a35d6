// SPDX-License-Identifier: MIT
// The small make project's program: prints what its parts compute for argv[1].
#include <stdio.h>
#include <stdlib.h>

#include "parts.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 5;
    printf("a(%ld) = %ld\nb(%ld) = %ld\nc(%ld) = %ld\n", n, part_a(n), n, part_b(n), n,
           part_c(n));
    return 0;
}
