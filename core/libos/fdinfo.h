// SPDX-License-Identifier: MIT
// /proc/PID/fdinfo/N of the caller's own descriptors, in the kernel's format (seq_show in
// fs/proc/fd.c): its position, flags, mount id and inode.
#pragma once

#include "fd_table.h"

namespace libos {

// Whether descriptor `fd` has an fdinfo file the LibOS can show exactly: a host stream
// whose kind adds no lines of its own (a file, a directory, a pipe, a socket, a device, a
// message queue). The others are named with --verbose.
bool fdinfo_served(int fd);

// Its text into `text` (NUL-terminated): its length, or 0 if the descriptor is not open
// or not served.
size_t fdinfo_text(int fd, char *text, size_t capacity);

} // namespace libos
