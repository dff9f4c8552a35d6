// SPDX-License-Identifier: MIT
// Files the LibOS provides itself, with no host stream behind them: /dev/urandom and
// /dev/random (served from random_read), the program's generated /proc files and
// directories (procfs.h), and descriptors opened with O_PATH, which name an object
// without opening it. Their open files have no handle.
#pragma once

#include "fd_table.h"

namespace libos {

// Whether `path` (absolute, its /proc links followed) names a file the LibOS opens itself.
bool is_libos_file(const char *path);
inline bool is_libos_file(const OpenFile &file) { return file.handle == BSC_NO_HANDLE; }

// Opens it as open(2) with `flags` would: the new descriptor, or -errno.
int64_t open_libos_file(const char *path, uint64_t flags);

// An O_PATH descriptor for the object at `path` (absolute, links resolved as the open
// asked) of BSC_TYPE_* `type`: the new descriptor, or -errno.
int64_t open_path_descriptor(const char *path, uint32_t type, uint64_t flags);

// read/write at `offset` (BSC_AT_POSITION: the file's position). Random devices fill
// reads with random bytes and drop writes (as Linux does for an unprivileged writer);
// generated files read their text; O_PATH descriptors refuse (EBADF). Bytes or -errno.
int64_t libos_file_transfer(OpenFile &file, uint64_t offset, uint64_t buffer, uint64_t size,
                            bool write);
// lseek in a generated file (SEEK_SET and SEEK_CUR, as the kernel's seq_file): the new
// position or -errno.
int64_t libos_file_seek(OpenFile &file, int64_t offset, uint32_t whence);

// getdents64's source: whole bsc_dirent records of a directory, from the host stream or
// the LibOS's generated listing, and the directory's position after them.
bsc_status read_directory_records(OpenFile &dir, void *buffer, uint64_t size, uint64_t &done,
                                  uint64_t &position);

// statx's fields beyond the attributes (birth time, STATX_ATTR_* attributes, mount id,
// direct I/O alignment), asked for with `want` (BSC_DETAIL_* bits) beside the attributes
// of the same object: the host's file system's answer, or only the basic fields for the
// LibOS's own objects.
struct Details {
    uint32_t want;
    bsc_stream_details found;
};

// The attributes of any open file, the LibOS's own or a host stream (and its `details`
// when asked): 0 or -errno.
int64_t file_attributes(const OpenFile &file, bsc_stream_attributes &attributes,
                        Details *details = nullptr);

// The attributes of the object at `path` (absolute, /proc links followed as asked): the
// LibOS's /proc nodes as procfs shows them, anything else from the host. 0 or -errno.
int64_t path_attributes(const char *path, bool follow, bsc_stream_attributes &attributes,
                        Details *details = nullptr);

// sys/paths.cpp: the ABI's access bits and open options for open(2)'s `flags`, and a
// stream an open made, installed as a new descriptor with what of `flags` an open file
// keeps (`path`: what it goes by, or null). The descriptor, or -EMFILE.
uint32_t access_of(uint64_t flags);
uint32_t options_of(uint64_t flags);
int install_opened(bsc_handle handle, uint64_t flags, uint32_t type, const char *path);

} // namespace libos
