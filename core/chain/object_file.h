// SPDX-License-Identifier: MIT
// A shared object opened with dlopen, private to its owner: opening the same file twice
// gives two independent copies, each with its own global variables.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>

namespace bsc::chain {

// Why private copies: a downcall carries no context argument, so an extension keeps its
// `below` table and its options in global variables. Two instances of one extension in
// a stack (`--ext null --ext null`) must not share them, but dlopen hands out the same
// copy for the same file. So the first owner of a file opens it by its real path (which
// debuggers and /proc/self/maps show), and every further concurrent owner opens a copy
// of it in an anonymous memory file (memfd), which the dynamic linker treats as a
// different object. Copies share their dependencies (libc, libstdc++, fmt); an
// extension that relies on process-unique symbols (STB_GNU_UNIQUE) would defeat this,
// which is one more reason extensions are built with hidden visibility.
class ObjectFile {
public:
    // dlopen(RTLD_NOW | RTLD_LOCAL); throws ChainError with dlerror()'s text.
    explicit ObjectFile(std::string path);
    ~ObjectFile();
    ObjectFile(const ObjectFile &) = delete;
    ObjectFile &operator=(const ObjectFile &) = delete;

    // The address of `symbol` in this copy, or nullptr.
    void *symbol(const char *name) const;

    const std::string &path() const { return path_; }
    bool is_private_copy() const { return copy_fd_ >= 0; }

private:
    std::string path_;
    std::pair<dev_t, ino_t> id_;
    int copy_fd_ = -1; // the memfd of a private copy, open as long as it is loaded
    void *handle_ = nullptr;
};

} // namespace bsc::chain
