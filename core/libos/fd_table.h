// SPDX-License-Identifier: MIT
// The file descriptor table: descriptors name open files; dup'ed descriptors share one
// open file (and so its position and status flags), as on Linux.
#pragma once

#include "kernel.h"

namespace libos {

struct MappedFile;

struct OpenFile {
    bsc_handle handle; // BSC_NO_HANDLE for a file the LibOS provides (libos_files.h)
    uint32_t flags;  // O_ACCMODE, O_APPEND, O_NONBLOCK ... as given to open
    uint32_t type;   // BSC_TYPE_* of the object
    char *path;      // absolute path for files and directories, else null
    uint32_t refs;   // descriptors and in-flight calls using it
    MappedFile *mapped; // what its mappings show in /proc/self/maps, made by the first mmap
    char *text;         // the content of a generated file (/proc/self/maps), else null
    uint64_t text_size, position;
};

inline constexpr int kMaxFds = 1024;

// The descriptors the program may use now: below RLIMIT_NOFILE's soft limit and the
// table's size.
int fd_limit();

// Descriptors 0, 1 and 2 for the runtime's standard streams.
void initialise_fd_table(const bsc_handle stdio[3]);

// A new open file with one reference (owned by the caller until installed).
OpenFile *open_file(bsc_handle handle, uint32_t flags, uint32_t type, const char *path);

// Installs `file` at the lowest free descriptor >= lowest, taking over the caller's
// reference; the descriptor, or -EMFILE (the file is then released).
int fd_install(OpenFile *file, int lowest, bool cloexec);
// Installs at exactly `fd`, closing what was there.
int fd_install_at(OpenFile *file, int fd, bool cloexec);
int64_t fd_close(int fd);
bool fd_cloexec(int fd);
void fd_set_cloexec(int fd, bool cloexec);

// A reference to the open file behind a descriptor for the length of a call.
class FileRef {
public:
    explicit FileRef(int fd);
    ~FileRef();
    FileRef(const FileRef &) = delete;
    FileRef &operator=(const FileRef &) = delete;
    explicit operator bool() const { return file_ != nullptr; }
    OpenFile *operator->() const { return file_; }
    OpenFile *get() const { return file_; }

private:
    OpenFile *file_;
};

void file_acquire(OpenFile *file);
void file_release(OpenFile *file); // closes the handle with the last reference

} // namespace libos
