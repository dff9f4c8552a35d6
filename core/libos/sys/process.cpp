// SPDX-License-Identifier: MIT
// Process system calls: the process ids (from the process tree), uname, sethostname and
// setdomainname, limits, resource usage, rseq, getcpu and getrandom (the user and group
// ids are in credentials.cpp, threads and their exit in threads.cpp, prctl in prctl.cpp).
#include <asm-generic/errno.h>
#include <asm/prctl.h>
#include <linux/random.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/capability.h>
#include <linux/utsname.h>

#include "exec.h"
#include "fd_table.h"
#include "format.h"
#include "host_status.h"
#include "personality.h"
#include "process_state.h"
#include "procfs.h"
#include "process_tree.h"
#include "syscalls.h"
#include "thread.h"
#include "timespec.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint64_t kTaskSizeMax = (uint64_t{1} << 47) - 4096; // the user address space's end

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

int64_t sys_getpid(Syscall &) { return current_pid(); }
int64_t sys_getppid(Syscall &) { return parent_pid(); }
int64_t sys_getpgrp(Syscall &) { return process_group_of(0); }

// getpgid, getsid: of any process of the guest (0: the caller).
int64_t sys_getpgid(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    return pid == kOutsideParentPid ? refuse_outside_parent("getpgid") : process_group_of(pid);
}

int64_t sys_getsid(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    return pid == kOutsideParentPid ? refuse_outside_parent("getsid") : session_of(pid);
}

int64_t sys_setpgid(Syscall &call) {
    return set_process_group(static_cast<int32_t>(call.arg[0]), static_cast<int32_t>(call.arg[1]));
}

int64_t sys_setsid(Syscall &) { return new_session(); }

// The host kernel's setting /proc/sys/kernel/`name` (one line) in `out`, without its
// newline; `otherwise` if it cannot be read.
void host_kernel_setting(const char *name, char *out, uint64_t size, const char *otherwise) {
    char uri[64];
    freestanding::format(uri, sizeof uri, "file:/proc/sys/kernel/%s", name);
    bsc_handle handle;
    uint64_t done = 0;
    if (abi().stream_open(uri, BSC_ACCESS_READ, 0, BSC_CREATE_NEVER, 0, &handle) == BSC_OK) {
        if (abi().stream_read(handle, 0, out, size - 1, &done) != BSC_OK)
            done = 0;
        abi().object_close(handle);
    }
    while (done && (out[done - 1] == '\n' || out[done - 1] == '\0'))
        done--;
    if (!done)
        freestanding::copy_string(out, size, otherwise);
    else
        out[done] = '\0';
}

namespace {

// sethostname and setdomainname: the name of the caller's UTS namespace (its host
// process's), set through the host's /proc/sys/kernel/`setting`, which changes the same
// name with the same privilege. The kernel's order: EPERM without CAP_SYS_ADMIN, EINVAL
// for a length over 64, EFAULT. The file takes a name only up to a newline or a NUL and
// no empty one, which sethostname takes whole: those are refused, named (ENOSYS).
int64_t set_uts_name(const char *call, const char *setting, uint64_t address, int64_t length) {
    constexpr int64_t kMaxName = 64; // __NEW_UTS_LEN
    if (!capable(CAP_SYS_ADMIN))
        return -EPERM;
    if (length < 0 || length > kMaxName)
        return -EINVAL;
    char name[kMaxName + 1];
    if (!copy_from_user(name, address, static_cast<size_t>(length)))
        return -EFAULT;
    bool whole = length > 0;
    for (int64_t i = 0; i < length; i++)
        whole = whole && name[i] != '\n' && name[i] != 0;
    if (!whole) {
        report_unsupported(call, "an empty name, or one with a newline or a NUL");
        return -ENOSYS;
    }
    char uri[64];
    freestanding::format(uri, sizeof uri, "file:/proc/sys/kernel/%s", setting);
    bsc_handle handle;
    bsc_status status = abi().stream_open(uri, BSC_ACCESS_WRITE, 0, BSC_CREATE_NEVER, 0, &handle);
    if (status != BSC_OK)
        return status == BSC_E_ACCESS ? -EPERM : result_of(status);
    uint64_t done = 0;
    status = abi().stream_write(handle, 0, name, static_cast<uint64_t>(length), &done);
    abi().object_close(handle);
    return status == BSC_OK ? 0 : result_of(status);
}

} // namespace

int64_t sys_sethostname(Syscall &call) {
    return set_uts_name("sethostname", "hostname", call.arg[0], static_cast<int32_t>(call.arg[1]));
}

int64_t sys_setdomainname(Syscall &call) {
    return set_uts_name("setdomainname", "domainname", call.arg[0],
                        static_cast<int32_t>(call.arg[1]));
}

