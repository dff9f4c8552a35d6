// SPDX-License-Identifier: MIT
// Process and identity system calls: exit, ids, uname, limits, resource usage, the
// per-thread registrations glibc makes at start-up, and getrandom.
#include <asm-generic/errno.h>
#include <asm/prctl.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/utsname.h>

#include "syscalls.h"
#include "thread.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int64_t kParentPid = 1; // see kPid

bsc_system_info system() {
    bsc_system_info info{};
    abi().system_info_query(&info);
    return info;
}

struct Limit {
    uint64_t current, maximum;
};

constexpr uint64_t kInfinity = ~uint64_t{0};
Limit limits[RLIM_NLIMITS] = {
    [RLIMIT_CPU] = {kInfinity, kInfinity},     [RLIMIT_FSIZE] = {kInfinity, kInfinity},
    [RLIMIT_DATA] = {kInfinity, kInfinity},    [RLIMIT_STACK] = {8 << 20, kInfinity},
    [RLIMIT_CORE] = {0, kInfinity},            [RLIMIT_RSS] = {kInfinity, kInfinity},
    [RLIMIT_NPROC] = {4096, 4096},             [RLIMIT_NOFILE] = {1024, 1024},
    [RLIMIT_MEMLOCK] = {8 << 20, 8 << 20},     [RLIMIT_AS] = {kInfinity, kInfinity},
    [RLIMIT_LOCKS] = {kInfinity, kInfinity},   [RLIMIT_SIGPENDING] = {4096, 4096},
    [RLIMIT_MSGQUEUE] = {819200, 819200},      [RLIMIT_NICE] = {0, 0},
    [RLIMIT_RTPRIO] = {0, 0},                  [RLIMIT_RTTIME] = {kInfinity, kInfinity},
};

int64_t ok_if(bool copied) { return copied ? 0 : -EFAULT; }

} // namespace

int64_t sys_exit(Syscall &call) {
    // Single-threaded for now: the last thread's exit ends the process.
    abi().process_exit(static_cast<int32_t>(call.arg[0] & 0xff));
    return 0;
}

int64_t sys_exit_group(Syscall &call) { return sys_exit(call); }

int64_t sys_getpid(Syscall &) { return kPid; }
int64_t sys_getppid(Syscall &) { return kParentPid; }
int64_t sys_gettid(Syscall &) { return current_thread().tid + kPid - 1; }
int64_t sys_getuid(Syscall &) { return system().user_id; }
int64_t sys_geteuid(Syscall &) { return system().user_id; }
int64_t sys_getgid(Syscall &) { return system().group_id; }
int64_t sys_getegid(Syscall &) { return system().group_id; }
int64_t sys_getpgrp(Syscall &) { return kPid; }
int64_t sys_getpgid(Syscall &) { return kPid; }
int64_t sys_getsid(Syscall &) { return kParentPid; }
int64_t sys_setpgid(Syscall &) { return 0; }

int64_t sys_getresuid(Syscall &call) {
    uint32_t id = system().user_id;
    return ok_if(put_user(call.arg[0], id) && put_user(call.arg[1], id) &&
                 put_user(call.arg[2], id));
}

int64_t sys_getresgid(Syscall &call) {
    uint32_t id = system().group_id;
    return ok_if(put_user(call.arg[0], id) && put_user(call.arg[1], id) &&
                 put_user(call.arg[2], id));
}

int64_t sys_uname(Syscall &call) {
    bsc_system_info info = system();
    new_utsname names{};
    freestanding::copy_string(names.sysname, sizeof names.sysname, "Linux");
    freestanding::copy_string(names.nodename, sizeof names.nodename, info.host_name);
    freestanding::copy_string(names.release, sizeof names.release, info.os_release);
    freestanding::copy_string(names.version, sizeof names.version, "#1 SMP bascule");
    freestanding::copy_string(names.machine, sizeof names.machine, info.machine);
    freestanding::copy_string(names.domainname, sizeof names.domainname, "(none)");
    return ok_if(put_user(call.arg[0], names));
}

int64_t sys_prlimit64(Syscall &call) {
    uint64_t pid = call.arg[0], resource = call.arg[1];
    if (pid != 0 && pid != static_cast<uint64_t>(kPid))
        return -ESRCH;
    if (resource >= RLIM_NLIMITS)
        return -EINVAL;
    Limit old = limits[resource];
    if (call.arg[2]) {
        Limit wanted;
        if (!get_user(call.arg[2], wanted))
            return -EFAULT;
        if (wanted.current > wanted.maximum)
            return -EINVAL;
        if (wanted.maximum > old.maximum)
            return -EPERM;
        limits[resource] = wanted;
    }
    return call.arg[3] ? ok_if(put_user(call.arg[3], old)) : 0;
}

