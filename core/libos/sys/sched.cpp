// SPDX-License-Identifier: MIT
// Scheduling: the processors a thread may run on and its I/O priority (the host's, through
// the ABI), the scheduling policy and nice value (kept by the LibOS: the host's scheduling
// of the runtime does not change), and yielding.
#include <asm-generic/errno.h>
#include <linux/capability.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/types.h>

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
constexpr uint32_t kPageSize = 4096;

// The process's scheduling, as sched_setscheduler, sched_setattr and setpriority leave
// it; its card shows it to the other processes of the guest.
Scheduling scheduling{SCHED_NORMAL, 0, 0, false, 0};

void set_own_scheduling(const Scheduling &changed) {
    scheduling = changed;
    note_scheduling(changed);
}

// The process a scheduling call names: 0, the process id and its threads' ids name the
// caller's (whose scheduling its threads share here); another process of the guest, or
// the first one's parent outside it (pid 1), exists too. ESRCH for no one.
enum class Target { own, other };

int64_t find_target(int64_t pid, Target &target) {
    if (pid < 0)
        return -EINVAL;
    target = pid == 0 || is_thread_of_process(pid) ? Target::own : Target::other;
    if (target == Target::other && pid != kOutsideParentPid &&
        !process_exists(static_cast<int32_t>(pid)))
        return -ESRCH;
    return 0;
}

// Changing another process's scheduling is its own LibOS's to do: refused by name with
// EPERM (what a security module's refusal gives), never the ESRCH of no process.
int64_t refuse_other(const char *call, int64_t pid) {
    if (pid == kOutsideParentPid)
        return refuse_outside_parent(call);
    report_unsupported(call, "another process's scheduling");
    return -EPERM;
}

// The scheduling of the process `pid` names: the caller's, or what another process's card
// shows; the first one's parent outside the guest (pid 1) is refused by name.
int64_t scheduling_of(const char *call, int64_t pid, Scheduling &out) {
    Target target;
    if (int64_t error = find_target(pid, target))
        return error;
    if (target == Target::own) {
        out = scheduling;
        return 0;
    }
    ProcessCard card;
    if (pid == kOutsideParentPid)
        return refuse_outside_parent(call);
    if (!read_card(static_cast<int32_t>(pid), card))
        return -ESRCH;
    out = card.scheduling;
    return 0;
}

