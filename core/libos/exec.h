// SPDX-License-Identifier: MIT
// Starting a program: mapping it and its interpreter, the initial stack and auxiliary
// vector (with the vDSO, vdso.h), and the jump to its entry point.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bascule.h"
#include "elf_image.h"

namespace libos {

// Reads exactly `size` bytes at `offset` of the stream `handle`; false on a short read.
bool read_exactly(bsc_handle handle, uint64_t offset, void *out, uint64_t size);
// An ELF reader over the open stream `*handle` (read_exactly).
inline bsc::elf::Reader elf_reader(const bsc_handle *handle) {
    return {[](void *h, uint64_t offset, void *out, uint64_t size) {
                return read_exactly(*static_cast<const bsc_handle *>(h), offset, out, size);
            },
            const_cast<bsc_handle *>(handle)};
}

// An ELF file opened through the ABI, closed when done (its mappings stay).
class ElfFile {
public:
    ~ElfFile() { close(); }
    void close();
    // Opens the file at `path` (absolute) for reading.
    bsc_status open(const char *path);
    bsc::elf::Reader reader() { return elf_reader(&handle_); }
    bsc_handle handle() const { return handle_; }

private:
    bsc_handle handle_ = BSC_NO_HANDLE;
};

// Runs the program at `path` (a script's interpreter for a "#!" script) with argv and
// envp (NULL-terminated arrays in LibOS memory). Everything that can fail is checked
// first: a program that cannot run returns the errno execve gives (ENOENT, EACCES,
// ENOEXEC, ELOOP ...) with the old program untouched. Then leave_old_program() gives up
// the old one, and the new one starts (no return).
// `path` is the program as the caller named it (what a script's interpreter and
// AT_EXECFN get); `absolute` the same resolved, or null to resolve `path`.
int64_t exec_program(const char *path, const char *absolute, char **argv, char **envp,
                     void (*leave_old_program)());

// The absolute path of the running program (/proc/self/exe).
const char *program_path();

// The auxiliary vector the running program started with, AT_NULL's pair included (the
// kernel's saved_auxv: a core file's NT_AUXV); its length in words in `words`.
const uint64_t *program_auxv(size_t &words);

} // namespace libos
