// SPDX-License-Identifier: MIT
// Part a: the factorial.
#include "parts.h"

long part_a(long n) { return n <= 1 ? 1 : n * part_a(n - 1); }
