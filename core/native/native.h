// SPDX-License-Identifier: MIT
// The native guest personality: the little a program written directly against the ABI
// needs (start-up, output, threads, exceptions). Freestanding: no libc, no C++ runtime.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "bascule.h"

extern "C" {
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int value, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *text);
}

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

size_t length(const char *text);
bool equal(const char *a, const char *b);
const char *getenv(const char *name);

// Writes everything or exits with status 70.
void write_all(bsc_handle handle, const void *data, size_t size);
// printf-like: %s %c %d %i %u %x %o %p %% with the l modifier for 64-bit integers.
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
