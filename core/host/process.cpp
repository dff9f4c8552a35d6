// SPDX-License-Identifier: MIT
// Process lifetime and the system: process_create (a new runtime), process handles
// (wait, signal, open), process_exec, process_exit, system_info_query and debug_print.
// process_fork is in fork.cpp.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "bascule_host.h"
#include "clock.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "tcb.h"
#include "objects.h"
#include "threads.h"
#include "window.h"

extern char **environ;

namespace bsc::host {
namespace {

constexpr size_t kMaxArguments = 4096;
constexpr size_t kMaxArgumentLength = 128 * 1024;     // Linux's MAX_ARG_STRLEN
constexpr size_t kMaxArgumentBytes = 2 * 1024 * 1024; // all of them, like Linux's default
constexpr uint32_t kMaxInherit = 1024;

std::atomic<ExitHook> exit_hook{nullptr};
std::mutex command_mutex;
std::vector<std::string> command_prefix;

// A child runtime. Its descriptor is a pidfd, which poll() reports readable once the
// child has exited, so objects_wait_any sees the exit as BSC_WAIT_READ.
// A process. The handle that made it (process_create, process_fork) owns it: closing that
// one reaps it if it has ended, so that no zombie is left; a handle process_open gave
// never reaps (its parent may be about to wait for it).
struct Process : Object {
    Process(int pidfd, pid_t pid, bool owner)
        : Object(BSC_TYPE_PROCESS, pidfd, "process:" + std::to_string(pid)), pid(pid),
          owner(owner) {}
    ~Process() override {
        siginfo_t info;
        if (owner)
            ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &info, WEXITED | WNOHANG);
    }
    const pid_t pid;
    const bool owner;
};

// posix_spawn's two argument objects, destroyed on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attributes);
    }
};

bsc_status read_arguments(const char *const *argv, std::vector<std::string> &out) {
    size_t total = 0;
    for (size_t i = 0;; i++) {
        if (i == kMaxArguments)
            return BSC_E_TOO_BIG;
        const char *argument;
        if (read_guest(argv + i, argument) != BSC_OK)
            return BSC_E_FAULT;
        if (argument == nullptr)
            break;
        std::string text;
        if (bsc_status s = read_guest_string(argument, text, kMaxArgumentLength))
            return s == BSC_E_NAME_TOO_LONG ? BSC_E_TOO_BIG : s;
        total += text.size() + 1;
        if (total > kMaxArgumentBytes)
            return BSC_E_TOO_BIG;
        out.push_back(std::move(text));
    }
    return out.empty() ? BSC_E_INVALID : BSC_OK;
}

bsc_status inherited_descriptors(const bsc_handle *inherit, uint32_t count,
                                 std::vector<std::shared_ptr<Object>> &out) {
    if (count > kMaxInherit)
        return BSC_E_INVALID;
    std::vector<bsc_handle> numbers(count);
    if (copy_from_guest(numbers.data(), inherit, count * sizeof(bsc_handle)) != BSC_OK)
        return BSC_E_FAULT;
    for (bsc_handle handle : numbers) {
        auto stream = find_stream(handle);
        if (!stream)
            return BSC_E_BAD_HANDLE;
        out.push_back(std::move(stream));
    }
    return BSC_OK;
}

