// SPDX-License-Identifier: MIT
// pidfd_open, pidfd_send_signal and pidfd_getfd: a pidfd is an object of the LibOS's own
// that keeps the process's guest pid and a host handle for it (process_open), whose
// status tells whether the process has ended (readable) or been reaped (readable and
// hung up), as Linux's pidfd_poll reports.
#include <asm-generic/errno.h>
#include <asm-generic/fcntl.h>
#include <asm-generic/poll.h>

#include "fd_table.h"
#include "heap.h"
#include "pidfd.h"
#include "poll.h"
#include "process_tree.h"
#include "procfs.h"
#include "signals.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint32_t kNonblock = O_NONBLOCK; // PIDFD_NONBLOCK
constexpr uint32_t kThread = O_EXCL;       // PIDFD_THREAD (Linux 6.9)
// pidfd_send_signal's scopes (Linux 6.9): at most one.
constexpr uint32_t kSignalThread = 1, kSignalThreadGroup = 2, kSignalProcessGroup = 4;

struct PidFd {
    int32_t pid;
    bsc_handle process;
};

PidFd &pidfd_of(OpenFile &file) { return *static_cast<PidFd *>(file.state); }

// A pidfd has no read or write (Linux's pidfs file has neither: EINVAL).
int64_t pidfd_transfer(OpenFile &, uint64_t, uint64_t, bool) { return -EINVAL; }

enum class Life { running, ended, reaped };

Life life_of(const PidFd &p) {
    bsc_process_status status{};
    if (abi().process_status_query(p.process, &status) != BSC_OK)
        return Life::reaped;
    return status.run_state == BSC_PROCESS_STATE_ENDED ? Life::ended : Life::running;
}

// Readable once the process has ended; hung up too once it is reaped. Until then the
// host handle becomes ready when the process ends.
int16_t pidfd_ready(OpenFile &file, Wakeups &wake) {
    PidFd &p = pidfd_of(file);
    switch (life_of(p)) {
    case Life::reaped: return POLLIN | POLLRDNORM | POLLHUP;
    case Life::ended: return POLLIN | POLLRDNORM;
    case Life::running: break;
    }
    make_room(wake.items, wake.count, wake.capacity, 1);
    wake.items[wake.count++] = {p.process, BSC_WAIT_READ, 0};
    return 0;
}

void pidfd_release(OpenFile &file) {
    abi().object_close(pidfd_of(file).process);
    destroy(&pidfd_of(file));
}

const FileKind kPidFd = {pidfd_transfer, nullptr, anonymous_inode_attributes, pidfd_release,
                         pidfd_ready};

// The pidfd at `fd` for the length of a call: 0, -EBADF (no descriptor, or not a pidfd).
int64_t pidfd_at(FileRef &file) {
    if (!file || file->kind != &kPidFd)
        return -EBADF;
    return 0;
}

// The signal as prepare_kill_siginfo makes it, or as the caller gave it (read as
// program_signal_info reads it): -EFAULT, -E2BIG, -EINVAL (another signal number), -EPERM
// (a code the kernel keeps for itself, kill or tkill, to another than the calling thread
// or for a scope beyond the thread group).
int64_t signal_info(uint64_t sig, uint64_t address, int32_t pid, bool beyond_group,
                    bool to_thread, SignalInfo &info) {
    info = sent_signal(sig, to_thread ? kSiTkill : kSiUser);
    if (!address)
        return 0;
    if (int64_t error = program_signal_info(address, info))
        return error;
    if (static_cast<int64_t>(info.signo) != static_cast<int64_t>(sig))
        return -EINVAL;
    if ((pid != current_tid() || beyond_group) && (info.code >= 0 || info.code == kSiTkill))
        return -EPERM;
    return 0;
}

} // namespace

int64_t open_pidfd(int32_t pid, uint32_t flags) {
    ProcessCard card;
    if (!read_card(pid, card))
        return -ESRCH;
    auto *p = create<PidFd>();
    p->pid = pid;
    // The caller's own process is host id 0: its card's may be a parent's view of it.
    uint64_t host_id = pid == current_pid() ? 0 : card.host_id;
    if (abi().process_open(host_id, &p->process) != BSC_OK) {
        destroy(p);
        return -ESRCH;
    }
    return install_anonymous(&kPidFd, p, (flags & kNonblock) | O_CLOEXEC);
}

