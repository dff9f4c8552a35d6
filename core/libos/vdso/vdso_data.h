/* SPDX-License-Identifier: MIT */
/* The page the LibOS maps just below its vDSO (Linux's [vvar]): what the vDSO's code,
 * built apart from the LibOS, needs to reach it. Shared by vdso.c and the LibOS. */
#ifndef BASCULE_VDSO_DATA_H
#define BASCULE_VDSO_DATA_H

#include <stdint.h>

/* The page's size: it sits at the vDSO's ELF header minus this. */
#define VDSO_DATA_SIZE 4096

/* The vDSO counts the calls it is making into the LibOS in the calling thread's
 * bsc_tcb.guest[1], at this offset from %gs: one instruction raises the count before the
 * call and one lowers it after, so an interrupt that lands in the LibOS's code in
 * between always finds it raised (vdso.cpp, in_vdso_call). */
#define VDSO_CALLS_TCB_OFFSET 24

struct vdso_data {
    /* Serves one of the vDSO's system calls (`number`: __NR_clock_gettime, clock_getres,
     * gettimeofday, time or getcpu) with the LibOS's own handler of that call, whose
     * output arguments point at the vDSO's buffers; returns the handler's result (a value
     * or -errno). It runs on the caller's stack, with the program's %fs: the LibOS finds
     * its thread through %gs, as everywhere. */
    int64_t (*serve)(uint64_t number, uint64_t arg0, uint64_t arg1);
};

#endif
