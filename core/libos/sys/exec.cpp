// SPDX-License-Identifier: MIT
// execve and execveat: the LibOS loads the new program in place (exec.h), in the same
// process: the same pid, the descriptors without close-on-exec kept, caught signals back
// to their default actions, the other threads ended, the old program's memory given back.
// A program that cannot run (missing, not executable, not ELF nor a script) is refused
// before anything changes, with execve's errno.
#include <asm-generic/errno.h>
#include <linux/fcntl.h>
#include <linux/resource.h>

#include "exec.h"
#include "fd_table.h"
#include "fork.h"
#include "format.h"
#include "futex.h"
#include "heap.h"
#include "memory.h"
#include "namespaces.h"
#include "paths.h"
#include "process_state.h"
#include "process_tree.h"
#include "procfs.h"
#include "signals.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

// Linux's limits: one string (MAX_ARG_STRLEN), and all of them with their pointers
// (bprm_stack_limits: a quarter of RLIMIT_STACK, at most 6 MiB, at least ARG_MAX).
constexpr uint64_t kMaxStringLength = 128 * 1024;

uint64_t argument_budget() {
    constexpr uint64_t kMost = (uint64_t{8} << 20) / 4 * 3, kLeast = 32 * 4096;
    uint64_t quarter = soft_limit(RLIMIT_STACK) / 4;
    uint64_t budget = quarter < kMost ? quarter : kMost;
    return budget > kLeast ? budget : kLeast;
}

// The strings of a NULL-terminated array in the program's memory, copied into the
// LibOS's (they must outlive the program's memory). A successful exec never returns to
// release them: the new program's stack holds copies, and these few pages stay.
struct StringList {
    char **items = nullptr;
    uint64_t count = 0;

    ~StringList() {
        if (!items)
            return;
        for (uint64_t i = 0; i < count; i++)
            release(items[i], strlen(items[i]) + 1);
        release(items, (count + 1) * sizeof(char *));
    }
};

// Copies the array at `address` (null: none) into `list`, within `budget` bytes: 0,
// -EFAULT or -E2BIG.
int64_t copy_strings(uint64_t address, StringList &list, uint64_t &budget, char *scratch) {
    uint64_t count = 0;
    for (uint64_t pointer = 1; address; count++) {
        if (!get_user(address + count * 8, pointer))
            return -EFAULT;
        if (!pointer)
            break;
        if ((count + 1) * 8 > budget)
            return -E2BIG;
    }
    list.items = static_cast<char **>(allocate((count + 1) * sizeof(char *)));
    for (; list.count < count; list.count++) {
        uint64_t pointer;
        if (!get_user(address + list.count * 8, pointer))
            return -EFAULT;
        int64_t length = string_from_user(scratch, pointer, kMaxStringLength + 1);
        if (length < 0)
            return length == -ENAMETOOLONG ? -E2BIG : length;
        if (static_cast<uint64_t>(length) >= kMaxStringLength ||
            static_cast<uint64_t>(length) + 1 + 8 > budget)
            return -E2BIG;
        budget -= static_cast<uint64_t>(length) + 1 + 8;
        char *copy = static_cast<char *>(allocate(static_cast<uint64_t>(length) + 1));
        memcpy(copy, scratch, static_cast<uint64_t>(length) + 1);
        list.items[list.count] = copy;
    }
    list.items[count] = nullptr;
    return 0;
}

// An empty argv becomes {""}, as Linux (since 5.18) gives the new program an empty
// argv[0] so that code which starts at argv[1] does not walk into the environment.
void give_an_empty_first_argument(StringList &list) {
    if (list.count)
        return;
    release(list.items, sizeof(char *));
    list.items = static_cast<char **>(allocate(2 * sizeof(char *)));
    list.items[0] = static_cast<char *>(allocate(1));
    list.items[0][0] = '\0';
    list.items[1] = nullptr;
    list.count = 1;
}