// Starts `arguments` with streams[i] as its descriptor i, /dev/null for any of 0-2 not
// given, a clean signal state and no other descriptor.
bsc_status spawn(const std::vector<std::string> &arguments,
                 const std::vector<std::shared_ptr<Object>> &streams, pid_t &pid) {
    SpawnSetup setup;
    // Each source first moves above every target number, so no dup2 overwrites a source
    // still to come, and none is a no-op dup2 onto itself that would keep FD_CLOEXEC.
    int floor = std::max<int>(3, static_cast<int>(streams.size()));
    std::vector<UniqueFd> sources;
    for (size_t i = 0; i < streams.size(); i++) {
        sources.emplace_back(::fcntl(streams[i]->fd, F_DUPFD_CLOEXEC, floor));
        if (!sources.back())
            return errno_status();
        ::posix_spawn_file_actions_adddup2(&setup.actions, sources.back().get(),
                                           static_cast<int>(i));
    }
    for (int i = static_cast<int>(streams.size()); i < 3; i++)
        ::posix_spawn_file_actions_addopen(&setup.actions, i, "/dev/null", O_RDWR, 0);
    // Descriptors the runtime itself inherited without close-on-exec stay behind too.
    ::posix_spawn_file_actions_addclosefrom_np(&setup.actions, floor);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    ::posix_spawnattr_setsigmask(&setup.attributes, &none);
    ::posix_spawnattr_setsigdefault(&setup.attributes, &all);
    ::posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char *> argv;
    for (const std::string &argument : arguments)
        argv.push_back(const_cast<char *>(argument.c_str()));
    argv.push_back(nullptr);
    // The new program keeps the thread's rdtsc trap (PR_SET_TSC survives execve), and its
    // dynamic loader reads the counter first thing.
    allow_timestamp_in_host(current_tcb());
    int error =
        ::posix_spawn(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), environ);
    return status_from_errno(error);
}

// Copies a NUL-terminated string into a fixed field, cut short if it must be.
void copy_field(char *to, size_t size, const char *from) {
    size_t length = ::strnlen(from, size - 1);
    std::memcpy(to, from, length);
    to[length] = '\0';
}

uint32_t cpu_count() {
    for (int cpus = 1024; cpus <= 1 << 20; cpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        size_t size = CPU_ALLOC_SIZE(cpus);
        int ok = ::sched_getaffinity(0, size, set);
        int count = ok == 0 ? CPU_COUNT_S(size, set) : 0;
        CPU_FREE(set);
        if (ok == 0)
            return static_cast<uint32_t>(count);
        if (errno != EINVAL) // EINVAL: the set is smaller than the kernel's
            break;
    }
    return static_cast<uint32_t>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
}

[[noreturn]] void exit_group(int status) {
    ::syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

} // namespace

void set_exit_hook(ExitHook hook) { exit_hook.store(hook); }

bsc_status publish_process(pid_t pid, bool owner, bsc_handle *out) {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status();
    return publish(std::make_shared<Process>(pidfd.release(), pid, owner), out);
}

void set_process_command(std::vector<std::string> prefix) {
    std::lock_guard lock(command_mutex);
    command_prefix = std::move(prefix);
}

} // namespace bsc::host

using namespace bsc;
using namespace bsc::host;

extern "C" bsc_status host_process_create(const char *const *argv, const bsc_handle *inherit,
                                          uint32_t inherit_count, bsc_handle *process) {
    if (bsc_status s = probe_out(process))
        return s;
    std::vector<std::string> guest_arguments;
    if (bsc_status s = read_arguments(argv, guest_arguments))
        return s;
    std::vector<std::shared_ptr<Object>> streams;
    if (bsc_status s = inherited_descriptors(inherit, inherit_count, streams))
        return s;
    std::vector<std::string> arguments;
    {
        std::lock_guard lock(command_mutex);
        arguments = command_prefix;
    }
    if (arguments.empty())
        return BSC_E_NOT_SUPPORTED;
    arguments.push_back("--");
    arguments.insert(arguments.end(), guest_arguments.begin(), guest_arguments.end());
    pid_t pid;
    if (bsc_status s = spawn(arguments, streams, pid))
        return s;
    // The child is not reaped before this (nothing waits for it), so its pid still names it.
    bsc_status status = publish_process(pid, true, process);
    if (status != BSC_OK) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    return status;
}

