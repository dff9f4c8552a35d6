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
// The process's root directory (chroot), a full path in the guest's path space: "/" at
// first. get_root: its length, or -ERANGE.
int64_t get_root(char *out, size_t capacity);
void set_root(const char *absolute);
// Linux holds the working directory and the root by reference, the LibOS by name: a
// directory the process renames (or exchanges, with `exchanged`) takes them along to its
// new name. holds_directory: whether the full path `path` is either of them or one of
// their ancestors. A rename by another process, or by a name that a symbolic link leads
// through, is not seen.
bool holds_directory(const char *path);
void directory_renamed(const char *from, const char *to, bool exchanged);
// How the process sees the full `path` from its root, as the kernel's d_path shows it: the
// part below the root, or for a path outside it `outside` ("(unreachable)" for getcwd, ""
// for a /proc link) followed by the whole path. Its length, or -ERANGE.
int64_t path_from_root(const char *path, char *out, size_t capacity, const char *outside);

// The program's umask: at first the runtime's creator's (bsc_system_info), then what
// umask(2) sets. Applied by the LibOS alone: the host creates with the exact mode given.
uint32_t file_mode_mask();
// Sets it (mask & 0777) and returns the previous one.
uint32_t exchange_file_mode_mask(uint32_t mask);

// Resolves the program's path at user address `path` relative to `dirfd` (AT_FDCWD or an
// open directory) into an absolute path. 0 or -errno. With `real_prefix`, also how many
// leading bytes of it are a real path already (the working directory's, an open
// directory's, or a prefix walked for a "." or ".."), for real_path to start after.
// An absolute path starts at the process's root, and ".." does not climb above it. Under
// a chroot every link on the way is resolved here, the last one only with `follow`
// (without a chroot the host follows links, as it must for the last one anyway).
// `resolve`: openat2's RESOLVE_* rules (linux/openat2.h), under which the LibOS walks
// every link too: EXDEV, ELOOP as the kernel gives them (RESOLVE_CACHED changes nothing:
// a lookup may always be done in full).
int64_t resolve_user_path(int dirfd, uint64_t path, char *out, size_t capacity,
                          size_t *real_prefix = nullptr, bool follow = false,
                          uint64_t resolve = 0);
// The same for a path already in LibOS memory.
int64_t resolve_path(int dirfd, const char *path, char *out, size_t capacity,
                     size_t *real_prefix = nullptr, bool follow = false, uint64_t resolve = 0);

// The absolute path with every symbolic link resolved (realpath), as the kernel names a
// file in /proc; its first `real_prefix` bytes are taken as resolved already (they end
// at a component). An absolute link text starts at the process's root. `how`: with
// kRealKeepLast the last component is not looked at (a link there stays), with
// kRealMissingLast a last component not found is kept as named. 0 or -errno.
inline constexpr uint32_t kRealKeepLast = 1, kRealMissingLast = 2;
int64_t real_path(const char *absolute, char *out, size_t capacity, size_t real_prefix = 1,
                  uint32_t how = 0);

// Whether the calling thread may access a file with `a` in `mode` (R_OK, W_OK, X_OK
// bits), as the kernel checks it for access(2) with the real ids (`real_ids`) or for
// faccessat's AT_EACCESS, a path's search and exec with the file-system ids: 0 or -EACCES.
int64_t check_access(const bsc_stream_attributes &a, uint64_t mode, bool real_ids);

// sys/paths.cpp: the file: URI of the object the program's (dirfd, path) at `user_path`
// names, resolved as every path-taking call resolves it (the LibOS's /proc links followed
// on the way, and at the end with `follow`; the host's links are the host's to follow).
// 0 or -errno.
int64_t user_path_uri(int dirfd, uint64_t user_path, bool follow, char *uri, size_t capacity);

// "scheme" + absolute: "file:/etc/passwd". 0 or -ENAMETOOLONG.
int64_t make_uri(const char *scheme, const char *absolute, char *out, size_t capacity);

} // namespace libos
