// SPDX-License-Identifier: MIT
// Scheduling: the processors a thread may run on and its I/O priority (the host's, through
// the ABI), the scheduling policy and nice value (kept by the LibOS: the host's scheduling
// of the runtime does not change), and yielding.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/resource.h>
#include <linux/sched.h>

#include "process_state.h"
#include "process_tree.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr int32_t kMinNice = -20, kMaxNice = 19;
constexpr int32_t kMaxRtPriority = 99;
constexpr uint32_t kMaxMaskBytes = 1024; // 8192 processors, Linux's largest NR_CPUS

// The process's scheduling, as sched_setscheduler and setpriority leave it.
Scheduling scheduling{SCHED_NORMAL, 0, 0, false};

// Another process of the guest, or the first one's parent outside it (pid 1), exists but
// its scheduling is not the LibOS's to know: refused by name with EPERM (what a security
// module's refusal gives), never the ESRCH of a process that does not exist.
int64_t other_process(const char *call, int64_t pid) {
    if (pid == kOutsideParentPid)
        return refuse_outside_parent(call);
    if (!process_exists(static_cast<int32_t>(pid)))
        return -ESRCH;
    report_unsupported(call, "another process's scheduling");
    return -EPERM;
}

// A pid or tid argument of `call`: 0, the process id and its threads' ids name the
// process (whose scheduling its threads share here).
int64_t check_target(const char *call, int64_t pid) {
    if (pid < 0)
        return -EINVAL;
    return pid == 0 || is_thread_of_process(pid) ? 0 : other_process(call, pid);
}

// The thread an affinity call is for: 0 for the caller (pid 0 or its own tid), else the
// tid of another thread of the process; another process of the guest (or pid 1) is
// other_process's EPERM, never the ESRCH of a pid nobody has.
int64_t affinity_target(const char *call, int64_t pid, int64_t &tid) {
    tid = 0;
    if (pid == 0 || pid == current_tid())
        return 0;
    if (pid < 0)
        return -ESRCH;
    if (!is_thread_of_process(pid))
        return other_process(call, pid);
    tid = pid;
    return 0;
}

bool is_realtime(int32_t policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }

bool valid_policy(int32_t policy) {
    return policy == SCHED_NORMAL || policy == SCHED_FIFO || policy == SCHED_RR ||
           policy == SCHED_BATCH || policy == SCHED_IDLE;
}

// Whether an unprivileged caller may lower its nice value to `nice`: only within
// RLIMIT_NICE (nice 19..-20 as 1..40), as Linux's is_nice_reduction.
bool nice_allowed(int32_t nice) {
    return static_cast<uint64_t>(20 - nice) <= soft_limit(RLIMIT_NICE) ||
           privileged(BSC_PRIVILEGE_PRIORITY);
}

// sched_setscheduler's permission rules for an unprivileged caller (kernel/sched/syscalls.c):
// a real-time policy or priority only within RLIMIT_RTPRIO, leaving SCHED_IDLE only
// within RLIMIT_NICE, and SCHED_RESET_ON_FORK cannot be cleared.
bool change_allowed(int32_t policy, int32_t priority, bool reset_on_fork) {
    if (privileged(BSC_PRIVILEGE_PRIORITY))
        return true;
    uint64_t rtprio = soft_limit(RLIMIT_RTPRIO);
    if (is_realtime(policy)) {
        if (policy != scheduling.policy && !rtprio)
            return false;
        if (priority > scheduling.priority && static_cast<uint64_t>(priority) > rtprio)
            return false;
    }
    if (scheduling.policy == SCHED_IDLE && policy != SCHED_IDLE && !nice_allowed(scheduling.nice))
        return false;
    return reset_on_fork || !scheduling.reset_on_fork;
}

// Applies a policy and priority: a real-time policy would have to change the host's
// scheduling of the runtime, which the LibOS does not do: EPERM, Linux's answer to a
// caller without the privilege.
int64_t set_scheduling(int32_t policy, int32_t priority, bool reset_on_fork) {
    if (!valid_policy(policy))
        return -EINVAL;
    bool priority_ok = is_realtime(policy) ? priority >= 1 && priority <= kMaxRtPriority
                                           : priority == 0;
    if (!priority_ok)
        return -EINVAL;
    if (!change_allowed(policy, priority, reset_on_fork))
        return -EPERM;
    if (is_realtime(policy) && (policy != scheduling.policy || priority != scheduling.priority)) {
        report_unsupported("sched_setscheduler", "SCHED_FIFO/SCHED_RR");
        return -EPERM;
    }
    scheduling.policy = policy;
    scheduling.priority = priority;
    scheduling.reset_on_fork = reset_on_fork;
    return 0;
}

