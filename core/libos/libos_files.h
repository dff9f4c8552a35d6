// SPDX-License-Identifier: MIT
// Files the LibOS provides itself, with no host stream behind them: /dev/urandom and
// /dev/random (served from random_read) and the generated, read-only /proc/self/maps.
// Their open files have no handle. Also the links of the program's own /proc directory.
#pragma once

#include "fd_table.h"

namespace libos {

// The entry of the program's own /proc directory that `path` (absolute) names: "exe" for
// /proc/self/exe, /proc/thread-self/exe or /proc/PID/exe with the program's pid; else null.
const char *own_proc_entry(const char *path);

// The text of a link the LibOS answers for: /proc/self (the pid) and /proc/self/exe (the
// program). False for any other path.
bool read_libos_link(const char *path, char *text, size_t capacity);
// lstat of such a link, as procfs shows it (a link of size 0, owned by the process);
// false for any other path.
bool libos_link_attributes(const char *path, bsc_stream_attributes &attributes);

// Whether `path` (absolute) names such a file.
bool is_libos_file(const char *path);
inline bool is_libos_file(const OpenFile &file) { return file.handle == BSC_NO_HANDLE; }

// Opens it as open(2) with `flags` would: the new descriptor, or -errno.
int64_t open_libos_file(const char *path, uint64_t flags);

// read/write at `offset` (BSC_AT_POSITION: the file's position). Random devices fill
// reads with random bytes and drop writes (as Linux does for an unprivileged writer);
// generated files read their text. Returns bytes or -errno.
int64_t libos_file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                            bool write);
// lseek in a generated file (SEEK_SET and SEEK_CUR, as the kernel's seq_file): the new
// position or -errno.
int64_t libos_file_seek(OpenFile &file, int64_t offset, uint32_t whence);

// The attributes of any open file, the LibOS's own or a host stream: 0 or -errno.
int64_t file_attributes(const OpenFile &file, bsc_stream_attributes &attributes);

} // namespace libos
