// SPDX-License-Identifier: MIT
// A program that computes for a few seconds without a system call (gdb.sh interrupts its
// replay there): it says so first, then sums in a loop and prints the sum. Built -g -O0,
// so that gdb finds the loop's line.
#include <stdio.h>
#include <unistd.h>

int main(void) {
    static const char line[] = "spinning\n";
    write(STDOUT_FILENO, line, sizeof line - 1);
    volatile unsigned long sum = 0;
    for (unsigned long i = 0; i < 2000000000ul; i++)
        sum += i;
    printf("%lu\n", sum);
    return 0;
}
