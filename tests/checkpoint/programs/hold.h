// SPDX-License-Identifier: MIT
// Lets a test pause a checkpoint workload at chosen ticks, so that a capture finds it
// mid-run however loaded the machine is: with HOLD_AT="3,5" in the environment,
// hold(3) returns only once a file "go.3" exists in the working directory (lib.sh's
// `release 3` makes it). Without HOLD_AT nothing waits, so native runs are unchanged.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline int hold_listed(const char *list, int tick) {
    for (const char *at = list; *at;) {
        char *end;
        long value = strtol(at, &end, 10);
        if (end == at)
            return 0;
        if (value == tick)
            return 1;
        at = *end == ',' ? end + 1 : end;
    }
    return 0;
}

static inline void hold(int tick) {
    const char *list = getenv("HOLD_AT");
    if (!list || !hold_listed(list, tick))
        return;
    char gate[32];
    snprintf(gate, sizeof gate, "go.%d", tick);
    const struct timespec pause = {0, 10 * 1000 * 1000};
    while (access(gate, F_OK) != 0)
        nanosleep(&pause, NULL);
}
