// SPDX-License-Identifier: MIT
// The native guest personality: the little a program written directly against the ABI
// needs (start-up, output, threads, exceptions). Freestanding: no libc, no C++ runtime.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bascule.h"
#include "text.h"

// Every native guest defines this; its return value is the process's exit status.
int guest_main(int argc, char **argv);

namespace native {

// The downcall table. When the environment variable BSC_NATIVE_CALL_LOG names a file,
// this is a recording table: every call is also appended to that file (one name a line)
// when the process exits, so tests can compare it with what an extension saw.
const bsc_downcalls &abi();
const bsc_start_info &start_info();

bsc_handle in();
bsc_handle out();
bsc_handle err();

using freestanding::equal;
const char *getenv(const char *name);

// Writes everything or exits with status 70.
void write_all(bsc_handle handle, const void *data, size_t size);
// printf-like, see core/freestanding/format.h.
void print(bsc_handle handle, const char *format, ...);
void vprint(bsc_handle handle, const char *format, va_list args);

// Exits with status 70 and a message naming `what` unless status is BSC_OK.
void check(bsc_status status, const char *what);

[[noreturn]] void exit(int status);

// Anonymous read-write guest memory; exits with status 70 on failure.
void *allocate(uint64_t size);

// Starts fn(argument) on a new thread with its own stack and TCB. *exit_word is set to 0
// (and woken) when the thread exits; it must be non-zero before the call.
bsc_handle start_thread(void (*fn)(void *), void *argument, uint32_t *exit_word);
// Waits until a thread started with start_thread has exited.
void join_thread(uint32_t *exit_word);

// Routes exception upcalls to handler; without one an exception ends the process the way
// Linux would kill it for the fault.
void set_exception_handler(void (*handler)(bsc_exception *exception));

} // namespace native
