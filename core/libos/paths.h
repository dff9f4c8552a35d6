// SPDX-License-Identifier: MIT
// Path names: the working directory, and turning a program's (dirfd, path) into the
// absolute path and stream URI the ABI takes.
#pragma once

#include "kernel.h"

namespace libos {

inline constexpr size_t kPathMax = 4096;

void initialise_cwd(const char *absolute);
// Copies the working directory into out (capacity bytes); its length, or -ERANGE.
int64_t get_cwd(char *out, size_t capacity);
void set_cwd(const char *absolute);

// Resolves the program's path at user address `path` relative to `dirfd` (AT_FDCWD or an
// open directory) into an absolute path. 0 or -errno.
int64_t resolve_user_path(int dirfd, uint64_t path, char *out, size_t capacity);
// The same for a path already in LibOS memory.
int64_t resolve_path(int dirfd, const char *path, char *out, size_t capacity);

// The absolute path with every symbolic link resolved (realpath), as the kernel names a
// file in /proc. 0 or -errno.
int64_t real_path(const char *absolute, char *out, size_t capacity);

// "scheme" + absolute: "file:/etc/passwd". 0 or -ENAMETOOLONG.
int64_t make_uri(const char *scheme, const char *absolute, char *out, size_t capacity);

} // namespace libos