int64_t sys_uname(Syscall &call) {
    bsc_system_info info = system();
    new_utsname names{};
    freestanding::copy_string(names.sysname, sizeof names.sysname, "Linux");
    freestanding::copy_string(names.nodename, sizeof names.nodename, info.host_name);
    freestanding::copy_string(names.release, sizeof names.release, info.os_release);
    // The host kernel's version and domain name, which /proc/sys/kernel shows the program.
    host_kernel_setting("version", names.version, sizeof names.version, "#1 SMP");
    freestanding::copy_string(names.machine, sizeof names.machine, info.machine);
    host_kernel_setting("domainname", names.domainname, sizeof names.domainname, "(none)");
    personality_uname(names.release, sizeof names.release, names.machine, sizeof names.machine);
    return ok_if(put_user(call.arg[0], names));
}

// The limits the LibOS keeps and reports without applying them (the host applies its
// own): lowering one's soft limit to `soft`, which a program does to be stopped at it
// (ENOMEM, EAGAIN), is named with --verbose. RLIMIT_SIGPENDING is applied to the
// process's own pending signals (signals.cpp), which is Linux's answer exactly at 0 only
// (Linux counts the user's in every process).
const char *unenforced_limit(uint64_t resource, uint64_t soft) {
    switch (resource) {
    case RLIMIT_NPROC: return "lowering RLIMIT_NPROC";
    case RLIMIT_SIGPENDING: return soft ? "lowering RLIMIT_SIGPENDING above 0" : nullptr;
    case RLIMIT_MSGQUEUE: return "lowering RLIMIT_MSGQUEUE";
    case RLIMIT_RTTIME: return "lowering RLIMIT_RTTIME";
    default: return nullptr;
    }
}

// prlimit64, in Linux's order of checks: the new limit is read first (EFAULT), then the
// target, the resource, soft above hard (EINVAL), RLIMIT_NOFILE above what the descriptor
// table holds (Linux's nr_open: EPERM), and a raised hard limit without the privilege.
int64_t sys_prlimit64(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    uint64_t resource = static_cast<uint32_t>(call.arg[1]);
    Limit wanted;
    if (call.arg[2] && !get_user(call.arg[2], wanted))
        return -EFAULT;
    if (pid != 0 && !is_thread_of_process(pid))
        return -ESRCH;
    if (resource >= RLIM_NLIMITS)
        return -EINVAL;
    Limit old = limits[resource];
    if (call.arg[2]) {
        if (wanted.current > wanted.maximum)
            return -EINVAL;
        if (resource == RLIMIT_NOFILE && wanted.maximum > static_cast<uint64_t>(kMaxFds))
            return -EPERM;
        if (wanted.maximum > old.maximum && !privileged(BSC_PRIVILEGE_RESOURCES))
            return -EPERM;
        limits[resource] = wanted;
        if (resource == RLIMIT_CPU)
            watch_cpu_limit();
        const char *unenforced = unenforced_limit(resource, wanted.current);
        if (unenforced && wanted.current < old.current)
            report_unsupported("setrlimit", unenforced);
    }
    return call.arg[3] ? ok_if(put_user(call.arg[3], old)) : 0;
}

uint64_t soft_limit(unsigned resource) {
    return resource < RLIM_NLIMITS ? __atomic_load_n(&limits[resource].current, __ATOMIC_ACQUIRE)
                                   : kInfinity;
}

uint64_t hard_limit(unsigned resource) {
    return resource < RLIM_NLIMITS ? limits[resource].maximum : kInfinity;
}