// sched_setscheduler's and sched_setparam's pid and parameter, in Linux's order: EINVAL
// for a negative pid or a null parameter, EFAULT, then ESRCH.
int64_t read_request(const char *call, uint64_t pid, uint64_t param, int32_t &priority) {
    if (static_cast<int32_t>(pid) < 0 || !param)
        return -EINVAL;
    if (!get_user(param, priority))
        return -EFAULT;
    return check_target(call, static_cast<int32_t>(pid));
}

// getpriority / setpriority's target: PRIO_PROCESS (a pid or tid), PRIO_PGRP (the
// program's group) or PRIO_USER (its user id): the program is the only process of each;
// another process of the guest is refused by name.
int64_t check_priority_target(const char *call, uint64_t which, uint64_t who) {
    auto id = static_cast<int32_t>(who);
    switch (which) {
    case PRIO_PROCESS:
        return id == 0 || id == current_pid() || id == current_tid() ? 0 : other_process(call, id);
    case PRIO_PGRP: return id == 0 || id == process_group_of(0) ? 0 : -ESRCH;
    case PRIO_USER:
        return id == 0 || static_cast<uint32_t>(id) == identity().user_id ? 0 : -ESRCH;
    default: return -EINVAL;
    }
}

// The processors of the caller (tid 0) or of another thread of the process from the host:
// the mask in the host's size, and the least size the host's kernel accepts; -ESRCH for a
// thread that has ended.
int64_t query_affinity(int64_t tid, uint64_t *mask, uint32_t capacity, uint32_t &mask_size,
                       uint32_t &least_size) {
    if (!tid)
        return result_of(abi().thread_affinity_query(mask, capacity, &mask_size, &least_size));
    bsc_status status = call_on_thread(tid, [&](bsc_handle thread) {
        return abi().thread_affinity_query_by_handle(thread, mask, capacity, &mask_size,
                                                     &least_size);
    });
    return status == BSC_E_NOT_FOUND ? -ESRCH : result_of(status);
}

int64_t set_affinity(int64_t tid, const uint64_t *mask, uint32_t size) {
    if (!tid)
        return result_of(abi().thread_affinity_set(mask, size));
    bsc_status status = call_on_thread(tid, [&](bsc_handle thread) {
        return abi().thread_affinity_set_by_handle(thread, mask, size);
    });
    return status == BSC_E_NOT_FOUND ? -ESRCH : result_of(status);
}

} // namespace

Scheduling current_scheduling() { return scheduling; }

// sched_getaffinity: Linux checks the size first (EINVAL below the host's processor ids
// or not whole longs), then the target (pid -1 is no task: ESRCH), of this thread or
// another of the process.
int64_t sys_sched_getaffinity(Syscall &call) {
    uint64_t size = static_cast<uint32_t>(call.arg[1]);
    uint64_t mask[kMaxMaskBytes / 8] = {};
    uint32_t mask_size = 0, least_size = 0;
    if (int64_t error = query_affinity(0, mask, sizeof mask, mask_size, least_size))
        return error;
    if (size < least_size || size % 8)
        return -EINVAL;
    int64_t tid;
    auto pid = static_cast<int32_t>(call.arg[0]);
    if (int64_t error = affinity_target("sched_getaffinity", pid, tid))
        return error;
    if (tid)
        if (int64_t error = query_affinity(tid, mask, sizeof mask, mask_size, least_size))
            return error;
    uint64_t bytes = size < mask_size ? size : mask_size;
    return copy_to_user(call.arg[2], mask, bytes) ? static_cast<int64_t>(bytes) : -EFAULT;
}

// sched_setaffinity: a mask of any size (shorter ones are padded with zeroes, longer ones
// cut to the host's size); EINVAL if it holds no processor the thread may use.
int64_t sys_sched_setaffinity(Syscall &call) {
    uint64_t size = static_cast<uint32_t>(call.arg[1]);
    uint64_t mask[kMaxMaskBytes / 8] = {};
    uint32_t mask_size = 0, least_size = 0;
    if (int64_t error = query_affinity(0, mask, 0, mask_size, least_size))
        return error;
    uint64_t bytes = size < mask_size ? size : mask_size;
    if (!copy_from_user(mask, call.arg[2], bytes))
        return -EFAULT;
    int64_t tid;
    auto pid = static_cast<int32_t>(call.arg[0]);
    if (int64_t error = affinity_target("sched_setaffinity", pid, tid))
        return error;
    return set_affinity(tid, mask, mask_size);
}

