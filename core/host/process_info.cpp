// SPDX-License-Identifier: MIT
// What the process is and uses: process_usage_query, process_identity_query, and the
// processors and I/O priority of the calling thread or another (thread_affinity_query,
// thread_affinity_set, thread_io_priority_query, thread_io_priority_set and their
// _by_handle forms).
#include <linux/capability.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "clock.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "threads.h"

using namespace bsc;
using namespace bsc::host;

namespace {

int64_t nanoseconds_of(const timeval &tv) {
    return int64_t{tv.tv_sec} * kNanosecondsPerSecond + int64_t{tv.tv_usec} * 1000;
}

// The capabilities in the process's effective set that make it privileged in the ABI's
// sense.
uint32_t privileges() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return 0;
    auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1; };
    return (has(CAP_SETUID) ? BSC_PRIVILEGE_SET_USER_IDS : 0) |
           (has(CAP_SETGID) ? BSC_PRIVILEGE_SET_GROUP_IDS : 0) |
           (has(CAP_SYS_NICE) ? BSC_PRIVILEGE_PRIORITY : 0) |
           (has(CAP_SYS_RESOURCE) ? BSC_PRIVILEGE_RESOURCES : 0) |
           (has(CAP_SYS_TIME) ? BSC_PRIVILEGE_TIME : 0);
}

// The calling thread's processor mask, in the kernel's own mask size (the return value
// of sched_getaffinity), and the least size the kernel accepts.
struct Affinity {
    std::vector<uint64_t> mask;
    uint32_t least_size = 0;
};

// The processors of thread `tid` (0: the calling thread).
bool read_affinity(pid_t tid, Affinity &out) {
    constexpr size_t kMaxWords = 8192 / 64; // Linux's largest NR_CPUS
    std::vector<uint64_t> mask(kMaxWords);
    for (size_t words = 1; words <= kMaxWords; words++) {
        long n = ::syscall(SYS_sched_getaffinity, tid, words * 8, mask.data());
        if (n < 0 && errno == EINVAL)
            continue;
        if (n < 0)
            return false;
        out.least_size = static_cast<uint32_t>(words * 8);
        n = ::syscall(SYS_sched_getaffinity, tid, kMaxWords * 8, mask.data());
        if (n < 0)
            return false;
        mask.resize(static_cast<size_t>(n) / 8);
        out.mask = std::move(mask);
        return true;
    }
    return false;
}

} // namespace

extern "C" bsc_status host_process_usage_query(uint32_t which, bsc_process_usage *usage) {
    static constexpr int kWho[] = {RUSAGE_SELF, RUSAGE_THREAD, RUSAGE_CHILDREN};
    if (which >= std::size(kWho))
        return BSC_E_INVALID;
    rusage used{};
    if (::getrusage(kWho[which], &used) != 0)
        return errno_status();
    bsc_process_usage out{};
    out.user_ns = nanoseconds_of(used.ru_utime);
    out.system_ns = nanoseconds_of(used.ru_stime);
    out.max_resident = static_cast<uint64_t>(used.ru_maxrss) * 1024; // the kernel gives KiB
    out.minor_faults = static_cast<uint64_t>(used.ru_minflt);
    out.major_faults = static_cast<uint64_t>(used.ru_majflt);
    out.input_blocks = static_cast<uint64_t>(used.ru_inblock);
    out.output_blocks = static_cast<uint64_t>(used.ru_oublock);
    out.voluntary_switches = static_cast<uint64_t>(used.ru_nvcsw);
    out.involuntary_switches = static_cast<uint64_t>(used.ru_nivcsw);
    return write_guest(usage, out);
}

extern "C" bsc_status host_process_identity_query(bsc_process_identity *identity,
                                                  uint32_t *groups, uint32_t capacity) {
    bsc_process_identity out{};
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0)
        return errno_status();
    out.user_id = ruid, out.effective_user_id = euid, out.saved_user_id = suid;
    out.group_id = rgid, out.effective_group_id = egid, out.saved_group_id = sgid;
    // setfsuid(-1) changes nothing (an invalid id) and returns the current one.
    out.filesystem_user_id = static_cast<uint32_t>(::setfsuid(static_cast<uid_t>(-1)));
    out.filesystem_group_id = static_cast<uint32_t>(::setfsgid(static_cast<gid_t>(-1)));
    int count = ::getgroups(0, nullptr);
    if (count < 0)
        return errno_status();
    std::vector<gid_t> list(static_cast<size_t>(count));
    count = ::getgroups(count, list.data());
    if (count < 0)
        return errno_status();
    out.group_count = static_cast<uint32_t>(count);
    out.privileges = privileges();
    size_t copied = std::min<size_t>(static_cast<size_t>(count), capacity);
    static_assert(sizeof(gid_t) == sizeof(uint32_t));
    if (copied && copy_to_guest(groups, list.data(), copied * sizeof(uint32_t)) != BSC_OK)
        return BSC_E_FAULT;
    return write_guest(identity, out);
}