bool move_soft_limit(unsigned resource, uint64_t from, uint64_t to) {
    return __atomic_compare_exchange_n(&limits[resource].current, &from, to, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int64_t sys_getrlimit(Syscall &call) {
    Syscall as_prlimit{{0, call.arg[0], 0, call.arg[1], 0, 0}, call.context};
    return sys_prlimit64(as_prlimit);
}

int64_t sys_setrlimit(Syscall &call) {
    Syscall as_prlimit{{0, call.arg[0], call.arg[1], 0, 0, 0}, call.context};
    return sys_prlimit64(as_prlimit);
}

// sysinfo: the machine's, as the host's sysinfo tells it (system_info_query and, ABI 1.17,
// system_load_query): Linux's sysinfo is not namespaced, so its loads and task count are
// the whole machine's.
int64_t sys_sysinfo(Syscall &call) {
    bsc_system_info info = system();
    bsc_system_load load{};
    abi().system_load_query(&load);
    struct sysinfo out {};
    // Whole seconds, a part one counted as one (do_sysinfo's tv_sec + !!tv_nsec).
    out.uptime = static_cast<long>((info.uptime_ns + 999999999) / 1000000000);
    for (int i = 0; i < 3; i++)
        out.loads[i] = load.loads[i];
    out.totalram = info.memory_total;
    out.freeram = info.memory_free;
    out.sharedram = load.memory_shared;
    out.bufferram = load.memory_buffers;
    out.totalswap = load.swap_total;
    out.freeswap = load.swap_free;
    out.procs = static_cast<uint16_t>(load.tasks);
    out.totalhigh = load.high_total;
    out.freehigh = load.high_free;
    out.mem_unit = 1;
    return ok_if(put_user(call.arg[0], out));
}

// getrusage: the host's account of the process (its LibOS and runtime included), of the
// calling thread, or of the children it waited for.
int64_t sys_getrusage(Syscall &call) {
    auto who = static_cast<int32_t>(call.arg[0]);
    uint32_t which;
    switch (who) {
    case RUSAGE_SELF: which = BSC_USAGE_PROCESS; break;
    case RUSAGE_THREAD: which = BSC_USAGE_THREAD; break;
    case RUSAGE_CHILDREN: which = BSC_USAGE_CHILDREN; break;
    default: return -EINVAL;
    }
    bsc_process_usage used{};
    if (bsc_status status = abi().process_usage_query(which, &used))
        return result_of(status);
    rusage out{};
    out.ru_utime = {used.user_ns / kNanosPerSecond, used.user_ns % kNanosPerSecond / 1000};
    out.ru_stime = {used.system_ns / kNanosPerSecond, used.system_ns % kNanosPerSecond / 1000};
    // The counters, field by field (ru_maxrss in KiB); the ones Linux leaves 0 stay 0.
    const struct {
        __kernel_long_t rusage::*field;
        uint64_t value;
    } counters[] = {
        {&rusage::ru_maxrss, used.max_resident / 1024},
        {&rusage::ru_minflt, used.minor_faults},
        {&rusage::ru_majflt, used.major_faults},
        {&rusage::ru_inblock, used.input_blocks},
        {&rusage::ru_oublock, used.output_blocks},
        {&rusage::ru_nvcsw, used.voluntary_switches},
        {&rusage::ru_nivcsw, used.involuntary_switches},
    };
    for (const auto &counter : counters)
        out.*counter.field = static_cast<__kernel_long_t>(counter.value);
    return ok_if(put_user(call.arg[1], out));
}

namespace {

// ARCH_SET_CPUID, as Linux's set_cpuid_mode: ENODEV without the host processors' cpuid
// faulting; enabling cpuid, which runs already, changes nothing. Disabling it (cpuid
// would fault with SIGSEGV) is refused by name with that ENODEV: the LibOS itself runs
// on the thread and would fault too.
int64_t set_cpuid(uint64_t enable) {
    if (!host_cpu_flag("cpuid_fault"))
        return -ENODEV;
    if (enable)
        return 0;
    report_unsupported("arch_prctl", "ARCH_SET_CPUID 0 (cpuid faulting)");
    return -ENODEV;
}

} // namespace

int64_t sys_arch_prctl(Syscall &call) {
    switch (call.arg[0]) {
    case ARCH_SET_FS:
        // The program's %fs is in the context the exception will resume.
        if (call.arg[1] >= kTaskSizeMax)
            return -EPERM;
        call.context.fs_base = call.arg[1];
        return 0;
    case ARCH_GET_FS: return ok_if(put_user(call.arg[1], call.context.fs_base));
    case ARCH_SET_GS:
    case ARCH_GET_GS: // %gs belongs to the ABI
        report_unsupported("arch_prctl", "ARCH_SET_GS/ARCH_GET_GS");
        return -EPERM;
    case ARCH_GET_CPUID: return 1; // cpuid runs: the LibOS never makes it fault
    case ARCH_SET_CPUID: return set_cpuid(call.arg[1]);
    default: return -EINVAL;
    }
}

int64_t sys_rseq(Syscall &) { return -ENOSYS; } // glibc then runs without restartable sequences

// getcpu: the LibOS does not know where the host runs the thread at this moment; it
// answers the first processor the thread may run on (exact for a thread bound to one),
// node 0 (glibc's sched_getcpu asks this through the vDSO, there being no rseq area).
int64_t sys_getcpu(Syscall &call) {
    uint64_t mask[16] = {};
    uint32_t mask_size = 0, least_size = 0, cpu = 0, node = 0;
    abi().thread_affinity_query(mask, sizeof mask, &mask_size, &least_size);
    for (uint32_t word = 0; word < 16; word++)
        if (mask[word]) {
            cpu = word * 64 + static_cast<uint32_t>(__builtin_ctzll(mask[word]));
            break;
        }
    return ok_if((!call.arg[0] || put_user(call.arg[0], cpu)) &&
                 (!call.arg[1] || put_user(call.arg[1], node)));
}

// getrandom: the host's strong random bytes for every flag (the LibOS starts after the
// host's pool is ready, so nothing blocks). At most INT_MAX bytes a call; a fault part way
// returns the bytes written before it, as Linux.
int64_t sys_getrandom(Syscall &call) {
    constexpr uint32_t kFlags = GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE;
    auto flags = static_cast<uint32_t>(call.arg[2]);
    if ((flags & ~kFlags) ||
        (flags & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
        return -EINVAL;
    uint8_t chunk[256];
    uint64_t size = call.arg[1] > INT32_MAX ? INT32_MAX : call.arg[1], done = 0;
    while (done < size) {
        uint64_t n = size - done < sizeof chunk ? size - done : sizeof chunk;
        abi().random_read(chunk, n);
        uint64_t left = user_copy(reinterpret_cast<void *>(call.arg[0] + done), chunk, n);
        done += n - left;
        if (left)
            return done ? static_cast<int64_t>(done) : -EFAULT;
    }
    return static_cast<int64_t>(done);
}

} // namespace libos