// What the old program leaves behind at the point of no return, as Linux's exec does.
void leave_old_program() {
    end_other_threads();
    time_namespace_at_exec();
    delete_posix_timers();
    Thread &self = current_thread();
    release_robust_futexes(self); // mm_release: the robust list, then CLEARTID
    self.robust_list = 0;
    if (self.clear_child_tid && put_user(self.clear_child_tid, uint32_t{0}))
        futex_wake(self.clear_child_tid, 1);
    self.clear_child_tid = 0;
    release_vfork_parent();
    note_exec();
    close_on_exec_descriptors();
    reset_signals_for_exec();
    prctl_state_after_exec();
    forget_aio_contexts();
    keyrings_at_exec();
    release_program_memory();
}

// The file execveat runs: `path` from `dirfd`, or with AT_EMPTY_PATH and an empty path
// the file `dirfd` itself (fexecve). AT_SYMLINK_NOFOLLOW refuses a final link (ELOOP).
// `named` is what Linux calls it (bprm->filename): the path as given, or /dev/fd/N/PATH
// for one relative to a descriptor.
int64_t program_path(int dirfd, uint64_t path, uint64_t flags, char *named, char *out) {
    char given[kPathMax];
    int64_t length = string_from_user(given, path, sizeof given);
    if (length < 0)
        return length;
    bool relative = given[0] != '/' && dirfd != AT_FDCWD;
    if (length == 0 && (flags & AT_EMPTY_PATH))
        freestanding::format(named, kPathMax, "/dev/fd/%d", dirfd);
    else if (relative)
        freestanding::format(named, kPathMax, "/dev/fd/%d/%s", dirfd, given);
    else
        freestanding::copy_string(named, kPathMax, given);
    if (length == 0 && (flags & AT_EMPTY_PATH)) {
        FileRef file(dirfd);
        if (!file)
            return -EBADF;
        if (!file->path)
            return -EACCES;
        return freestanding::copy_string(out, kPathMax, file->path) ? 0 : -ENAMETOOLONG;
    }
    if (int64_t error =
            resolve_path(dirfd, given, out, kPathMax, nullptr, !(flags & AT_SYMLINK_NOFOLLOW)))
        return error;
    // The LibOS's /proc links (/proc/self/exe, /proc/PID/fd/N) lead to the guest's files,
    // not the runtime's.
    if (int64_t error = proc_follow_links(out, kPathMax, !(flags & AT_SYMLINK_NOFOLLOW)))
        return error;
    if (flags & AT_SYMLINK_NOFOLLOW) {
        char uri[kPathMax + 8];
        bsc_stream_attributes attributes{};
        if (make_uri("file:", out, uri, sizeof uri) == 0 &&
            abi().stream_attributes_query(uri, BSC_QUERY_NOFOLLOW, &attributes) == BSC_OK &&
            attributes.type == BSC_TYPE_SYMLINK)
            return -ELOOP;
    }
    return 0;
}

int64_t execute(int dirfd, uint64_t path, uint64_t argv, uint64_t envp, uint64_t flags) {
    if (flags & ~uint64_t{AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW})
        return -EINVAL;
    char named[kPathMax], absolute[kPathMax];
    if (int64_t error = program_path(dirfd, path, flags, named, absolute))
        return error;
    StringList arguments, environment;
    uint64_t budget = argument_budget();
    char *scratch = static_cast<char *>(allocate(kMaxStringLength + 1));
    int64_t error = copy_strings(argv, arguments, budget, scratch);
    if (!error)
        error = copy_strings(envp, environment, budget, scratch);
    release(scratch, kMaxStringLength + 1);
    if (error)
        return error;
    give_an_empty_first_argument(arguments);
    // Returns only if the program cannot run; else the copies are the new program's.
    return exec_program(named, absolute, arguments.items, environment.items, leave_old_program);
}

} // namespace

int64_t sys_execve(Syscall &call) {
    return execute(AT_FDCWD, call.arg[0], call.arg[1], call.arg[2], 0);
}

int64_t sys_execveat(Syscall &call) {
    return execute(static_cast<int32_t>(call.arg[0]), call.arg[1], call.arg[2], call.arg[3],
                   call.arg[4]);
}

} // namespace libos