namespace {

bsc_status query_affinity(pid_t tid, uint64_t *mask, uint32_t size, uint32_t *mask_size,
                          uint32_t *least_size) {
    Affinity affinity;
    if (!read_affinity(tid, affinity))
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status();
    auto bytes = static_cast<uint32_t>(affinity.mask.size() * 8);
    uint32_t copied = std::min(size, bytes);
    if (copied && copy_to_guest(mask, affinity.mask.data(), copied) != BSC_OK)
        return BSC_E_FAULT;
    if (write_guest(mask_size, bytes) != BSC_OK)
        return BSC_E_FAULT;
    return write_guest(least_size, affinity.least_size);
}

bsc_status set_affinity(pid_t tid, const uint64_t *mask, uint32_t size) {
    std::vector<uint64_t> wanted((size + 7) / 8);
    if (size && copy_from_guest(wanted.data(), mask, size) != BSC_OK)
        return BSC_E_FAULT;
    if (::syscall(SYS_sched_setaffinity, tid, wanted.size() * 8, wanted.data()) != 0)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status(); // EINVAL: none allowed
    return BSC_OK;
}

} // namespace

extern "C" bsc_status host_thread_affinity_query(uint64_t *mask, uint32_t size,
                                                 uint32_t *mask_size, uint32_t *least_size) {
    return query_affinity(0, mask, size, mask_size, least_size);
}

extern "C" bsc_status host_thread_affinity_set(const uint64_t *mask, uint32_t size) {
    return set_affinity(0, mask, size);
}

extern "C" bsc_status host_thread_affinity_query_by_handle(bsc_handle thread, uint64_t *mask,
                                                           uint32_t size, uint32_t *mask_size,
                                                           uint32_t *least_size) {
    pid_t tid = 0;
    if (bsc_status status = host_tid_of(thread, tid))
        return status;
    return query_affinity(tid, mask, size, mask_size, least_size);
}

extern "C" bsc_status host_thread_affinity_set_by_handle(bsc_handle thread, const uint64_t *mask,
                                                         uint32_t size) {
    pid_t tid = 0;
    if (bsc_status status = host_tid_of(thread, tid))
        return status;
    return set_affinity(tid, mask, size);
}

namespace {

constexpr int kIoprioWhoProcess = 1; // IOPRIO_WHO_PROCESS: one thread (0: the caller)

bsc_status query_io_priority(pid_t tid, uint32_t *priority) {
    long value = ::syscall(SYS_ioprio_get, kIoprioWhoProcess, tid);
    if (value < 0)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status();
    return write_guest(priority, static_cast<uint32_t>(value));
}

bsc_status set_io_priority(pid_t tid, uint32_t priority) {
    if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, static_cast<int>(priority)) != 0)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status(); // EINVAL, EPERM: the value
    return BSC_OK;
}

} // namespace

extern "C" bsc_status host_thread_io_priority_query(uint32_t *priority) {
    return query_io_priority(0, priority);
}

extern "C" bsc_status host_thread_io_priority_set(uint32_t priority) {
    return set_io_priority(0, priority);
}

extern "C" bsc_status host_thread_io_priority_query_by_handle(bsc_handle thread,
                                                              uint32_t *priority) {
    pid_t tid = 0;
    if (bsc_status status = host_tid_of(thread, tid))
        return status;
    return query_io_priority(tid, priority);
}

extern "C" bsc_status host_thread_io_priority_set_by_handle(bsc_handle thread,
                                                            uint32_t priority) {
    pid_t tid = 0;
    if (bsc_status status = host_tid_of(thread, tid))
        return status;
    return set_io_priority(tid, priority);
}