namespace {

uint32_t state_kind(int code) {
    switch (code) {
    case CLD_EXITED: return BSC_PROCESS_EXITED;
    case CLD_KILLED: return BSC_PROCESS_KILLED;
    case CLD_DUMPED: return BSC_PROCESS_DUMPED;
    case CLD_STOPPED:
    case CLD_TRAPPED: return BSC_PROCESS_STOPPED;
    default: return BSC_PROCESS_CONTINUED;
    }
}

int64_t nanoseconds_of(const timeval &t) {
    return int64_t{t.tv_sec} * 1000000000 + int64_t{t.tv_usec} * 1000;
}

// waitid on a pidfd, whose wait an interrupt ends; one that came before it waits still
// gets a change there is to report (as Linux looks before it waits).
long wait_for(int pidfd, siginfo_t &info, int options, rusage &usage) {
    auto info_at = reinterpret_cast<long>(&info);
    auto usage_at = reinterpret_cast<long>(&usage);
    if (options & WNOHANG)
        return ::syscall(SYS_waitid, P_PIDFD, pidfd, info_at, options, usage_at);
    if (blocking_syscall(SYS_waitid, P_PIDFD, pidfd, info_at, options, usage_at) == 0)
        return 0;
    if (errno != EINTR ||
        ::syscall(SYS_waitid, P_PIDFD, pidfd, info_at, options | WNOHANG, usage_at) != 0)
        return -1;
    if (info.si_pid != 0)
        return 0;
    errno = EINTR;
    return -1;
}

// What /proc/PID/stat says of the process: its main thread's state (field 3) and its
// user and system time in clock ticks (fields 14 and 15).
bool read_status(const std::string &path, bsc_process_status &status) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char text[1024];
    ssize_t n = fd ? ::read(fd.get(), text, sizeof text - 1) : -1;
    if (n <= 0)
        return false;
    text[n] = 0;
    const char *after_name = std::strrchr(text, ')'); // the name may hold anything
    char state = 0;
    unsigned long user = 0, system = 0;
    if (!after_name || std::sscanf(after_name + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                   &state, &user, &system) != 3)
        return false;
    switch (state) {
    case 'R': status.run_state = BSC_PROCESS_STATE_RUNNING; break;
    case 'T':
    case 't': status.run_state = BSC_PROCESS_STATE_STOPPED; break;
    case 'Z':
    case 'X': status.run_state = BSC_PROCESS_STATE_ENDED; break;
    default: status.run_state = BSC_PROCESS_STATE_SLEEPING; break; // S, D, I
    }
    static const long kTick = ::sysconf(_SC_CLK_TCK);
    status.user_ns = static_cast<int64_t>(user) * (1'000'000'000 / kTick);
    status.system_ns = static_cast<int64_t>(system) * (1'000'000'000 / kTick);
    return true;
}

} // namespace

extern "C" bsc_status host_process_wait(bsc_handle handle, uint32_t flags,
                                        bsc_process_state *state) {
    constexpr uint32_t kReports =
        BSC_PROCESS_WAIT_EXITED | BSC_PROCESS_WAIT_STOPPED | BSC_PROCESS_WAIT_CONTINUED;
    if ((flags & ~(kReports | BSC_PROCESS_WAIT_NO_HANG | BSC_PROCESS_WAIT_NO_REAP)) ||
        !(flags & kReports))
        return BSC_E_INVALID;
    if (bsc_status s = probe_out(state))
        return s;
    auto process = handles().find_as<Process>(handle);
    if (!process)
        return BSC_E_BAD_HANDLE;
    int options = (flags & BSC_PROCESS_WAIT_EXITED ? WEXITED : 0) |
                  (flags & BSC_PROCESS_WAIT_STOPPED ? WSTOPPED : 0) |
                  (flags & BSC_PROCESS_WAIT_CONTINUED ? WCONTINUED : 0) |
                  (flags & BSC_PROCESS_WAIT_NO_HANG ? WNOHANG : 0) |
                  (flags & BSC_PROCESS_WAIT_NO_REAP ? WNOWAIT : 0);
    siginfo_t info{};
    rusage usage{};
    // The system call itself: glibc's waitid has no place for the rusage.
    if (wait_for(process->fd, info, options, usage) != 0)
        return errno == EINTR ? BSC_E_INTERRUPTED : errno == ECHILD ? BSC_E_NOT_FOUND
                                                                    : errno_status();
    bsc_process_state out{};
    if (info.si_pid != 0) {
        out.kind = state_kind(info.si_code);
        out.code = info.si_status;
        out.user_ns = nanoseconds_of(usage.ru_utime);
        out.system_ns = nanoseconds_of(usage.ru_stime);
    }
    return write_guest(state, out);
}

extern "C" bsc_status host_process_signal(bsc_handle handle, uint32_t action) {
    int sig;
    switch (action) {
    case BSC_PROCESS_INTERRUPT: sig = kInterruptSignal; break;
    case BSC_PROCESS_STOP: sig = SIGSTOP; break;
    case BSC_PROCESS_CONTINUE: sig = SIGCONT; break;
    case BSC_PROCESS_KILL: sig = SIGKILL; break;
    default: return BSC_E_INVALID;
    }
    auto process = handles().find_as<Process>(handle);
    if (!process)
        return BSC_E_BAD_HANDLE;
    // A continue is marked as the runtime's, so that the process does not also report it
    // as a signal from outside the guest (process_signals_take).
    siginfo_t info = runtime_siginfo(sig);
    if (::syscall(SYS_pidfd_send_signal, process->fd, sig, sig == SIGCONT ? &info : nullptr, 0) != 0)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status();
    return BSC_OK;
}

extern "C" bsc_status host_process_status_query(bsc_handle handle, bsc_process_status *status) {
    if (bsc_status s = probe_out(status))
        return s;
    auto process = handles().find_as<Process>(handle);
    bsc_process_status out{};
    if (!process) {
        // Since 1.17, a thread of the calling process: that thread's own state and time.
        pid_t tid = 0;
        if (bsc_status s = host_tid_of(handle, tid))
            return s;
        if (!read_status("/proc/self/task/" + std::to_string(tid) + "/stat", out))
            return BSC_E_NOT_FOUND;
        return write_guest(status, out);
    }
    bool read = read_status("/proc/" + std::to_string(process->pid) + "/stat", out);
    // Still the same process (the pidfd says): its pid was not reused for what was read.
    // EPERM (a caller that may not signal it, after a setuid) says it lives all the same.
    bool alive = ::syscall(SYS_pidfd_send_signal, process->fd, 0, nullptr, 0) == 0 ||
                 errno == EPERM;
    if (!alive || !read)
        return BSC_E_NOT_FOUND;
    return write_guest(status, out);
}

extern "C" bsc_status host_process_open(uint64_t id, bsc_handle *process) {
    if (bsc_status s = probe_out(process))
        return s;
    if (id > static_cast<uint64_t>(INT32_MAX))
        return BSC_E_NOT_FOUND;
    return publish_process(id == 0 ? ::getpid() : static_cast<pid_t>(id), false, process);
}

namespace bsc::host {

bool pid_of_process(bsc_handle handle, pid_t &pid) {
    auto process = handles().find_as<Process>(handle);
    if (process)
        pid = process->pid;
    return process != nullptr;
}

} // namespace bsc::host

extern "C" bsc_status host_process_id_query(uint64_t *id) {
    return write_guest(id, static_cast<uint64_t>(::getpid()));
}

namespace {

// Copies between the caller's guest memory and another process's, a piece at a time
// through a buffer of the host's: the caller's side is guest memory, which a fault must
// not reach. `*done` is what was copied before an unreachable page.
bsc_status copy_with_process(bsc_handle handle, uint64_t addr, void *buffer, uint64_t size,
                             uint64_t *done, bool to_process) {
    if (bsc_status s = probe_out(done))
        return s;
    auto process = handles().find_as<Process>(handle);
    if (!process)
        return BSC_E_BAD_HANDLE;
    std::vector<char> piece(std::min<uint64_t>(size, 64 * 1024));
    uint64_t copied = 0;
    while (copied < size) {
        uint64_t want = std::min<uint64_t>(size - copied, piece.size());
        char *ours = static_cast<char *>(buffer) + copied;
        if (to_process)
            if (bsc_status s = copy_from_guest(piece.data(), ours, want))
                return s;
        iovec local{piece.data(), want};
        iovec remote{reinterpret_cast<void *>(addr + copied), want};
        ssize_t n = to_process ? ::process_vm_writev(process->pid, &local, 1, &remote, 1, 0)
                               : ::process_vm_readv(process->pid, &local, 1, &remote, 1, 0);
        if (n < 0 && errno == ESRCH)
            return BSC_E_NOT_FOUND;
        // The host's ptrace check refused (the caller changed user): before any byte moves.
        if (n < 0 && (errno == EPERM || errno == EACCES) && copied == 0)
            return BSC_E_NOT_PERMITTED;
        if (n <= 0)
            break;
        if (!to_process)
            if (bsc_status s = copy_to_guest(ours, piece.data(), static_cast<uint64_t>(n)))
                return s;
        copied += static_cast<uint64_t>(n);
        if (static_cast<uint64_t>(n) < want)
            break;
    }
    return write_guest(done, copied);
}

} // namespace

extern "C" bsc_status host_process_memory_read(bsc_handle handle, uint64_t addr, void *buffer,
                                               uint64_t size, uint64_t *done) {
    return copy_with_process(handle, addr, buffer, size, done, false);
}

extern "C" bsc_status host_process_memory_write(bsc_handle handle, uint64_t addr,
                                                const void *buffer, uint64_t size,
                                                uint64_t *done) {
    return copy_with_process(handle, addr, const_cast<void *>(buffer), size, done, true);
}

// The arguments are for the extensions (trace shows them); the host needs only the name.
extern "C" bsc_status host_process_exec(const char *path, const char *const *) {
    std::string text;
    if (bsc_status s = read_guest_string(path, text, PATH_MAX))
        return s;
    // The host process shows the guest's program by name (ps, top, /proc/PID/comm).
    std::string name = text.substr(text.find_last_of('/') + 1);
    ::prctl(PR_SET_NAME, name.c_str());
    return BSC_OK;
}

extern "C" bsc_status host_process_exit(int32_t status) {
    if (ExitHook hook = exit_hook.load())
        hook(status);
    int64_t signal = -int64_t{status};
    if (signal >= 1 && signal < NSIG)
        terminate_by_signal(static_cast<int>(signal)); // exits with 128 + signal if it survives
    if (status < 0)
        exit_group(static_cast<int>((128 + signal) & 0xff)); // no such signal
    exit_group(status & 0xff); // what a parent sees of an exit status, as on Linux
}

extern "C" bsc_status host_system_info_query(bsc_system_info *info) {
    bsc_system_info out{};
    out.cpu_count = cpu_count();
    out.page_size = static_cast<uint32_t>(::sysconf(_SC_PAGESIZE));
    struct sysinfo si {};
    if (::sysinfo(&si) == 0) {
        out.memory_total = uint64_t{si.totalram} * si.mem_unit;
        out.memory_free = uint64_t{si.freeram} * si.mem_unit;
    }
    out.uptime_ns = static_cast<uint64_t>(clock_now(CLOCK_BOOTTIME));
    out.window_base = kWindowBase;
    out.window_size = kWindowSize;
    out.user_id = ::getuid();
    out.group_id = ::getgid();
    out.file_mode_mask = creator_file_mode_mask();
    utsname names;
    if (::uname(&names) == 0) {
        copy_field(out.host_name, sizeof out.host_name, names.nodename);
        copy_field(out.os_release, sizeof out.os_release, names.release);
        copy_field(out.machine, sizeof out.machine, names.machine);
    }
    return write_guest(info, out);
}

extern "C" bsc_status host_system_load_query(bsc_system_load *load) {
    bsc_system_load out{};
    struct sysinfo si {};
    if (::sysinfo(&si) == 0) {
        for (int i = 0; i < 3; i++)
            out.loads[i] = si.loads[i];
        out.memory_shared = uint64_t{si.sharedram} * si.mem_unit;
        out.memory_buffers = uint64_t{si.bufferram} * si.mem_unit;
        out.swap_total = uint64_t{si.totalswap} * si.mem_unit;
        out.swap_free = uint64_t{si.freeswap} * si.mem_unit;
        out.high_total = uint64_t{si.totalhigh} * si.mem_unit;
        out.high_free = uint64_t{si.freehigh} * si.mem_unit;
        out.tasks = si.procs;
    }
    return write_guest(load, out);
}

extern "C" bsc_status host_debug_print(const char *text, uint64_t length) {
    // The guest's text goes straight to the kernel (EFAULT for a bad pointer).
    while (length > 0) {
        ssize_t n = ::write(STDERR_FILENO, text, std::min(length, kMaxTransfer));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_status();
        text += n;
        length -= static_cast<uint64_t>(n);
    }
    return BSC_OK;
}
