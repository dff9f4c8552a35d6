// SPDX-License-Identifier: MIT
// Starting a program: mapping it and its interpreter, the initial stack and auxiliary
// vector (with the vDSO, vdso.h), and the jump to its entry point.
#pragma once

namespace libos {

// Runs the program at `path` with argv and envp (NULL-terminated arrays in LibOS
// memory). Does not return; a program that cannot be started ends the process with
// status 127 (not found) or 126 (cannot execute), as a shell would report it.
[[noreturn]] void exec_program(const char *path, char **argv, char **envp);

// The absolute path of the running program (/proc/self/exe).
const char *program_path();

} // namespace libos
