// SPDX-License-Identifier: MIT
// What the System V IPC families (sys/sysv_shm.cpp, sysv_sem.cpp, sysv_msg.cpp) share:
// the objects are the host's (the ABI's ipc_* calls), and this turns what the host reports
// into Linux's structures as the program sees them (its pids, its errno values), with the
// parts of shmctl, semctl and msgctl that are alike (IPC_STAT, IPC_SET, IPC_INFO).
#pragma once

#include <asm-generic/errno.h>

#include "kernel.h"
#include "signals.h"
#include "user_memory.h"

namespace libos {

// Linux's struct ipc64_perm (x86-64): the head of shmid64_ds, semid64_ds and msqid64_ds.
struct LinuxIpcPerm {
    int32_t key;
    uint32_t uid, gid, cuid, cgid, mode;
    uint16_t seq, pad;
    uint64_t unused[2];
};
static_assert(sizeof(LinuxIpcPerm) == 48);

// The commands every *ctl has.
inline constexpr int32_t kIpcRemove = 0, kIpcSet = 1, kIpcStat = 2, kIpcInfo = 3;

// The pid the program sees for a host process an object names (its creator, its last
// user): its pid in the guest, or 0 for a process that is not one of the guest's (or no
// longer is), as Linux shows a process outside the caller's pid namespace.
int32_t guest_pid(uint64_t host_id);

// shmget, semget, msgget: the object of `key` (made as `flags` say); its id, or -errno.
int64_t ipc_get(uint32_t kind, uint64_t key, uint64_t size, uint64_t flags);

// ipc_control with a structure of the LibOS's own as its data.
template <class T>
bsc_status ipc_control(uint32_t kind, int32_t id, uint32_t command, T &data,
                       uint64_t argument = 0) {
    return abi().ipc_control(kind, id, command, argument, &data, sizeof data);
}

// One of the host's limits of `kind` (IPC_INFO's value[which]), or `otherwise`.
uint64_t ipc_limit(uint32_t kind, uint32_t which, uint64_t otherwise);

// IPC_STAT, and the *_STAT commands by index: the host's state in Linux's structure
// `Linux` (its `perm`, the rest by fill(out, status)), copied to the program at `address`
// (EFAULT after the object was found, as Linux copies it out last); 0, or the object's
// id for a command by index.
template <class Linux, class Fill>
int64_t ipc_stat(uint32_t kind, int32_t id, uint32_t command, uint64_t address, Fill fill) {
    bsc_ipc_status status{};
    if (bsc_status error = ipc_control(kind, id, command, status))
        return result_of(error);
    Linux out{};
    out.perm = {status.key,  status.owner, status.group, status.creator, status.creator_group,
                status.mode, static_cast<uint16_t>(status.sequence), 0, {0, 0}};
    fill(out, status);
    if (!copy_to_user(address, &out, sizeof out))
        return -EFAULT;
    return command == BSC_IPC_STAT ? 0 : status.id;
}

// IPC_SET: the program's structure is read first (EFAULT before anything is looked up, as
// Linux copies it in first); its owner, group and mode bits, and what more(status, in)
// takes, are set.
template <class Linux, class More>
int64_t ipc_set(uint32_t kind, int32_t id, uint64_t address, More more) {
    Linux in;
    if (!copy_from_user(&in, address, sizeof in))
        return -EFAULT;
    bsc_ipc_status status{};
    status.owner = in.perm.uid;
    status.group = in.perm.gid;
    status.mode = in.perm.mode;
    more(status, in);
    return result_of(ipc_control(kind, id, BSC_IPC_SET, status));
}

// IPC_INFO and the *_INFO command: the host's numbers in Linux's structure `Info`, filled
// by fill(info, values), copied to the program; the highest index in use.
template <class Info, class Fill>
int64_t ipc_info(uint32_t kind, int32_t id, uint32_t command, uint64_t address, Fill fill) {
    bsc_ipc_limits limits{};
    if (bsc_status error = ipc_control(kind, id, command, limits))
        return result_of(error);
    Info info{};
    fill(info, limits.value);
    if (!copy_to_user(address, &info, sizeof info))
        return -EFAULT;
    return limits.highest;
}

// Whether the process has asked for a semaphore operation with SEM_UNDO (sys/sysv_sem.cpp):
// from then on the host's kernel keeps an undo list for it.
bool semaphore_undo_taken();

// A call the host may end early for an interrupt (semop, msgsnd, msgrcv): made again
// while the interrupt brought no signal for the thread; a signal fails it with EINTR,
// which Linux gives these calls whatever SA_RESTART says (signal(7)). `call()` makes it
// once and returns its status.
template <class Call> bsc_status ipc_wait(Call call) {
    bsc_status status;
    while ((status = call()) == BSC_E_INTERRUPTED)
        if (signal_pending())
            break;
    return status;
}

} // namespace libos
