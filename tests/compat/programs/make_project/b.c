// SPDX-License-Identifier: MIT
// Part b: the n-th Fibonacci number.
#include "parts.h"

long part_b(long n) {
    long a = 0, b = 1;
    for (long i = 0; i < n; i++) {
        long next = a + b;
        a = b;
        b = next;
    }
    return a;
}
