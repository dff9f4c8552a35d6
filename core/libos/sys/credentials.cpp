// SPDX-License-Identifier: MIT
// The guest's user and group ids: the host process's own, which the LibOS reports and
// never changes. A set*id call answers as Linux would for these ids and the host's
// privileges; one that would change an id fails with EPERM (Linux's answer to a caller
// without the privilege), since the runtime's own ids must stay.
#include <asm-generic/errno.h>

#include "heap.h"
#include "process_state.h"
#include "syscalls.h"
#include "user_memory.h"

namespace libos {
namespace {

constexpr uint32_t kUnchanged = ~uint32_t{0}; // (uid_t)-1: "leave it", and no valid id
constexpr uint32_t kMaxGroups = 65536;        // NGROUPS_MAX

// One kind of id: real, effective, saved and file-system.
struct Ids {
    uint32_t real, effective, saved, filesystem;
    bool operator==(const Ids &) const = default;
};

Ids user_ids() {
    bsc_process_identity i = identity();
    return {i.user_id, i.effective_user_id, i.saved_user_id, i.filesystem_user_id};
}

Ids group_ids() {
    bsc_process_identity i = identity();
    return {i.group_id, i.effective_group_id, i.saved_group_id, i.filesystem_group_id};
}

bool is_current(const Ids &ids, uint32_t id) {
    return id == ids.real || id == ids.effective || id == ids.saved;
}

// The change Linux would make: none is made; a real change is refused with EPERM.
int64_t settle(const Ids &now, const Ids &wanted, const char *call) {
    if (wanted == now)
        return 0;
    report_unsupported(call, "changing an id");
    return -EPERM;
}

// setuid / setgid (kernel/sys.c): the privileged take every id; others only the real or
// saved one, as effective and file-system id.
int64_t set_id(const Ids &now, uint32_t id, bool privileged, const char *call) {
    if (id == kUnchanged)
        return -EINVAL;
    Ids wanted = now;
    if (privileged)
        wanted.real = wanted.saved = id;
    else if (id != now.real && id != now.saved)
        return -EPERM;
    wanted.effective = wanted.filesystem = id;
    return settle(now, wanted, call);
}

// setreuid / setregid: the real id from the real or effective one, the effective from any
// of the three; the saved id follows the effective one when the real changes or the
// effective leaves the real one.
int64_t set_real_effective(const Ids &now, uint32_t real, uint32_t effective, bool privileged,
                           const char *call) {
    Ids wanted = now;
    if (real != kUnchanged) {
        if (real != now.real && real != now.effective && !privileged)
            return -EPERM;
        wanted.real = real;
    }
    if (effective != kUnchanged) {
        if (!is_current(now, effective) && !privileged)
            return -EPERM;
        wanted.effective = effective;
    }
    if (real != kUnchanged || (effective != kUnchanged && effective != now.real))
        wanted.saved = wanted.effective;
    wanted.filesystem = wanted.effective;
    return settle(now, wanted, call);
}

// setresuid / setresgid: each id from any of the three current ones unless privileged.
int64_t set_real_effective_saved(const Ids &now, uint32_t real, uint32_t effective,
                                 uint32_t saved, bool privileged, const char *call) {
    const uint32_t wanted_ids[] = {real, effective, saved};
    for (uint32_t id : wanted_ids)
        if (id != kUnchanged && !is_current(now, id) && !privileged)
            return -EPERM;
    Ids wanted = now;
    wanted.real = real == kUnchanged ? now.real : real;
    wanted.effective = effective == kUnchanged ? now.effective : effective;
    wanted.saved = saved == kUnchanged ? now.saved : saved;
    wanted.filesystem = wanted.effective;
    return settle(now, wanted, call);
}

// setfsuid / setfsgid: the old file-system id, whatever happens. A change Linux would make
// is not made (a caller sees it by asking again, as it sees Linux's own refusals).
int64_t set_filesystem_id(const Ids &now, uint32_t id, bool privileged, const char *call) {
    if (id != kUnchanged && id != now.filesystem && (is_current(now, id) || privileged))
        report_unsupported(call, "changing an id");
    return now.filesystem;
}

int64_t put_ids(const Syscall &call, const Ids &ids) {
    return put_user(call.arg[0], ids.real) && put_user(call.arg[1], ids.effective) &&
                   put_user(call.arg[2], ids.saved)
               ? 0
               : -EFAULT;
}

uint32_t id_arg(uint64_t arg) { return static_cast<uint32_t>(arg); }

} // namespace

bsc_process_identity identity() {
    bsc_process_identity ids{};
    abi().process_identity_query(&ids, nullptr, 0);
    return ids;
}

bool privileged(uint32_t privilege) { return identity().privileges & privilege; }

int64_t sys_getuid(Syscall &) { return user_ids().real; }
int64_t sys_geteuid(Syscall &) { return user_ids().effective; }
int64_t sys_getgid(Syscall &) { return group_ids().real; }
int64_t sys_getegid(Syscall &) { return group_ids().effective; }
int64_t sys_getresuid(Syscall &call) { return put_ids(call, user_ids()); }
int64_t sys_getresgid(Syscall &call) { return put_ids(call, group_ids()); }

int64_t sys_setuid(Syscall &call) {
    return set_id(user_ids(), id_arg(call.arg[0]), privileged(BSC_PRIVILEGE_SET_USER_IDS),
                  "setuid");
}
int64_t sys_setgid(Syscall &call) {
    return set_id(group_ids(), id_arg(call.arg[0]), privileged(BSC_PRIVILEGE_SET_GROUP_IDS),
                  "setgid");
}
int64_t sys_setreuid(Syscall &call) {
    return set_real_effective(user_ids(), id_arg(call.arg[0]), id_arg(call.arg[1]),
                              privileged(BSC_PRIVILEGE_SET_USER_IDS), "setreuid");
}
int64_t sys_setregid(Syscall &call) {
    return set_real_effective(group_ids(), id_arg(call.arg[0]), id_arg(call.arg[1]),
                              privileged(BSC_PRIVILEGE_SET_GROUP_IDS), "setregid");
}
int64_t sys_setresuid(Syscall &call) {
    return set_real_effective_saved(user_ids(), id_arg(call.arg[0]), id_arg(call.arg[1]),
                                    id_arg(call.arg[2]), privileged(BSC_PRIVILEGE_SET_USER_IDS),
                                    "setresuid");
}
int64_t sys_setresgid(Syscall &call) {
    return set_real_effective_saved(group_ids(), id_arg(call.arg[0]), id_arg(call.arg[1]),
                                    id_arg(call.arg[2]),
                                    privileged(BSC_PRIVILEGE_SET_GROUP_IDS), "setresgid");
}
int64_t sys_setfsuid(Syscall &call) {
    return set_filesystem_id(user_ids(), id_arg(call.arg[0]),
                             privileged(BSC_PRIVILEGE_SET_USER_IDS), "setfsuid");
}
int64_t sys_setfsgid(Syscall &call) {
    return set_filesystem_id(group_ids(), id_arg(call.arg[0]),
                             privileged(BSC_PRIVILEGE_SET_GROUP_IDS), "setfsgid");
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

// Whether the `count` groups at `list` in the program's memory are the host's groups (as
// a set: Linux sorts them): 1, 0, or -EFAULT / -EINVAL for an unreadable or invalid id.
int64_t same_groups(uint64_t list, uint32_t count) {
    bsc_process_identity ids;
    abi().process_identity_query(&ids, nullptr, 0);
    size_t bytes = (ids.group_count + 1) * sizeof(uint32_t);
    auto *groups = static_cast<uint32_t *>(allocate(bytes));
    abi().process_identity_query(&ids, groups, ids.group_count);
    bool same = count == ids.group_count;
    int64_t result = 0;
    for (uint32_t i = 0; i < count && result == 0; i++) {
        uint32_t group;
        if (!get_user(list + i * sizeof(uint32_t), group))
            result = -EFAULT;
        else if (group == kUnchanged)
            result = -EINVAL;
        bool found = false;
        for (uint32_t j = 0; same && j < ids.group_count; j++)
            found = found || groups[j] == group;
        same = same && found;
    }
    release(groups, bytes);
    return result < 0 ? result : same;
}

// setgroups: Linux's checks; the privileged may set only the groups they have already.
int64_t sys_setgroups(Syscall &call) {
    auto size = static_cast<int32_t>(call.arg[0]);
    if (!privileged(BSC_PRIVILEGE_SET_GROUP_IDS))
        return -EPERM;
    if (static_cast<uint32_t>(size) > kMaxGroups)
        return -EINVAL;
    int64_t same = same_groups(call.arg[1], static_cast<uint32_t>(size));
    if (same != 0)
        return same < 0 ? same : 0;
    report_unsupported("setgroups", "changing the groups");
    return -EPERM;
}

} // namespace libos
