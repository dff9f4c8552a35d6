// SPDX-License-Identifier: MIT
// prctl: the options Linux 6.x serves on x86-64, in kernel/sys.c's order of checks; and
// seccomp, whose strict mode the LibOS enforces itself. What
// the LibOS keeps (names, timer slack, dumpable, no-new-privs, THP, machine-check policy)
// lives here; what belongs to the host process (capabilities, seccomp mode) is read from
// it (host_status.h). An option that would change host state the ABI cannot change is
// refused as Linux refuses a caller without the privilege, and named with --verbose.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/prctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/signal.h>

#include "host_status.h"
#include "process_state.h"
#include "process_tree.h"
#include "procfs.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

// Newer than the build's headers (Linux 6.18's include/uapi/linux/prctl.h).
#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE (1 << 0)
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

namespace libos {
namespace {

// arg2..arg5 of the call.
struct Args {
    uint64_t a2, a3, a4, a5;
};

// What prctl keeps for the process (the per-thread state is in Thread).
int32_t dumpable = 1;     // PR_SET_DUMPABLE (2: suid_dumpable's "suidsafe", after an id change)
bool no_new_privileges;   // PR_SET_NO_NEW_PRIVS, or the host's own (host_status)
uint32_t thp_disable;     // PR_GET_THP_DISABLE's answer: 0, PR_THP_DISABLE or with EXCEPT_ADVISED

constexpr uint64_t kNameSize = sizeof Thread::name; // the kernel's TASK_COMM_LEN
constexpr uint32_t kPrctlMmMapSize = 104;           // sizeof(struct prctl_mm_map)

int64_t ok_if(bool copied) { return copied ? 0 : -EFAULT; }
bool has(uint64_t set, uint64_t cap) { return set >> cap & 1; }
bool valid_capability(uint64_t cap) { return cap <= CAP_LAST_CAP; }

// The host's status, or false after naming the option as unsupported.
bool read_host(HostStatus &host, const char *what) {
    if (host_status(host))
        return true;
    report_unsupported("prctl", what);
    return false;
}

// A change the LibOS cannot make to the host process: EPERM, as for a caller without
// the privilege (credentials.cpp answers set*id changes the same way).
int64_t cannot_change(const char *what) {
    report_unsupported("prctl", what);
    return -EPERM;
}

int64_t set_thread_name(uint64_t address) {
    char name[kNameSize + 1] = {};
    int64_t length = user_string(name, reinterpret_cast<const char *>(address), kNameSize);
    if (length == -1)
        return -EFAULT;
    name[kNameSize - 1] = 0; // at most 15 bytes, as strncpy_from_user reads them
    memcpy(current_thread().name, name, kNameSize);
    return 0;
}

// The thread's slack, read from the host the first time it is asked.
uint64_t &timer_slack(Thread &thread) {
    if (!thread.timer_slack)
        thread.timer_slack = thread.default_timer_slack = host_timer_slack();
    return thread.timer_slack;
}

// PR_GET/SET_TIMERSLACK: a real-time thread has none and ignores a change (Linux 6.7 on);
// 0 restores the slack the thread's creator had.
int64_t timer_slack_option(int32_t option, uint64_t arg) {
    Thread &thread = current_thread();
    bool realtime = current_scheduling().policy == SCHED_FIFO ||
                    current_scheduling().policy == SCHED_RR;
    uint64_t &slack = timer_slack(thread);
    if (option == PR_GET_TIMERSLACK)
        return realtime ? 0 : static_cast<int64_t>(slack);
    if (!realtime)
        slack = arg ? arg : thread.default_timer_slack;
    return 0;
}

// The calling thread's security bits, the host thread's own (the kernel decides each
// change: a locked bit, CAP_SETPCAP for SECUREBITS): cap_task_prctl's last four options.
int64_t security_bits_option(int32_t option, const Args &a) {
    uint32_t bits = 0;
    if (option == PR_GET_SECUREBITS || option == PR_GET_KEEPCAPS) {
        if (bsc_status status = abi().thread_security_bits_query(&bits))
            return result_of(status);
        return option == PR_GET_KEEPCAPS ? !!(bits & BSC_SECURITY_KEEP_CAPS) : bits;
    }
    if (option == PR_SET_KEEPCAPS) {
        if (a.a2 > 1)
            return -EINVAL;
        return result_of(abi().thread_security_bits_set(a.a2 ? BSC_SECURITY_KEEP_CAPS : 0,
                                                        BSC_SECURITY_KEEP_CAPS));
    }
    if (a.a2 > UINT32_MAX) // no such bit: EPERM, as any bit the kernel does not know
        return -EPERM;
    return result_of(abi().thread_security_bits_set(static_cast<uint32_t>(a.a2), ~uint32_t{0}));
}

// The capability options (security/commoncap.c's cap_task_prctl, which runs before the
// rest of prctl), against the host process's sets. Nothing here can change them.
int64_t capability_option(int32_t option, const Args &a) {
    HostStatus host;
    switch (option) {
    case PR_CAPBSET_READ:
        if (!valid_capability(a.a2))
            return -EINVAL;
        return read_host(host, "PR_CAPBSET_READ without the host's /proc") ? has(host.bounding, a.a2)
                                                                           : -EINVAL;
    case PR_CAPBSET_DROP:
        if (!read_host(host, "PR_CAPBSET_DROP without the host's /proc"))
            return -EINVAL;
        if (!has(host.effective, CAP_SETPCAP))
            return -EPERM;
        if (!valid_capability(a.a2))
            return -EINVAL;
        return has(host.bounding, a.a2) ? cannot_change("PR_CAPBSET_DROP of a held capability")
                                        : 0;
    case PR_CAP_AMBIENT:
        if (a.a2 == PR_CAP_AMBIENT_CLEAR_ALL) {
            if (a.a3 | a.a4 | a.a5)
                return -EINVAL;
        } else if (!valid_capability(a.a3) || a.a4 || a.a5) {
            return -EINVAL;
        }
        if (!read_host(host, "PR_CAP_AMBIENT without the host's /proc"))
            return -EINVAL;
        switch (a.a2) {
        case PR_CAP_AMBIENT_CLEAR_ALL:
            return host.ambient ? cannot_change("PR_CAP_AMBIENT_CLEAR_ALL of a raised set") : 0;
        case PR_CAP_AMBIENT_IS_SET: return has(host.ambient, a.a3);
        case PR_CAP_AMBIENT_RAISE:
            // Allowed only for a capability both permitted and inheritable (and not under
            // SECBIT_NO_CAP_AMBIENT_RAISE): EPERM either way, the change being impossible.
            if (!has(host.permitted, a.a3) || !has(host.inheritable, a.a3))
                return -EPERM;
            return has(host.ambient, a.a3) ? 0 : cannot_change("PR_CAP_AMBIENT_RAISE");
        case PR_CAP_AMBIENT_LOWER:
            return has(host.ambient, a.a3) ? cannot_change("PR_CAP_AMBIENT_LOWER") : 0;
        default: return -EINVAL;
        }
    default: return security_bits_option(option, a);
    }
}

bool has_no_new_privileges() {
    HostStatus host;
    return no_new_privileges || (host_status(host) && host.no_new_privs);
}

// Strict mode (kernel/seccomp.c), which the LibOS keeps per thread and enforces at each
// system call (check_strict_mode); it also makes rdtsc fault, as Linux's disable_TSC. A
// process the host already filters cannot enter it.
int64_t enter_strict_mode() {
    HostStatus host;
    if (!read_host(host, "seccomp's strict mode without the host's /proc"))
        return -EINVAL;
    if (host.seccomp_mode != SECCOMP_MODE_DISABLED) // seccomp_may_assign_mode
        return -EINVAL;
    Thread &thread = current_thread();
    thread.seccomp_strict = thread.timestamp_faults = true;
    return 0;
}

// A filter (seccomp_set_mode_filter): the LibOS has no filter interpreter, so after the
// checks Linux makes before it would install one, EINVAL, a kernel without seccomp
// filters' answer.
int64_t add_filter(uint32_t flags, uint64_t filter) {
    constexpr uint32_t kFlags = 0x3f; // SECCOMP_FILTER_FLAG_MASK: TSYNC ... WAIT_KILLABLE_RECV
    constexpr uint32_t kTsync = 1, kNewListener = 8, kTsyncEsrch = 16, kWaitKillable = 32;
    if ((flags & ~kFlags) ||
        ((flags & kNewListener) && (flags & kTsync) && !(flags & kTsyncEsrch)) ||
        ((flags & kWaitKillable) && !(flags & kNewListener)))
        return -EINVAL;
    sock_fprog program;
    if (!get_user(filter, program))
        return -EFAULT;
    if (program.len == 0 || program.len > BPF_MAXINSNS)
        return -EINVAL;
    HostStatus host;
    if (!has_no_new_privileges() && !(host_status(host) && has(host.effective, CAP_SYS_ADMIN)))
        return -EACCES;
    report_unsupported("seccomp", "a filter (SECCOMP_SET_MODE_FILTER)");
    return -EINVAL;
}

// PR_SET_MM: only its size query is served; every change needs CAP_SYS_RESOURCE first
// (EPERM without it), and the LibOS makes none.
int64_t set_mm(const Args &a) {
    if (a.a5 || (a.a4 && a.a2 != PR_SET_MM_AUXV && a.a2 != PR_SET_MM_MAP &&
                 a.a2 != PR_SET_MM_MAP_SIZE))
        return -EINVAL;
    if (a.a2 == PR_SET_MM_MAP_SIZE)
        return ok_if(put_user(a.a3, kPrctlMmMapSize));
    if (a.a2 == PR_SET_MM_MAP) {
        uint8_t map[kPrctlMmMapSize];
        if (a.a4 != kPrctlMmMapSize)
            return -EINVAL;
        if (!copy_from_user(map, a.a3, sizeof map))
            return -EFAULT;
    } else {
        HostStatus host;
        if (!read_host(host, "PR_SET_MM without the host's /proc"))
            return -EINVAL;
        if (!has(host.effective, CAP_SYS_RESOURCE))
            return -EPERM;
    }
    report_unsupported("prctl", "PR_SET_MM");
    return -EINVAL;
}

// PR_SET/GET_THP_DISABLE (Linux 6.18: EXCEPT_ADVISED only when disabling).
int64_t thp_option(int32_t option, const Args &a) {
    if (option == PR_GET_THP_DISABLE)
        return a.a2 || a.a3 || a.a4 || a.a5 ? -EINVAL : int64_t{thp_disable};
    if (a.a4 || a.a5 || (!a.a2 && a.a3) || (a.a3 & ~uint64_t{PR_THP_DISABLE_EXCEPT_ADVISED}))
        return -EINVAL;
    thp_disable = a.a2 ? PR_THP_DISABLE | static_cast<uint32_t>(a.a3) : 0;
    return 0;
}

// PR_SET/GET_IO_FLUSHER: a flag of the thread, for a caller with CAP_SYS_RESOURCE.
int64_t io_flusher_option(int32_t option, const Args &a) {
    HostStatus host;
    if (!read_host(host, "PR_SET/GET_IO_FLUSHER without the host's /proc"))
        return -EINVAL;
    if (!has(host.effective, CAP_SYS_RESOURCE))
        return -EPERM;
    Thread &thread = current_thread();
    if (option == PR_GET_IO_FLUSHER)
        return a.a2 || a.a3 || a.a4 || a.a5 ? -EINVAL : thread.io_flusher;
    if (a.a3 || a.a4 || a.a5 || a.a2 > 1)
        return -EINVAL;
    thread.io_flusher = a.a2;
    return 0;
}

// PR_MCE_KILL / PR_MCE_KILL_GET: the thread's machine-check policy, kept (the host's
// applies). PR_MCE_KILL_SET marks the policy as the thread's before checking it, as Linux.
int64_t machine_check_option(int32_t option, const Args &a) {
    Thread &thread = current_thread();
    if (option == PR_MCE_KILL_GET) {
        if (a.a2 | a.a3 | a.a4 | a.a5)
            return -EINVAL;
        if (!thread.mce_own_policy)
            return PR_MCE_KILL_DEFAULT;
        return thread.mce_early ? PR_MCE_KILL_EARLY : PR_MCE_KILL_LATE;
    }
    if (a.a4 | a.a5)
        return -EINVAL;
    if (a.a2 == PR_MCE_KILL_CLEAR) {
        if (a.a3)
            return -EINVAL;
        thread.mce_own_policy = false;
        return 0;
    }
    if (a.a2 != PR_MCE_KILL_SET)
        return -EINVAL;
    thread.mce_own_policy = true;
    switch (a.a3) {
    case PR_MCE_KILL_EARLY: thread.mce_early = true; return 0;
    case PR_MCE_KILL_LATE: thread.mce_early = false; return 0;
    case PR_MCE_KILL_DEFAULT: thread.mce_own_policy = thread.mce_early = false; return 0;
    default: return -EINVAL;
    }
}

// The options that only other architectures serve: EINVAL on x86-64, as Linux.
bool other_architectures_only(int32_t option) {
    switch (option) {
    case PR_GET_UNALIGN: case PR_SET_UNALIGN: case PR_GET_FPEMU: case PR_SET_FPEMU:
    case PR_GET_FPEXC: case PR_SET_FPEXC: case PR_GET_ENDIAN: case PR_SET_ENDIAN:
    case PR_MPX_ENABLE_MANAGEMENT: case PR_MPX_DISABLE_MANAGEMENT:
    case PR_SET_FP_MODE: case PR_GET_FP_MODE: case PR_SVE_SET_VL: case PR_SVE_GET_VL:
    case PR_PAC_RESET_KEYS: case PR_SET_TAGGED_ADDR_CTRL: case PR_GET_TAGGED_ADDR_CTRL:
        return true;
    default: return false;
    }
}

// The options kept in the LibOS's own state.
int64_t libos_option(int32_t option, const Args &a) {
    Thread &thread = current_thread();
    switch (option) {
    case PR_SET_PDEATHSIG:
        if (a.a2 > 64) // valid_signal
            return -EINVAL;
        thread.parent_death_signal = static_cast<int32_t>(a.a2);
        return 0;
    case PR_GET_PDEATHSIG: return ok_if(put_user(a.a2, thread.parent_death_signal));
    case PR_GET_DUMPABLE: return dumpable;
    case PR_SET_DUMPABLE:
        if (a.a2 > 1)
            return -EINVAL;
        dumpable = a.a2;
        return 0;
    case PR_GET_TIMING: return PR_TIMING_STATISTICAL;
    case PR_SET_TIMING: return a.a2 != PR_TIMING_STATISTICAL ? -EINVAL : 0;
    case PR_SET_NAME: return set_thread_name(a.a2);
    case PR_GET_NAME: {
        char name[kNameSize];
        thread_name(thread, name);
        return copy_to_user(a.a2, name, kNameSize) ? 0 : -EFAULT;
    }
    case PR_GET_TSC: // the LibOS answers rdtsc, or makes it fault (timestamp.cpp)
        return ok_if(put_user(a.a2, static_cast<uint32_t>(thread.timestamp_faults ? PR_TSC_SIGSEGV
                                                                                  : PR_TSC_ENABLE)));
    case PR_SET_TSC:
        if (a.a2 != PR_TSC_ENABLE && a.a2 != PR_TSC_SIGSEGV)
            return -EINVAL;
        thread.timestamp_faults = a.a2 == PR_TSC_SIGSEGV;
        return 0;
    case PR_TASK_PERF_EVENTS_DISABLE:
    case PR_TASK_PERF_EVENTS_ENABLE: return 0; // the LibOS has no perf events to switch
    case PR_GET_TIMERSLACK:
    case PR_SET_TIMERSLACK: return timer_slack_option(option, a.a2);
    case PR_MCE_KILL:
    case PR_MCE_KILL_GET: return machine_check_option(option, a);
    case PR_SET_MM: return set_mm(a);
    case PR_GET_TID_ADDRESS: return ok_if(put_user(a.a2, thread.clear_child_tid));
    case PR_SET_CHILD_SUBREAPER:
        if (int64_t error = set_subreaper(a.a2 != 0)) {
            report_unsupported("prctl", "PR_SET_CHILD_SUBREAPER in a process but the first");
            return error;
        }
        return 0;
    case PR_GET_CHILD_SUBREAPER: return ok_if(put_user(a.a2, int32_t{is_subreaper()}));
    case PR_SET_NO_NEW_PRIVS:
        if (a.a2 != 1 || a.a3 || a.a4 || a.a5)
            return -EINVAL;
        no_new_privileges = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        return a.a2 || a.a3 || a.a4 || a.a5 ? -EINVAL : has_no_new_privileges();
    case PR_GET_THP_DISABLE:
    case PR_SET_THP_DISABLE: return thp_option(option, a);
    case PR_SET_IO_FLUSHER:
    case PR_GET_IO_FLUSHER: return io_flusher_option(option, a);
    default:
        if (!other_architectures_only(option))
            report_unsupported("prctl", "an option other than those SYSCALLS.md lists");
        return -EINVAL;
    }
}

} // namespace

// A thread's name: what PR_SET_NAME gave it, else the name exec gave the program
// (procfs.cpp: the file name it was started by, cut to 15 bytes, as the kernel's).
void thread_name(const Thread &thread, char (&name)[16]) {
    const char *source = thread.name[0] ? thread.name : program_comm();
    memset(name, 0, kNameSize);
    memcpy(name, source, strlen(source) < kNameSize ? strlen(source) : kNameSize - 1);
}

// The host's /proc/sys/fs/suid_dumpable (0, 1 or 2; 0 if it cannot be read).
int32_t suid_dumpable() {
    bsc_handle file;
    char digit = '0';
    uint64_t done = 0;
    if (abi().stream_open("file:/proc/sys/fs/suid_dumpable", BSC_ACCESS_READ, 0,
                          BSC_CREATE_NEVER, 0, &file) == BSC_OK) {
        abi().stream_read(file, 0, &digit, 1, &done);
        abi().object_close(file);
    }
    return done == 1 && digit >= '0' && digit <= '2' ? digit - '0' : 0;
}

void note_credentials_changed() {
    dumpable = suid_dumpable();
    current_thread().parent_death_signal = 0; // commit_creds clears the task's own
}

void inherit_prctl_state(Thread &child, Thread &creator) {
    uint64_t slack = timer_slack(creator);
    child.timer_slack = child.default_timer_slack = slack;
    child.io_flusher = creator.io_flusher;
    child.mce_own_policy = creator.mce_own_policy;
    child.mce_early = creator.mce_early;
    child.timestamp_faults = creator.timestamp_faults;
    child.seccomp_strict = creator.seccomp_strict;
    child.personality = creator.personality; // copy_process copies the task's
    child.parent_death_signal = 0; // copy_process clears it
}

void check_strict_mode(uint64_t number) {
    if (!current_thread().seccomp_strict)
        return;
    switch (static_cast<int32_t>(number)) { // Linux's syscall number is an int
    case __NR_read: case __NR_write: case __NR_exit: case __NR_rt_sigreturn: return;
    default: exit_thread(-SIGKILL);
    }
}

void prctl_state_after_exec() {
    // Linux clears it even when locked; the host's kernel does not let the thread do that.
    if (abi().thread_security_bits_set(0, BSC_SECURITY_KEEP_CAPS) != BSC_OK)
        report_unsupported("execve", "SECBIT_KEEP_CAPS cleared under SECBIT_KEEP_CAPS_LOCKED");
}

// seccomp(2): strict mode and filters as prctl enters them; the queries of the filter
// machinery (GET_ACTION_AVAIL, GET_NOTIF_SIZES) are EINVAL, as without seccomp filters.
int64_t sys_seccomp(Syscall &call) {
    auto operation = static_cast<uint32_t>(call.arg[0]);
    auto flags = static_cast<uint32_t>(call.arg[1]);
    switch (operation) {
    case SECCOMP_SET_MODE_STRICT: return flags || call.arg[2] ? -EINVAL : enter_strict_mode();
    case SECCOMP_SET_MODE_FILTER: return add_filter(flags, call.arg[2]);
    case SECCOMP_GET_ACTION_AVAIL:
    case SECCOMP_GET_NOTIF_SIZES:
        report_unsupported("seccomp", "SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES");
        return -EINVAL;
    default: return -EINVAL;
    }
}

int64_t sys_prctl(Syscall &call) {
    auto option = static_cast<int32_t>(call.arg[0]); // an int in Linux's prototype
    Args a{call.arg[1], call.arg[2], call.arg[3], call.arg[4]};
    HostStatus host;
    switch (option) {
    case PR_CAPBSET_READ: case PR_CAPBSET_DROP: case PR_CAP_AMBIENT:
    case PR_GET_SECUREBITS: case PR_SET_SECUREBITS: case PR_GET_KEEPCAPS: case PR_SET_KEEPCAPS:
        return capability_option(option, a);
    case PR_GET_SECCOMP:
        return read_host(host, "PR_GET_SECCOMP without the host's /proc") ? host.seccomp_mode
                                                                          : -EINVAL;
    case PR_SET_SECCOMP: // prctl_set_seccomp
        if (a.a2 == SECCOMP_MODE_STRICT)
            return enter_strict_mode();
        return a.a2 == SECCOMP_MODE_FILTER ? add_filter(0, a.a3) : -EINVAL;
    case PR_SET_PTRACER: // Yama's; the LibOS has no ptrace for it to allow
        report_unsupported("prctl", "PR_SET_PTRACER");
        return -EINVAL;
    default: return libos_option(option, a);
    }
}

} // namespace libos
