// SPDX-License-Identifier: MIT
// The calling thread's credentials: thread_identity_set, thread_capabilities_query,
// thread_capabilities_set and its security bits (thread_security_bits_query, _set, prctl's
// SECUREBITS and KEEPCAPS). Each is the Linux system call itself, made raw: the kernel
// changes only the calling thread's ids (glibc's wrappers would signal every thread of
// the runtime, whereas a guest's own glibc asks the LibOS once on each of its threads),
// and its rules (privilege, validity, the order of its checks) decide every answer.
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <iterator>

#include "errors.h"
#include "fd.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"
#include "threads.h"

using namespace bsc;
using namespace bsc::host;

namespace {

// The system call behind each BSC_IDENTITY_* and the ids it takes (0: any number).
struct IdentityCall {
    long number;
    uint32_t count;
};
constexpr IdentityCall kIdentityCalls[] = {
    {-1, 0},            {SYS_setuid, 1},  {SYS_setreuid, 2}, {SYS_setresuid, 3},
    {SYS_setfsuid, 1},  {SYS_setgid, 1},  {SYS_setregid, 2}, {SYS_setresgid, 3},
    {SYS_setfsgid, 1},  {SYS_setgroups, 0},
};

// An address every kernel refuses (it is not a user address): setgroups is given it for a
// list outside guest memory, so that the kernel still answers EPERM and EINVAL first, as
// it would have for the guest, and EFAULT only when it reads the list.
const uint32_t *const kRefusedAddress = reinterpret_cast<const uint32_t *>(uintptr_t{1} << 63);

bsc_status set_groups(const uint32_t *ids, uint32_t count) {
    // The kernel reads the list itself, in its own order: a gid it cannot map is EINVAL
    // even if the list goes on into unreadable memory.
    const uint32_t *list =
        count == 0 || guest_owns(reinterpret_cast<uint64_t>(ids), uint64_t{count} * 4)
            ? ids
            : kRefusedAddress;
    if (::syscall(SYS_setgroups, static_cast<int>(count), list) != 0)
        return errno_status();
    return BSC_OK;
}

// setfsuid / setfsgid never fail: they answer the old id, changed or not.
bsc_status set_filesystem_id(long number, uint32_t id, uint32_t *previous) {
    if (previous)
        if (bsc_status status = probe_out(previous))
            return status;
    auto old = static_cast<uint32_t>(::syscall(number, id));
    return previous ? write_guest(previous, old) : BSC_OK;
}

using RawCapabilities = __user_cap_data_struct[_LINUX_CAPABILITY_U32S_3];

} // namespace

extern "C" bsc_status host_thread_identity_set(uint32_t which, const uint32_t *ids,
                                               uint32_t count, uint32_t *previous) {
    if (which == 0 || which >= std::size(kIdentityCalls))
        return BSC_E_INVALID;
    const IdentityCall &call = kIdentityCalls[which];
    if (which == BSC_IDENTITY_GROUPS)
        return set_groups(ids, count);
    if (count != call.count)
        return BSC_E_INVALID;
    uint32_t id[3]{};
    if (copy_from_guest(id, ids, count * sizeof(uint32_t)) != BSC_OK)
        return BSC_E_FAULT;
    if (which == BSC_IDENTITY_USER_FILESYSTEM || which == BSC_IDENTITY_GROUP_FILESYSTEM)
        return set_filesystem_id(call.number, id[0], previous);
    if (::syscall(call.number, id[0], id[1], id[2]) != 0)
        return errno_status();
    return BSC_OK;
}

extern "C" bsc_status host_thread_capabilities_query(bsc_handle thread,
                                                     bsc_capabilities *capabilities) {
    pid_t tid = 0; // the calling thread
    if (thread != BSC_NO_HANDLE && !pid_of_process(thread, tid))
        if (bsc_status status = host_tid_of(thread, tid))
            return status;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, tid};
    RawCapabilities data{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return errno == ESRCH ? BSC_E_NOT_FOUND : errno_status();
    auto join = [](uint32_t low, uint32_t high) { return uint64_t{high} << 32 | low; };
    bsc_capabilities out{join(data[0].effective, data[1].effective),
                         join(data[0].permitted, data[1].permitted),
                         join(data[0].inheritable, data[1].inheritable)};
    return write_guest(capabilities, out);
}

extern "C" bsc_status host_thread_capabilities_set(const bsc_capabilities *capabilities) {
    bsc_capabilities in;
    if (read_guest(capabilities, in) != BSC_OK)
        return BSC_E_FAULT;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    RawCapabilities data{};
    for (int i = 0; i < 2; i++) {
        data[i].effective = static_cast<uint32_t>(in.effective >> (32 * i));
        data[i].permitted = static_cast<uint32_t>(in.permitted >> (32 * i));
        data[i].inheritable = static_cast<uint32_t>(in.inheritable >> (32 * i));
    }
    if (::syscall(SYS_capset, &header, data) != 0)
        return errno_status();
    return BSC_OK;
}

extern "C" bsc_status host_thread_security_bits_query(uint32_t *bits) {
    int current = ::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (current < 0)
        return errno_status();
    return write_guest(bits, static_cast<uint32_t>(current));
}

// KEEP_CAPS alone is the kernel's PR_SET_KEEPCAPS, which needs no privilege; the rest its
// PR_SET_SECUREBITS, whose rules the kernel applies to the whole new value.
extern "C" bsc_status host_thread_security_bits_set(uint32_t bits, uint32_t mask) {
    if (mask == BSC_SECURITY_KEEP_CAPS)
        return check(::prctl(PR_SET_KEEPCAPS, bits & mask ? 1 : 0, 0, 0, 0));
    int current = ::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (current < 0)
        return errno_status();
    uint32_t wanted = (static_cast<uint32_t>(current) & ~mask) | (bits & mask);
    return check(::prctl(PR_SET_SECUREBITS, wanted, 0, 0, 0));
}