int64_t sys_sched_yield(Syscall &) {
    abi().thread_yield();
    return 0;
}

int64_t sys_sched_getscheduler(Syscall &call) {
    if (int64_t error = check_target("sched_getscheduler", static_cast<int32_t>(call.arg[0])))
        return error;
    return scheduling.policy | (scheduling.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

int64_t sys_sched_setscheduler(Syscall &call) {
    auto policy = static_cast<int32_t>(call.arg[1]);
    if (policy < 0) // before the pid and the parameter, as the system call's entry
        return -EINVAL;
    int32_t priority;
    if (int64_t error = read_request("sched_setscheduler", call.arg[0], call.arg[2], priority))
        return error;
    return set_scheduling(policy & ~SCHED_RESET_ON_FORK, priority,
                          (policy & SCHED_RESET_ON_FORK) != 0);
}

int64_t sys_sched_getparam(Syscall &call) {
    if (static_cast<int32_t>(call.arg[0]) < 0 || !call.arg[1])
        return -EINVAL;
    if (int64_t error = check_target("sched_getparam", static_cast<int32_t>(call.arg[0])))
        return error;
    return put_user(call.arg[1], scheduling.priority) ? 0 : -EFAULT;
}

int64_t sys_sched_setparam(Syscall &call) {
    int32_t priority;
    if (int64_t error = read_request("sched_setparam", call.arg[0], call.arg[1], priority))
        return error;
    return set_scheduling(scheduling.policy, priority, scheduling.reset_on_fork);
}

int64_t sys_sched_get_priority_max(Syscall &call) {
    auto policy = static_cast<int32_t>(call.arg[0]);
    if (is_realtime(policy))
        return kMaxRtPriority;
    return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

int64_t sys_sched_get_priority_min(Syscall &call) {
    auto policy = static_cast<int32_t>(call.arg[0]);
    if (is_realtime(policy))
        return 1;
    return valid_policy(policy) || policy == SCHED_DEADLINE ? 0 : -EINVAL;
}

// sched_rr_get_interval: 0 for the policies other than SCHED_RR, as Linux answers for a
// SCHED_OTHER task whose slice is under one tick (EEVDF's base slice), and SCHED_FIFO.
int64_t sys_sched_rr_get_interval(Syscall &call) {
    if (int64_t error = check_target("sched_rr_get_interval", static_cast<int32_t>(call.arg[0])))
        return error;
    struct {
        int64_t sec, nsec;
    } interval{0, 0};
    return put_user(call.arg[1], interval) ? 0 : -EFAULT;
}

// getpriority: 20 - nice, so that the raw answer is never negative (glibc converts it).
int64_t sys_getpriority(Syscall &call) {
    if (int64_t error = check_priority_target("getpriority", call.arg[0], call.arg[1]))
        return error;
    return 20 - scheduling.nice;
}

// setpriority: the nice value is clamped to -20..19; lowering it needs the privilege or
// RLIMIT_NICE (EACCES). It is kept and reported, not applied to the host's threads.
int64_t sys_setpriority(Syscall &call) {
    if (int64_t error = check_priority_target("setpriority", call.arg[0], call.arg[1]))
        return error;
    auto nice = static_cast<int32_t>(call.arg[2]);
    nice = nice < kMinNice ? kMinNice : nice > kMaxNice ? kMaxNice : nice;
    if (nice < scheduling.nice && !nice_allowed(nice))
        return -EACCES;
    scheduling.nice = nice;
    return 0;
}

namespace {

// ioprio_get / ioprio_set's `which` (IOPRIO_WHO_*) and the value's classes (IOPRIO_CLASS_*).
constexpr int64_t kIoprioWhoProcess = 1, kIoprioWhoPgrp = 2, kIoprioWhoUser = 3;
constexpr uint32_t kIoprioClassNone = 0, kIoprioClassRt = 1, kIoprioClassBe = 2,
                   kIoprioClassIdle = 3;

// ioprio_check_cap, before any target is looked up: the class (bits 13-15) and level (bits
// 0-2; the hint bits between are not checked, nor can a level reach IOPRIO_NR_LEVELS); the
// real-time class needs CAP_SYS_ADMIN or CAP_SYS_NICE. The host's kernel checks again.
int64_t check_io_priority(int32_t value) {
    switch (static_cast<uint32_t>(value >> 13) & 7) {
    case kIoprioClassRt:
        return capable(CAP_SYS_ADMIN) || capable(CAP_SYS_NICE) ? 0 : -EPERM;
    case kIoprioClassBe:
    case kIoprioClassIdle: return 0;
    case kIoprioClassNone: return value & 7 ? -EINVAL : 0;
    default: return -EINVAL;
    }
}

// Whether process group `group` (0: the caller's) is the calling process alone; -ESRCH if
// no process of the guest is in it.
int64_t group_is_caller_alone(int32_t group) {
    if (group == 0)
        group = static_cast<int32_t>(process_group_of(0));
    int32_t pids[256];
    uint32_t count = process_pids(pids, 256);
    bool others = count > 256, caller = false;
    for (uint32_t i = 0; i < count && i < 256; i++) {
        if (process_group_of(pids[i]) != group)
            continue;
        if (pids[i] == current_pid())
            caller = true;
        else
            others = true;
    }
    if (!caller && !others)
        return -ESRCH;
    return caller && !others;
}

// The thread of the process ioprio's target names, as the kernel finds it: 0 for the
// caller, else a tid of the process (the pid: its initial thread). Through `refusal`, what
// the LibOS cannot answer exactly: another process of the guest (by name, EPERM as
// other_process), a group of more than the caller's one thread, a user's processes (the
// host's, beyond the guest). ESRCH for no such target, EINVAL for an unknown `which`.
int64_t io_priority_target(const char *call, int64_t which, int32_t who, int64_t &tid) {
    tid = 0;
    if (which == kIoprioWhoProcess) {
        if (who == 0 || who == current_tid())
            return 0;
        if (who < 0)
            return -ESRCH;
        if (!is_thread_of_process(who) && who != current_pid())
            return other_process(call, who);
        tid = who;
        return 0;
    }
    if (which == kIoprioWhoPgrp) {
        int64_t alone = who < 0 ? -ESRCH : group_is_caller_alone(who);
        if (alone < 0)
            return alone;
        if (alone && thread_count() == 1)
            return 0;
        report_unsupported(call, "IOPRIO_WHO_PGRP of more than the calling thread");
        return -EPERM;
    }
    if (which == kIoprioWhoUser) {
        report_unsupported(call, "IOPRIO_WHO_USER (the host's processes of the user)");
        return -EPERM;
    }
    return -EINVAL;
}

} // namespace

// ioprio_get: the host's I/O priority of the target thread (IOPRIO_WHO_PROCESS: the class
// NONE value 0 until one is set; a group of the caller alone: its own).
int64_t sys_ioprio_get(Syscall &call) {
    int64_t tid;
    if (int64_t error = io_priority_target("ioprio_get", static_cast<int32_t>(call.arg[0]),
                                           static_cast<int32_t>(call.arg[1]), tid))
        return error;
    uint32_t value = 0;
    bsc_status status = tid ? call_on_thread(tid, [&](bsc_handle thread) {
        return abi().thread_io_priority_query_by_handle(thread, &value);
    })
                            : abi().thread_io_priority_query(&value);
    if (status != BSC_OK)
        return status == BSC_E_NOT_FOUND ? -ESRCH : result_of(status);
    return value;
}

// ioprio_set: the value checked first, as the kernel does, then set on the target's host
// thread, whose kernel checks it again.
int64_t sys_ioprio_set(Syscall &call) {
    auto value = static_cast<int32_t>(call.arg[2]);
    if (int64_t error = check_io_priority(value))
        return error;
    int64_t tid;
    if (int64_t error = io_priority_target("ioprio_set", static_cast<int32_t>(call.arg[0]),
                                           static_cast<int32_t>(call.arg[1]), tid))
        return error;
    auto priority = static_cast<uint32_t>(value);
    bsc_status status = tid ? call_on_thread(tid, [&](bsc_handle thread) {
        return abi().thread_io_priority_set_by_handle(thread, priority);
    })
                            : abi().thread_io_priority_set(priority);
    return status == BSC_E_NOT_FOUND ? -ESRCH : result_of(status);
}

} // namespace libos
