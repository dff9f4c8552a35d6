// SPDX-License-Identifier: MIT
// The credentials family: the calling thread's user and group ids, its supplementary
// groups and its capabilities. Every change is the host's (thread_identity_set,
// thread_capabilities_set), made on the calling thread alone as Linux makes it: a program's
// glibc changes every thread by asking on each. The host's kernel decides each change and
// its error by its own rules; the LibOS answers alone only what it must read or decide
// before the host can be asked (capget's and capset's header, the pid they name).
#include <asm-generic/errno.h>
#include <linux/capability.h>

#include "heap.h"
#include "process_state.h"
#include "process_tree.h"
#include "syscalls.h"
#include "thread.h"
#include "user_memory.h"

namespace libos {
namespace {

// One kind of id: real, effective and saved.
struct Ids {
    uint32_t real, effective, saved;
};

Ids user_ids() {
    bsc_process_identity i = identity();
    return {i.user_id, i.effective_user_id, i.saved_user_id};
}

Ids group_ids() {
    bsc_process_identity i = identity();
    return {i.group_id, i.effective_group_id, i.saved_group_id};
}

int64_t put_ids(const Syscall &call, const Ids &ids) {
    return put_user(call.arg[0], ids.real) && put_user(call.arg[1], ids.effective) &&
                   put_user(call.arg[2], ids.saved)
               ? 0
               : -EFAULT;
}

// Changes ids with the host's thread_identity_set, and then what Linux's commit_creds
// changes with an effective or file-system id (process_state.h).
bsc_status change_ids(uint32_t which, const uint32_t *ids, uint32_t count, uint32_t *previous) {
    bsc_process_identity before = identity();
    bsc_status status = abi().thread_identity_set(which, ids, count, previous);
    bsc_process_identity after = identity();
    note_user_ids();
    if (after.effective_user_id != before.effective_user_id ||
        after.filesystem_user_id != before.filesystem_user_id ||
        after.effective_group_id != before.effective_group_id ||
        after.filesystem_group_id != before.filesystem_group_id)
        note_credentials_changed();
    return status;
}

// A set*id call's `count` ids (its arguments, uid_t: -1 leaves one), changed by the host
// with the rules of the Linux call `which` names.
int64_t set_ids(uint32_t which, const Syscall &call, uint32_t count) {
    uint32_t ids[3];
    for (uint32_t i = 0; i < count; i++)
        ids[i] = static_cast<uint32_t>(call.arg[i]);
    return result_of(change_ids(which, ids, count, nullptr));
}

// setfsuid / setfsgid: the old file-system id, whether the id changed or not.
int64_t set_filesystem_id(uint32_t which, const Syscall &call) {
    auto id = static_cast<uint32_t>(call.arg[0]);
    uint32_t previous = 0;
    bsc_status status = change_ids(which, &id, 1, &previous);
    return status == BSC_OK ? previous : result_of(status);
}

} // namespace

// The calling thread's ids, asked afresh each time: any thread may have changed its own.
bsc_process_identity identity() {
    bsc_process_identity ids{};
    abi().process_identity_query(&ids, nullptr, 0);
    return ids;
}

bool privileged(uint32_t privilege) { return identity().privileges & privilege; }

bool capable(int capability) {
    bsc_capabilities capabilities{};
    abi().thread_capabilities_query(BSC_NO_HANDLE, &capabilities);
    return (capabilities.effective >> capability) & 1;
}

bool owner_or_capable(uint32_t owner) {
    return identity().filesystem_user_id == owner || capable(CAP_FOWNER);
}

FileCredentials file_credentials(bool real_ids) {
    bsc_process_identity ids = identity();
    bsc_capabilities capabilities{};
    abi().thread_capabilities_query(BSC_NO_HANDLE, &capabilities);
    if (!real_ids)
        return {ids.filesystem_user_id, ids.filesystem_group_id, capabilities.effective};
    return {ids.user_id, ids.group_id, ids.user_id == 0 ? capabilities.permitted : 0};
}

bool in_supplementary_groups(uint32_t group) {
    uint32_t count = identity().group_count;
    size_t bytes = (count + 1) * sizeof(uint32_t);
    auto *groups = static_cast<uint32_t *>(allocate(bytes));
    bsc_process_identity ids;
    bool found = false;
    if (abi().process_identity_query(&ids, groups, count) == BSC_OK)
        for (uint32_t i = 0; i < count && i < ids.group_count && !found; i++)
            found = groups[i] == group;
    release(groups, bytes);
    return found;
}

int64_t sys_getuid(Syscall &) { return user_ids().real; }
int64_t sys_geteuid(Syscall &) { return user_ids().effective; }
int64_t sys_getgid(Syscall &) { return group_ids().real; }
int64_t sys_getegid(Syscall &) { return group_ids().effective; }
int64_t sys_getresuid(Syscall &call) { return put_ids(call, user_ids()); }
int64_t sys_getresgid(Syscall &call) { return put_ids(call, group_ids()); }

int64_t sys_setuid(Syscall &call) { return set_ids(BSC_IDENTITY_USER, call, 1); }
int64_t sys_setgid(Syscall &call) { return set_ids(BSC_IDENTITY_GROUP, call, 1); }
int64_t sys_setreuid(Syscall &call) { return set_ids(BSC_IDENTITY_USER_REAL_EFFECTIVE, call, 2); }
int64_t sys_setregid(Syscall &call) { return set_ids(BSC_IDENTITY_GROUP_REAL_EFFECTIVE, call, 2); }
int64_t sys_setresuid(Syscall &call) { return set_ids(BSC_IDENTITY_USER_ALL, call, 3); }
int64_t sys_setresgid(Syscall &call) { return set_ids(BSC_IDENTITY_GROUP_ALL, call, 3); }
int64_t sys_setfsuid(Syscall &call) {
    return set_filesystem_id(BSC_IDENTITY_USER_FILESYSTEM, call);
}
int64_t sys_setfsgid(Syscall &call) {
    return set_filesystem_id(BSC_IDENTITY_GROUP_FILESYSTEM, call);
}

// getgroups: the host's supplementary groups, in the kernel's (sorted) order, written
// by the host straight into the program's array.
int64_t sys_getgroups(Syscall &call) {
    auto size = static_cast<int32_t>(call.arg[0]);
    if (size < 0)
        return -EINVAL;
    uint32_t count = identity().group_count;
    if (size == 0)
        return count;
    if (static_cast<uint32_t>(size) < count)
        return -EINVAL;
    bsc_process_identity ids;
    bsc_status status = abi().process_identity_query(
        &ids, reinterpret_cast<uint32_t *>(call.arg[1]), static_cast<uint32_t>(size));
    return status == BSC_OK ? ids.group_count : result_of(status);
}

// setgroups: the list is the program's own memory, which the host's kernel reads itself
// after its checks of the privilege and the size, as it reads a program's.
int64_t sys_setgroups(Syscall &call) {
    return result_of(abi().thread_identity_set(
        BSC_IDENTITY_GROUPS, reinterpret_cast<const uint32_t *>(call.arg[1]),
        static_cast<uint32_t>(call.arg[0]), nullptr));
}

// ---- capget, capset -------------------------------------------------------------------

namespace {

// struct __user_cap_header_struct and __user_cap_data_struct: one data record per 32
// capabilities.
struct CapabilityHeader {
    uint32_t version;
    int32_t pid;
};
struct CapabilityWords {
    uint32_t effective, permitted, inheritable;
};

// The kernel's cap_validate_magic: the words of each set `version` names (version 1: the
// first 32 capabilities; 2 and 3: 64), or -EINVAL after writing the preferred version (how
// a program asks which one the kernel prefers), or -EFAULT.
int64_t capability_words(uint64_t header) {
    uint32_t version;
    if (!get_user(header, version))
        return -EFAULT;
    switch (version) {
    case _LINUX_CAPABILITY_VERSION_1: return _LINUX_CAPABILITY_U32S_1;
    case _LINUX_CAPABILITY_VERSION_2:
    case _LINUX_CAPABILITY_VERSION_3: return _LINUX_CAPABILITY_U32S_3;
    default:
        return put_user(header, uint32_t{_LINUX_CAPABILITY_VERSION_3}) ? -EINVAL : -EFAULT;
    }
}

// The host's capabilities of another process of the guest (its initial thread's).
bsc_status query_process(int32_t pid, bsc_capabilities &capabilities) {
    ProcessCard card;
    bsc_handle process = BSC_NO_HANDLE;
    if (!read_card(pid, card) || !card.host_id)
        return BSC_E_NOT_FOUND;
    if (bsc_status status = abi().process_open(card.host_id, &process))
        return status;
    bsc_status status = abi().thread_capabilities_query(process, &capabilities);
    abi().object_close(process);
    return status;
}

// The capabilities of thread or process `pid` (0: the caller): a thread of the process,
// or another process of the guest (its initial thread, as Linux reads a pid). A thread
// of another process is not known here: ESRCH, as for one that does not exist.
int64_t query_capabilities(int32_t pid, bsc_capabilities &capabilities) {
    bsc_status status = BSC_E_NOT_FOUND;
    if (pid == 0 || pid == current_tid())
        status = abi().thread_capabilities_query(BSC_NO_HANDLE, &capabilities);
    else if (thread_lives(pid))
        status = call_on_thread(pid, [&](bsc_handle thread) {
            return abi().thread_capabilities_query(thread, &capabilities);
        });
    if (status == BSC_E_NOT_FOUND && pid != 0 && process_exists(pid))
        status = query_process(pid, capabilities);
    return status == BSC_E_NOT_FOUND ? -ESRCH : result_of(status);
}

uint32_t word(uint64_t set, int64_t i) { return static_cast<uint32_t>(set >> (32 * i)); }

} // namespace

int64_t sys_capget(Syscall &call) {
    int64_t words = capability_words(call.arg[0]);
    uint64_t data = call.arg[1];
    if (!data || words < 0) // a null data pointer: only the version is checked (and probed)
        return !data && words == -EINVAL ? 0 : (words < 0 ? words : 0);
    int32_t pid;
    if (!get_user(call.arg[0] + __builtin_offsetof(CapabilityHeader, pid), pid))
        return -EFAULT;
    if (pid < 0)
        return -EINVAL;
    bsc_capabilities capabilities;
    if (int64_t error = query_capabilities(pid, capabilities))
        return error;
    CapabilityWords out[_LINUX_CAPABILITY_U32S_3];
    for (int64_t i = 0; i < words; i++)
        out[i] = {word(capabilities.effective, i), word(capabilities.permitted, i),
                  word(capabilities.inheritable, i)};
    return copy_to_user(data, out, words * sizeof(CapabilityWords)) ? 0 : -EFAULT;
}

// capset: of the calling thread only; version 1 sets the first 32 capabilities and clears
// the others, as Linux does. The host's kernel decides what may be raised (EPERM).
int64_t sys_capset(Syscall &call) {
    int64_t words = capability_words(call.arg[0]);
    if (words < 0)
        return words;
    int32_t pid;
    if (!get_user(call.arg[0] + __builtin_offsetof(CapabilityHeader, pid), pid))
        return -EFAULT;
    if (pid != 0 && pid != current_tid())
        return -EPERM;
    CapabilityWords in[_LINUX_CAPABILITY_U32S_3]{};
    if (!copy_from_user(in, call.arg[1], words * sizeof(CapabilityWords)))
        return -EFAULT;
    bsc_capabilities wanted{};
    for (int64_t i = 0; i < words; i++) {
        wanted.effective |= uint64_t{in[i].effective} << (32 * i);
        wanted.permitted |= uint64_t{in[i].permitted} << (32 * i);
        wanted.inheritable |= uint64_t{in[i].inheritable} << (32 * i);
    }
    return result_of(abi().thread_capabilities_set(&wanted));
}

} // namespace libos