int64_t sys_getrlimit(Syscall &call) {
    Syscall as_prlimit{{0, call.arg[0], 0, call.arg[1], 0, 0}, call.context};
    return sys_prlimit64(as_prlimit);
}

int64_t sys_setrlimit(Syscall &call) {
    Syscall as_prlimit{{0, call.arg[0], call.arg[1], 0, 0, 0}, call.context};
    return sys_prlimit64(as_prlimit);
}

int64_t sys_sysinfo(Syscall &call) {
    bsc_system_info info = system();
    struct sysinfo out {};
    out.uptime = static_cast<long>(info.uptime_ns / 1000000000);
    out.totalram = info.memory_total;
    out.freeram = info.memory_free;
    out.procs = 1;
    out.mem_unit = 1;
    return ok_if(put_user(call.arg[0], out));
}

int64_t sys_getrusage(Syscall &call) {
    int64_t who = static_cast<int32_t>(call.arg[0]);
    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -EINVAL;
    // There are no child processes yet: they used nothing.
    int64_t cpu = who == RUSAGE_CHILDREN ? 0
                  : clock_now(who == RUSAGE_THREAD ? BSC_CLOCK_THREAD_CPU : BSC_CLOCK_PROCESS_CPU);
    rusage usage{};
    usage.ru_utime.tv_sec = cpu / 1000000000;
    usage.ru_utime.tv_usec = cpu % 1000000000 / 1000;
    return ok_if(put_user(call.arg[1], usage));
}

int64_t sys_arch_prctl(Syscall &call) {
    switch (call.arg[0]) {
    case ARCH_SET_FS:
        // The program's %fs is in the context the exception will resume.
        if (call.arg[1] >= (uint64_t{1} << 47))
            return -EPERM;
        call.context.fs_base = call.arg[1];
        return 0;
    case ARCH_GET_FS: return ok_if(put_user(call.arg[1], call.context.fs_base));
    case ARCH_SET_GS:
    case ARCH_GET_GS: return -EPERM; // %gs belongs to the ABI
    default: return -EINVAL;
    }
}

int64_t sys_set_tid_address(Syscall &call) {
    current_thread().clear_child_tid = call.arg[0];
    return current_thread().tid + kPid - 1;
}

int64_t sys_set_robust_list(Syscall &) { return 0; }
int64_t sys_rseq(Syscall &) { return -ENOSYS; } // glibc then runs without restartable sequences

int64_t sys_sched_getaffinity(Syscall &call) {
    uint32_t cpus = system().cpu_count;
    uint64_t size = call.arg[1];
    if (size < 8 || size % 8)
        return -EINVAL;
    uint64_t mask[16] = {};
    for (uint32_t cpu = 0; cpu < cpus && cpu < 1024; cpu++)
        mask[cpu / 64] |= uint64_t{1} << (cpu % 64);
    uint64_t bytes = size < sizeof mask ? size : sizeof mask;
    return copy_to_user(call.arg[2], mask, bytes) ? static_cast<int64_t>(bytes) : -EFAULT;
}

// getcpu: the LibOS does not know where the thread runs; it answers processor 0, node 0
// (glibc's sched_getcpu asks this through the vDSO, there being no rseq area).
int64_t sys_getcpu(Syscall &call) {
    uint32_t zero = 0;
    return ok_if((!call.arg[0] || put_user(call.arg[0], zero)) &&
                 (!call.arg[1] || put_user(call.arg[1], zero)));
}

int64_t sys_sched_yield(Syscall &) {
    abi().thread_yield();
    return 0;
}

int64_t sys_getrandom(Syscall &call) {
    uint8_t chunk[256];
    uint64_t size = call.arg[1], done = 0;
    while (done < size) {
        uint64_t n = size - done < sizeof chunk ? size - done : sizeof chunk;
        abi().random_read(chunk, n);
        if (!copy_to_user(call.arg[0] + done, chunk, n))
            return done ? static_cast<int64_t>(done) : -EFAULT;
        done += n;
    }
    return static_cast<int64_t>(done);
}

} // namespace libos
