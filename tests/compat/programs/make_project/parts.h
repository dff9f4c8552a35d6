// SPDX-License-Identifier: MIT
// The parts of the compatibility suite's small make project.
#pragma once
long part_a(long n);
long part_b(long n);
long part_c(long n);
