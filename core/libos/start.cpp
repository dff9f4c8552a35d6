// SPDX-License-Identifier: MIT
// The LibOS's upcalls: start-up (arguments, standard streams, then the program), thread
// start, and exceptions, where trapped system calls arrive.
#include <asm-generic/errno.h>
#include <stdarg.h>

#include "exec.h"
#include "fd_table.h"
#include "format.h"
#include "kernel.h"
#include "paths.h"
#include "process_tree.h"
#include "signals.h"
#include "syscall_sites.h"
#include "syscalls.h"
#include "thread.h"
#include "timestamp.h"

namespace libos {
namespace {

const bsc_downcalls *table;
const bsc_start_info *info;
bool verbose_flag, strace_flag;

void vlog(const char *format, va_list args) {
    char line[512];
    size_t n = freestanding::format(line, sizeof line - 1, "bascule-libos: ");
    struct Cursor {
        char *at, *end;
    } cursor{line + n, line + sizeof line - 2};
    freestanding::Sink sink{[](void *context, const char *data, size_t size) {
                                auto &c = *static_cast<Cursor *>(context);
                                for (; size-- && c.at < c.end; c.at++)
                                    *c.at = *data++;
                            },
                            &cursor};
    freestanding::vformat(sink, format, args);
    *cursor.at++ = '\n';
    table->debug_print(line, cursor.at - line);
}

// The LibOS's own arguments: [--verbose] [--strace] [--syscall-path=trap|patch] --
// PROGRAM_PATH ARGV0 ARGS...
[[noreturn]] void on_start(const bsc_downcalls *abi, const bsc_start_info *start) {
    table = abi;
    info = start;
    auto **argv = reinterpret_cast<char **>(start->argv);
    uint64_t i = 1;
    for (; i < start->argc && !freestanding::equal(argv[i], "--"); i++)
        if (freestanding::equal(argv[i], "--verbose"))
            verbose_flag = true;
        else if (freestanding::equal(argv[i], "--strace"))
            strace_flag = true;
        else if (freestanding::equal(argv[i], "--syscall-path=trap"))
            set_syscall_path_trap();
        else if (!freestanding::equal(argv[i], "--syscall-path=patch"))
            panic("unknown option %s", argv[i]);
    if (i + 2 > start->argc)
        panic("usage: libos [--verbose] [--strace] [--syscall-path=trap|patch] -- PROGRAM "
              "ARGV0 [ARGS...]");
    initialise_process_tree();
    initialise_main_thread();
    initialise_fd_table(start->stdio);
    initialise_cwd(reinterpret_cast<const char *>(start->working_directory));
    const char *program = argv[i + 1];
    int64_t error = exec_program(program, nullptr, argv + i + 2,
                                 reinterpret_cast<char **>(start->envp), [] {});
    // As a shell reports a program it cannot run: 127 if it is missing, else 126.
    log("%s: cannot run it (errno %ld)", program, -error);
    exit_process(error == -ENOENT || error == -ENOTDIR ? 127 : 126);
}

[[noreturn]] void on_thread_start(uint64_t argument) { start_thread(argument); }

[[noreturn]] void on_exception(bsc_exception *exception) {
    bsc_cpu_context &context = exception->context;
    if (exception->kind == BSC_EXCEPTION_SYSCALL) {
        int64_t number = static_cast<int64_t>(context.rax);
        bool trapped = exception->address == 0;
        uint64_t site = context.rip - 2, fs = context.fs_base; // before the call changes them
        handle_syscall(context, !trapped);
        // A site that trapped is rewritten where that is safe, so that its next call is not;
        // after an exec the address means nothing.
        if (trapped && number != __NR_execve && number != __NR_execveat)
            patch_trapped_site(site, fs);
        // rt_sigreturn resumes a context rather than ending a call (the kernel's orig_ax -1).
        deliver_pending_signals(context, number == __NR_rt_sigreturn ? kNoSyscall : number);
    } else if (exception->kind != BSC_EXCEPTION_TIMESTAMP || !emulate_timestamp(*exception)) {
        deliver_exception(*exception);
    }
    resume_after_exception(context);
}

} // namespace

const bsc_downcalls &abi() { return *table; }
const bsc_start_info &start_info() { return *info; }
bool verbose() { return verbose_flag; }
bool strace() { return strace_flag; }

void log(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vlog(format, args);
    va_end(args);
}

void panic(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vlog(format, args);
    va_end(args);
    table->process_exit(-6);
    __builtin_trap();
}

} // namespace libos

extern "C" __attribute__((visibility("default"))) const bsc_upcalls bascule_guest_upcalls = {
    .size = sizeof(bsc_upcalls),
    .version = BSC_ABI_VERSION,
    .start = libos::on_start,
    .thread_start = libos::on_thread_start,
    .exception = libos::on_exception,
};
