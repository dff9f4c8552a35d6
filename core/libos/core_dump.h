// SPDX-License-Identifier: MIT
// The core file a program leaves when a signal whose default action dumps core ends it
// (the kernel's do_coredump and binfmt_elf's elf_core_dump): an ELF core of the program's
// threads and memory, never of the runtime's.
#pragma once

#include "signals.h"

namespace libos {

// What ended the process: the signal, the thread's context when it was taken (a fault's,
// or a system call's end, `syscall` its number, else kNoSyscall).
struct CoreCause {
    const SignalInfo &info;
    const bsc_cpu_context &context;
    int64_t syscall;
};

// Writes the core file if Linux would (a soft RLIMIT_CORE of at least a page, the process
// dumpable, a core_pattern that names a file): the other threads are stopped first. True
// if the file was made, which makes the parent's wait status say "core dumped" however
// much of it RLIMIT_CORE let be written, as Linux's does.
bool dump_core(const CoreCause &cause);

// Whether the calling thread is to stop for another thread's core dump: its waits end, and
// park_for_core_dump (at its next signal check) keeps it there with its registers seen.
bool core_dump_stops_thread();
// Parks the calling thread for the dump in progress, with `context`, its state after
// system call `syscall` (or kNoSyscall); returns at once if there is none.
void park_for_core_dump(const bsc_cpu_context &context, int64_t syscall);

} // namespace libos
