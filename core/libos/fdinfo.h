// SPDX-License-Identifier: MIT
// /proc/PID/fdinfo/N of the caller's own descriptors, in the kernel's format (seq_show in
// fs/proc/fd.c): its position, flags, mount id and inode, and its kind's own lines.
#pragma once

#include "fd_table.h"
#include "text_buffer.h"

namespace libos {

// Whether descriptor `fd` has an fdinfo file the LibOS can show exactly: a host stream
// whose kind adds no lines of its own (a file, a directory, a pipe, a socket, a device, a
// message queue), or an object of the LibOS's own whose kind writes its lines
// (FileKind::show_fdinfo). The others are named with --verbose.
bool fdinfo_served(int fd);

// Its text: false (nothing put) if the descriptor is not open or not served.
bool put_fdinfo(Text &text, int fd);

// `digits` right-aligned in `width` columns ("%8d"), and `value` in hex in 16 ("%16llx"):
// the small printf has no width.
void put_right_aligned(Text &text, const char *digits, size_t width);
void put_padded_hex(Text &text, uint64_t value);

// What an epoll's fdinfo shows of a file it watches: its f_pos, its inode's number and
// its device in the kernel's own encoding (MKDEV: major << 20 | minor). False if the host
// does not tell.
bool file_position_and_inode(OpenFile &file, uint64_t &position, uint64_t &inode,
                             uint32_t &device);

} // namespace libos