// Another process named where the LibOS serves only its own threads (affinity, I/O
// priority): ESRCH for no one, else refused by name.
int64_t other_process(const char *call, int64_t pid) {
    Target target;
    if (int64_t error = find_target(pid, target))
        return error;
    return refuse_other(call, pid);
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

uint64_t clamp_u64(uint64_t value, uint64_t low, uint64_t high) {
    return value < low ? low : value > high ? high : value;
}

// EEVDF's base slice, which sched_getattr reports as a fair task's runtime: 0.7 ms scaled
// as the kernel scales it at boot (sysctl_sched_base_slice, SCHED_TUNABLESCALING_LOG: by
// 1 + log2 of the processors, at most 8).
uint64_t base_slice() {
    bsc_system_info info{};
    abi().system_info_query(&info);
    uint32_t cpus = info.cpu_count < 1 ? 1 : info.cpu_count > 8 ? 8 : info.cpu_count;
    uint32_t log = 0;
    while (cpus >>= 1)
        log++;
    return 700'000ull * (1 + log);
}

bool is_realtime(int32_t policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }
bool is_fair(int32_t policy) { return policy == SCHED_NORMAL || policy == SCHED_BATCH; }

bool valid_policy(int32_t policy) {
    return is_fair(policy) || is_realtime(policy) || policy == SCHED_IDLE ||
           policy == SCHED_DEADLINE;
}

// Whether an unprivileged caller may lower its nice value to `nice`: only within
// RLIMIT_NICE (nice 19..-20 as 1..40), as Linux's is_nice_reduction.
bool nice_allowed(int32_t nice) {
    return static_cast<uint64_t>(20 - nice) <= soft_limit(RLIMIT_NICE) ||
           privileged(BSC_PRIVILEGE_PRIORITY);
}

// A scheduling change as the kernel takes it (struct sched_attr): sched_setscheduler and
// sched_setparam make one from their arguments, sched_setattr reads one.
struct SchedulingRequest {
    int32_t policy; // kKeepPolicy: the current one (sched_setparam's SETPARAM_POLICY)
    uint64_t flags; // SCHED_FLAG_*
    int32_t nice;   // the fair policies'
    uint32_t priority;
    uint64_t runtime, deadline, period; // SCHED_DEADLINE's
};

constexpr int32_t kKeepPolicy = -1;
constexpr uint64_t kFlagSugov = 0x10000000; // SCHED_FLAG_SUGOV, the kernel's own

// __checkparam_dl: a deadline task's runtime <= deadline <= period (the deadline when 0),
// at least 1024 ns of runtime, no top bit, the period within the default sysctls'
// sched_deadline_period_min_us (100) and _max_us (4194304).
bool valid_deadline(const SchedulingRequest &r) {
    constexpr uint64_t kTopBit = 1ull << 63, kMinPeriod = 100'000, kMaxPeriod = 4'194'304'000;
    if (r.flags & kFlagSugov)
        return true;
    if (r.deadline == 0 || r.runtime < 1024 || (r.deadline & kTopBit) || (r.period & kTopBit))
        return false;
    uint64_t period = r.period ? r.period : r.deadline;
    return period >= r.deadline && r.deadline >= r.runtime && period >= kMinPeriod &&
           period <= kMaxPeriod;
}

// user_check_sched_setscheduler for an unprivileged caller: a lower nice value only within
// RLIMIT_NICE, a real-time policy or priority only within RLIMIT_RTPRIO, never
// SCHED_DEADLINE, leaving SCHED_IDLE only within RLIMIT_NICE, and SCHED_RESET_ON_FORK
// cannot be cleared.
bool change_allowed(const SchedulingRequest &r, int32_t policy, bool reset_on_fork) {
    if (privileged(BSC_PRIVILEGE_PRIORITY))
        return true;
    if (is_fair(policy) && r.nice < scheduling.nice && !nice_allowed(r.nice))
        return false;
    uint64_t rtprio = soft_limit(RLIMIT_RTPRIO);
    if (is_realtime(policy)) {
        if (policy != scheduling.policy && !rtprio)
            return false;
        if (r.priority > static_cast<uint32_t>(scheduling.priority) && r.priority > rtprio)
            return false;
    }
    if (policy == SCHED_DEADLINE)
        return false;
    if (scheduling.policy == SCHED_IDLE && policy != SCHED_IDLE && !nice_allowed(scheduling.nice))
        return false;
    return reset_on_fork || !scheduling.reset_on_fork;
}

// __sched_setscheduler's checks in its order, then the change. The target is the caller
// or another process (refused where Linux would check the permission). A real-time or
// deadline policy would have to change the host's scheduling of the runtime, which the
// LibOS does not do: EPERM, Linux's answer to a caller without the privilege, named. No
// utilisation clamps: EOPNOTSUPP, as a kernel without CONFIG_UCLAMP_TASK answers.
int64_t change_scheduling(const char *call, int64_t pid, Target target, SchedulingRequest r) {
    int32_t policy = r.policy;
    bool reset_on_fork = r.flags & SCHED_FLAG_RESET_ON_FORK;
    if (policy == kKeepPolicy) {
        policy = scheduling.policy;
        reset_on_fork = scheduling.reset_on_fork;
    } else if (!valid_policy(policy)) {
        return -EINVAL;
    }
    if (r.flags & ~(SCHED_FLAG_ALL | kFlagSugov))
        return -EINVAL;
    if (r.priority > kMaxRtPriority)
        return -EINVAL;
    if ((policy == SCHED_DEADLINE && !valid_deadline(r)) || is_realtime(policy) != (r.priority != 0))
        return -EINVAL;
    if (target == Target::other)
        return refuse_other(call, pid);
    if (!change_allowed(r, policy, reset_on_fork))
        return -EPERM;
    if (r.flags & kFlagSugov)
        return -EINVAL;
    if (r.flags & SCHED_FLAG_UTIL_CLAMP)
        return -EOPNOTSUPP;
    bool kept = policy == scheduling.policy && r.priority == static_cast<uint32_t>(scheduling.priority);
    if ((is_realtime(policy) || policy == SCHED_DEADLINE) && !kept) {
        report_unsupported(call, policy == SCHED_DEADLINE ? "SCHED_DEADLINE" : "SCHED_FIFO/SCHED_RR");
        return -EPERM;
    }
    Scheduling changed = scheduling;
    changed.reset_on_fork = reset_on_fork;
    if (!(r.flags & SCHED_FLAG_KEEP_PARAMS)) { // __setscheduler_params
        changed.policy = policy;
        changed.priority = static_cast<int32_t>(r.priority);
        if (is_fair(policy)) { // __setparam_fair: a slice of 0.1 to 100 ms, 0 for the base one
            changed.nice = r.nice;
            changed.slice = r.runtime ? clamp_u64(r.runtime, 100'000, 100'000'000) : 0;
        }
    }
    set_own_scheduling(changed);
    return 0;
}

// sched_setscheduler's and sched_setparam's pid and parameter, in Linux's order: EINVAL
// for a negative pid or a null parameter, EFAULT, then ESRCH; the change keeps the nice
// value.
int64_t set_from_parameter(const char *call, uint64_t pid, uint64_t param, int32_t policy,
                           uint64_t flags) {
    int32_t priority;
    if (static_cast<int32_t>(pid) < 0 || !param)
        return -EINVAL;
    if (!get_user(param, priority))
        return -EFAULT;
    Target target;
    if (int64_t error = find_target(static_cast<int32_t>(pid), target))
        return error;
    SchedulingRequest r{policy, flags, scheduling.nice, static_cast<uint32_t>(priority),
                        scheduling.slice, 0, 0};
    return change_scheduling(call, static_cast<int32_t>(pid), target, r);
}

// getpriority / setpriority's target: PRIO_PROCESS (a pid or tid: the caller, or another
// process of the guest, whose nice value its card shows), PRIO_PGRP (the program's group)
// or PRIO_USER (its user id): `other` is then the other process's pid, else 0.
int64_t check_priority_target(const char *call, uint64_t which, uint64_t who, int32_t &other) {
    auto id = static_cast<int32_t>(who);
    other = 0;
    switch (which) {
    case PRIO_PROCESS: {
        if (id == 0 || id == current_pid() || id == current_tid())
            return 0;
        Scheduling ignored;
        if (int64_t error = scheduling_of(call, id, ignored))
            return error == -EINVAL ? -ESRCH : error;
        other = id;
        return 0;
    }
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
    Scheduling of;
    if (int64_t error = scheduling_of("sched_getscheduler", static_cast<int32_t>(call.arg[0]), of))
        return error;
    return of.policy | (of.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

int64_t sys_sched_setscheduler(Syscall &call) {
    auto policy = static_cast<int32_t>(call.arg[1]);
    if (policy < 0) // before the pid and the parameter, as the system call's entry
        return -EINVAL;
    return set_from_parameter("sched_setscheduler", call.arg[0], call.arg[2],
                              policy & ~SCHED_RESET_ON_FORK,
                              policy & SCHED_RESET_ON_FORK ? SCHED_FLAG_RESET_ON_FORK : 0);
}

int64_t sys_sched_getparam(Syscall &call) {
    if (static_cast<int32_t>(call.arg[0]) < 0 || !call.arg[1])
        return -EINVAL;
    Scheduling of;
    if (int64_t error = scheduling_of("sched_getparam", static_cast<int32_t>(call.arg[0]), of))
        return error;
    return put_user(call.arg[1], of.priority) ? 0 : -EFAULT;
}

int64_t sys_sched_setparam(Syscall &call) {
    return set_from_parameter("sched_setparam", call.arg[0], call.arg[1], kKeepPolicy, 0);
}

namespace {

// struct sched_attr's versions: the first ends before the utilisation clamps.
constexpr uint32_t kAttributesVer0 = SCHED_ATTR_SIZE_VER0, kAttributesVer1 = sizeof(sched_attr);

// sched_copy_attr: a size of 0 is the first version's; one below it or above a page is
// E2BIG with the kernel's size written back, as is a longer one whose tail is not zero.
int64_t read_attributes(uint64_t address, sched_attr &a) {
    uint32_t size;
    if (!get_user(address, size))
        return -EFAULT;
    if (size == 0)
        size = kAttributesVer0;
    int64_t error = size < kAttributesVer0 || size > kPageSize
                        ? -E2BIG
                        : struct_from_user(&a, sizeof a, address, size);
    if (error == -E2BIG)
        return put_user(address, kAttributesVer1) ? -E2BIG : -EFAULT;
    if (error)
        return error;
    if ((a.sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < kAttributesVer1)
        return -EINVAL;
    a.sched_nice = a.sched_nice < kMinNice ? kMinNice : a.sched_nice > kMaxNice ? kMaxNice : a.sched_nice;
    return 0;
}

} // namespace

// sched_setattr: sched_setscheduler with a struct sched_attr (its nice value for the fair
// policies, SCHED_FLAG_KEEP_POLICY and _KEEP_PARAMS), in the kernel's order.
int64_t sys_sched_setattr(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    if (!call.arg[1] || pid < 0 || call.arg[2])
        return -EINVAL;
    sched_attr a{};
    if (int64_t error = read_attributes(call.arg[1], a))
        return error;
    if (static_cast<int32_t>(a.sched_policy) < 0)
        return -EINVAL;
    SchedulingRequest r{static_cast<int32_t>(a.sched_policy), a.sched_flags, a.sched_nice, a.sched_priority,
                        a.sched_runtime, a.sched_deadline, a.sched_period};
    if (a.sched_flags & SCHED_FLAG_KEEP_POLICY)
        r.policy = kKeepPolicy;
    Scheduling current;
    Target target;
    if (int64_t error = find_target(pid, target))
        return error;
    if ((a.sched_flags & SCHED_FLAG_KEEP_PARAMS) && scheduling_of("sched_setattr", pid, current) == 0) {
        r.priority = static_cast<uint32_t>(current.priority); // get_params
        r.nice = current.nice;
        r.runtime = current.slice;
    }
    return change_scheduling("sched_setattr", pid, target, r);
}

// sched_getattr: the policy, SCHED_FLAG_RESET_ON_FORK, the nice value of a fair policy or
// the priority of a real-time one, no clamps; `size` bytes at most of the structure, whose
// size field says how many were written.
int64_t sys_sched_getattr(Syscall &call) {
    auto pid = static_cast<int32_t>(call.arg[0]);
    auto size = static_cast<uint32_t>(call.arg[2]);
    if (!call.arg[1] || pid < 0 || size > kPageSize || size < kAttributesVer0 || call.arg[3])
        return -EINVAL;
    Scheduling of;
    if (int64_t error = scheduling_of("sched_getattr", pid, of))
        return error;
    sched_attr a{};
    a.sched_policy = static_cast<uint32_t>(of.policy);
    a.sched_flags = of.reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
    if (is_realtime(of.policy)) {
        a.sched_priority = static_cast<uint32_t>(of.priority);
    } else if (of.policy != SCHED_DEADLINE) { // get_params of a fair task
        a.sched_nice = of.nice;
        a.sched_runtime = of.slice ? of.slice : base_slice();
    }
    // copy_struct_to_user: a longer buffer's tail is zeroed.
    a.size = size < kAttributesVer1 ? size : kAttributesVer1;
    static const char kZeroes[kPageSize] = {};
    if (!copy_to_user(call.arg[1], &a, a.size) ||
        !copy_to_user(call.arg[1] + a.size, kZeroes, size - a.size))
        return -EFAULT;
    return 0;
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
    Scheduling of;
    if (int64_t error = scheduling_of("sched_rr_get_interval", static_cast<int32_t>(call.arg[0]), of))
        return error;
    struct {
        int64_t sec, nsec;
    } interval{0, 0};
    return put_user(call.arg[1], interval) ? 0 : -EFAULT;
}

// getpriority: 20 - nice, so that the raw answer is never negative (glibc converts it);
// another process's from its card.
int64_t sys_getpriority(Syscall &call) {
    int32_t other;
    if (int64_t error = check_priority_target("getpriority", call.arg[0], call.arg[1], other))
        return error;
    Scheduling of = scheduling;
    if (other)
        scheduling_of("getpriority", other, of);
    return 20 - of.nice;
}

// setpriority: the nice value is clamped to -20..19; lowering it needs the privilege or
// RLIMIT_NICE (EACCES). It is kept and reported, not applied to the host's threads;
// another process's is refused by name.
int64_t sys_setpriority(Syscall &call) {
    int32_t other;
    if (int64_t error = check_priority_target("setpriority", call.arg[0], call.arg[1], other))
        return error;
    if (other)
        return refuse_other("setpriority", other);
    auto nice = static_cast<int32_t>(call.arg[2]);
    nice = nice < kMinNice ? kMinNice : nice > kMaxNice ? kMaxNice : nice;
    if (nice < scheduling.nice && !nice_allowed(nice))
        return -EACCES;
    Scheduling changed = scheduling;
    changed.nice = nice;
    set_own_scheduling(changed);
    return 0;
}

Scheduling scheduling_after_fork(Scheduling parent) {
    if (!parent.reset_on_fork)
        return parent;
    if (is_realtime(parent.policy) || parent.policy == SCHED_DEADLINE) {
        parent.policy = SCHED_NORMAL;
        parent.priority = 0;
        parent.nice = 0;
    } else if (parent.nice < 0) {
        parent.nice = 0;
    }
    parent.reset_on_fork = false;
    return parent;
}

void reset_scheduling_in_child() { set_own_scheduling(scheduling_after_fork(scheduling)); }

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