bool is_pidfd(const OpenFile &file) { return file.kind == &kPidFd; }

int64_t pidfd_target(int fd, uint32_t &flags) {
    FileRef file(fd);
    if (int64_t error = pidfd_at(file))
        return error;
    flags = file->flags;
    return pidfd_of(*file.get()).pid;
}

// pidfd_open(pid, flags): a process of the guest, by the pid of its initial thread (the
// id of another of the caller's threads is ENOENT, as Linux 6.18 answers: no thread group
// has it).
int64_t sys_pidfd_open(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    auto flags = static_cast<uint32_t>(call.arg[1]);
    if (flags & ~(kNonblock | kThread))
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;
    if (flags & kThread) {
        report_unsupported("pidfd_open", "PIDFD_THREAD");
        return -EINVAL;
    }
    if (pid != current_pid() && is_thread_of_process(pid))
        return -ENOENT;
    return open_pidfd(pid, flags);
}

// The process pidfd_send_signal's descriptor names: a pidfd's, or the one whose /proc/PID
// directory it is open on (Linux's tgid_pidfd_to_pid; not an O_PATH one, which fdget
// refuses); -EBADF for any other file. `p` is the pidfd, or null for a directory.
int64_t signal_target(FileRef &file, int32_t &pid, PidFd *&p) {
    p = nullptr;
    if (!file)
        return -EBADF;
    if (file->kind == &kPidFd) {
        p = &pidfd_of(*file.get());
        pid = p->pid;
        return 0;
    }
    if (file->type != BSC_TYPE_DIRECTORY || !file->path || (file->flags & O_PATH))
        return -EBADF;
    pid = proc_directory_process(file->path);
    return pid > 0 ? 0 : -EBADF;
}

// pidfd_send_signal(pidfd, sig, info, flags), in Linux's order of checks.
int64_t sys_pidfd_send_signal(Syscall &call) {
    auto flags = static_cast<uint32_t>(call.arg[3]);
    constexpr uint32_t kScopes = kSignalThread | kSignalThreadGroup | kSignalProcessGroup;
    if ((flags & ~kScopes) || __builtin_popcount(flags) > 1)
        return -EINVAL;
    FileRef file(static_cast<int>(call.arg[0]));
    int32_t pid = 0;
    PidFd *p = nullptr;
    if (int64_t error = signal_target(file, pid, p))
        return error;
    auto sig = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(call.arg[1])));
    SignalInfo info;
    bool to_thread = flags == kSignalThread;
    if (int64_t error = signal_info(sig, call.arg[2], pid, flags == kSignalProcessGroup,
                                    to_thread, info))
        return error;
    if (p && life_of(*p) == Life::reaped)
        return -ESRCH; // its pid may belong to another process by now
    if (flags == kSignalProcessGroup)
        return signal_group(pid, info);
    if (to_thread)
        return pid == current_pid() ? raise_thread_signal_info(pid, info)
                                    : signal_initial_thread(pid, info);
    return signal_process(pid, info);
}

// pidfd_getfd(pidfd, fd, flags): a copy of the process's descriptor, close-on-exec. Of
// the caller's own process only: another's descriptors are host handles of its own, which
// no downcall can copy (EPERM, as when Linux's ptrace check refuses).
int64_t sys_pidfd_getfd(Syscall &call) {
    if (call.arg[2])
        return -EINVAL;
    FileRef file(static_cast<int>(call.arg[0]));
    if (int64_t error = pidfd_at(file))
        return error;
    PidFd &p = pidfd_of(*file.get());
    if (life_of(p) != Life::running)
        return -ESRCH; // reaped, or exiting with its descriptors gone
    if (p.pid != current_pid()) {
        report_unsupported("pidfd_getfd", "another process's descriptor");
        return -EPERM;
    }
    return fd_duplicate(static_cast<int>(call.arg[1]), 0, true);
}

} // namespace libos
