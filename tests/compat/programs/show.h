// SPDX-License-Identifier: MIT
// How the edge-case programs print a call: its result and, for a failure, errno's text
// (read right after the call), so a native and a bascule run can be compared line by line.
#pragma once

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SHOW(what, expr)                                                                    \
    do {                                                                                    \
        errno = 0;                                                                          \
        long r_ = (long)(expr);                                                             \
        printf("%-40s -> %ld (%s)\n", what, r_, r_ < 0 ? strerror(errno) : "ok");          \
    } while (0)
