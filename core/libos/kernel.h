// SPDX-License-Identifier: MIT
// The Linux personality's core: its view of the ABI and what every system call family
// shares. All of the LibOS's state lives in its own image's data and in memory it
// allocates through the ABI, so a checkpoint of guest memory captures it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bascule.h"
#include "text.h"

namespace libos {

// The downcall table the LibOS was started with.
const bsc_downcalls &abi();
const bsc_start_info &start_info();

// Linux errno (positive) for an ABI status; 0 for BSC_OK.
int errno_for(bsc_status status);
// A system call result: 0 for BSC_OK, else -errno.
inline int64_t result_of(bsc_status status) { return -static_cast<int64_t>(errno_for(status)); }

// Prints "bascule-libos: ..." on the runtime's stderr.
void log(const char *format, ...);
// Prints the message and ends the process as if killed by SIGABRT.
[[noreturn]] void panic(const char *format, ...);

// Whether --verbose was given: unsupported system calls are named once.
bool verbose();
// Names, once with --verbose, a call the LibOS serves only in part and the flag, mode or
// request of it that it refuses on purpose (`what`, a string literal: "F_NOTIFY"). Every
// such refusal is listed in SYSCALLS.md.
void report_unsupported(const char *call, const char *what);
// The same for one request number of a call that takes many (ioctl's), on one kind of
// object (`object`, a string literal: "a block device"): each distinct request is named
// once, as "ioctl: a device driver's own request 0x5331 (on a block device)".
void report_unsupported_request(const char *call, const char *what, uint64_t request,
                                const char *object);
// Whether --strace was given: every system call is logged with its result.
bool strace();

} // namespace libos
