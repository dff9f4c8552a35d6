// SPDX-License-Identifier: MIT
// Reading and writing an open file of any kind, shared by the read/write family
// (sys/files.cpp, which defines it) and the zero-copy family (sys/splice.cpp).
#pragma once

#include "fd_table.h"
#include "iovec.h"

namespace libos {

// Whether the file is open for reading / writing (never an O_PATH descriptor).
bool file_readable(const OpenFile &file);
bool file_writable(const OpenFile &file);
// Whether the file takes explicit offsets (the kernel's FMODE_PREAD / FMODE_PWRITE).
bool file_positional(const OpenFile &file);

// One read or write of at most 0x7ffff000 bytes between `file` at `offset` (or
// BSC_AT_POSITION) and `buffer` (the program's memory or the LibOS's), as read(2) and
// write(2) do it: EBADF for the wrong access mode, EISDIR, SIGPIPE with EPIPE, and
// -kRestartSyscall when a signal interrupts it. Bytes or -errno.
int64_t file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                      bool write);

// Whole records from the host stream `handle` behind a descriptor of `flags` (a
// notification group's, a userfaultfd's) into `into` (`room` bytes): waits for the first
// unless O_NONBLOCK, and a signal restarts the call (-kRestartSyscall). Bytes or -errno.
int64_t read_host_records(bsc_handle handle, uint32_t flags, void *into, uint64_t room);

// preadv2's / pwritev2's RWF_* `flags` for `file` as the kernel's kiocb_set_rw_flags checks
// them (named for --verbose as `call` when unsupported): 0 or -EOPNOTSUPP.
int64_t check_rw_flags(const OpenFile &file, uint64_t flags, const char *call);

// The segments `v` moved between `file` at `at` (or BSC_AT_POSITION) and the program, as
// preadv2 and pwritev2 move them once checked, with their RWF_* `flags` (RWF_APPEND at the
// end, RWF_SYNC and RWF_DSYNC flushed after), RLIMIT_FSIZE's cut: bytes or -errno.
int64_t transfer_segments(OpenFile &file, IoVector &v, uint64_t at, uint64_t flags, bool write);

// RLIMIT_FSIZE for a write of `count` bytes at `pos` of a regular file (the kernel's
// generic_write_check_limits): `count` cut to what the limit leaves; at or past it, SIGXFSZ
// and -EFBIG. 0 or -EFBIG.
int64_t limit_write_size(uint64_t pos, uint64_t &count);

// A regular file's new length (truncate, ftruncate, fallocate) past RLIMIT_FSIZE when it
// grows the file (inode_newsize_ok): SIGXFSZ and -EFBIG; else 0.
int64_t check_new_length(bsc_handle handle, uint64_t length);
// check_new_length, then stream_set_length's answer.
int64_t set_file_length(bsc_handle handle, uint64_t length);

} // namespace libos
