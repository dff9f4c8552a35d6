// SPDX-License-Identifier: MIT
// Part c: the sum of the squares up to n.
#include "parts.h"

long part_c(long n) { return n * (n + 1) * (2 * n + 1) / 6; }
