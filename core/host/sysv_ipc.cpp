// SPDX-License-Identifier: MIT
// System V IPC: ipc_get, ipc_control, ipc_semaphore_operate, ipc_message_send and
// ipc_message_receive (ipc_shared_memory_attach is in memory.cpp, beside the region map).
// The objects are the host kernel's, machine-wide as Linux keeps them, so the processes of
// a guest tree (each a host process of its own) and every other program of the machine
// share them. Each call is the Linux system call itself, made raw, so that the kernel
// decides every answer in its own order: its permission checks with the calling thread's
// ids (thread_identity_set), its limits, the undo of SEM_UNDO when the process ends.
#include <linux/msg.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <sys/syscall.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.h"
#include "guest_memory.h"
#include "host_calls.h"
#include "internal.h"
#include "objects.h"

using namespace bsc;
using namespace bsc::host;

static_assert(BSC_IPC_CREATE == IPC_CREAT && BSC_IPC_EXCLUSIVE == IPC_EXCL &&
              BSC_IPC_NO_WAIT == IPC_NOWAIT && BSC_IPC_HUGE_PAGES == SHM_HUGETLB &&
              BSC_IPC_NO_RESERVE == SHM_NORESERVE);
static_assert(BSC_ATTACH_READ_ONLY == SHM_RDONLY && BSC_ATTACH_ROUND == SHM_RND &&
              BSC_ATTACH_REPLACE == SHM_REMAP && BSC_ATTACH_EXEC == SHM_EXEC);
static_assert(BSC_SEM_UNDO == SEM_UNDO && BSC_MSG_NO_ERROR == MSG_NOERROR &&
              BSC_MSG_EXCEPT == MSG_EXCEPT && BSC_MSG_COPY == MSG_COPY);
static_assert(sizeof(bsc_semaphore_operation) == sizeof(sembuf));

namespace bsc::host {

bsc_status ipc_status(int error) {
    switch (error) {
    case ERANGE: return BSC_E_OUT_OF_RANGE;
    case E2BIG: return BSC_E_TOO_LONG;
    default: return status_from_errno(error);
    }
}

bsc_status shared_segment_size(int32_t id, uint64_t &size) {
    shmid64_ds ds{};
    if (::syscall(SYS_shmctl, id, IPC_STAT, &ds) != 0)
        return ipc_status(errno);
    size = ds.shm_segsz;
    return BSC_OK;
}

} // namespace bsc::host

namespace {

// An address every kernel refuses (no user address): a guest buffer that does not lie in
// guest memory is passed as this, so that the kernel still makes every check it makes
// before it reads or writes the buffer, and answers EFAULT where Linux would.
void *const kRefusedAddress = reinterpret_cast<void *>(uintptr_t{1} << 63);

void *guest_buffer(const void *guest, uint64_t size) {
    auto at = reinterpret_cast<uint64_t>(guest);
    return guest_owns(at, size) ? const_cast<void *>(guest) : kRefusedAddress;
}

bsc_status result(long value) { return value < 0 ? ipc_status(errno) : BSC_OK; }

// The data of ipc_control: a structure the call writes or reads, `size` at least its own.
template <class T> bsc_status give(void *data, uint64_t size, const T &value) {
    return size < sizeof(T) ? BSC_E_INVALID : copy_to_guest(data, &value, sizeof(T));
}
template <class T> bsc_status take(const void *data, uint64_t size, T &value) {
    return size < sizeof(T) ? BSC_E_INVALID : copy_from_guest(&value, data, sizeof(T));
}

void put_permissions(const ipc64_perm &perm, bsc_ipc_status &out) {
    out.key = perm.key;
    out.owner = perm.uid;
    out.group = perm.gid;
    out.creator = perm.cuid;
    out.creator_group = perm.cgid;
    out.mode = perm.mode;
    out.sequence = perm.seq;
}

void take_permissions(const bsc_ipc_status &in, ipc64_perm &perm) {
    perm.uid = in.owner;
    perm.gid = in.group;
    perm.mode = in.mode;
}

// The object's id in `out` for the *_STAT commands by index (the kernel's result).
bsc_status give_status(void *data, uint64_t size, bsc_ipc_status out, long id) {
    out.id = static_cast<int32_t>(id);
    return give(data, size, out);
}

template <class Info> bsc_status give_limits(void *data, uint64_t size, long highest,
                                             const Info &info) {
    bsc_ipc_limits out{};
    out.highest = highest;
    info(out.value);
    return give(data, size, out);
}

// ---- shared memory ----

bsc_status shared_memory_status(int32_t id, int command, void *data, uint64_t size) {
    shmid64_ds ds{};
    long found = ::syscall(SYS_shmctl, id, command, &ds);
    if (found < 0)
        return ipc_status(errno);
    bsc_ipc_status out{};
    put_permissions(ds.shm_perm, out);
    out.size = ds.shm_segsz;
    out.count = ds.shm_nattch;
    out.last_time[0] = ds.shm_atime;
    out.last_time[1] = ds.shm_dtime;
    out.change_time = ds.shm_ctime;
    out.process[0] = static_cast<uint64_t>(ds.shm_cpid);
    out.process[1] = static_cast<uint64_t>(ds.shm_lpid);
    return give_status(data, size, out, command == IPC_STAT ? id : found);
}

bsc_status shared_memory_control(int32_t id, uint32_t command, void *data, uint64_t size) {
    switch (command) {
    case BSC_IPC_REMOVE: return result(::syscall(SYS_shmctl, id, IPC_RMID, nullptr));
    case BSC_IPC_LOCK: return result(::syscall(SYS_shmctl, id, SHM_LOCK, nullptr));
    case BSC_IPC_UNLOCK: return result(::syscall(SYS_shmctl, id, SHM_UNLOCK, nullptr));
    case BSC_IPC_STAT: return shared_memory_status(id, IPC_STAT, data, size);
    case BSC_IPC_STAT_INDEX: return shared_memory_status(id, SHM_STAT, data, size);
    case BSC_IPC_STAT_INDEX_ANY: return shared_memory_status(id, SHM_STAT_ANY, data, size);
    case BSC_IPC_SET: {
        bsc_ipc_status in{};
        if (bsc_status status = take(data, size, in))
            return status;
        shmid64_ds ds{};
        take_permissions(in, ds.shm_perm);
        return result(::syscall(SYS_shmctl, id, IPC_SET, &ds));
    }
    case BSC_IPC_LIMITS: {
        shminfo64 info{};
        long highest = ::syscall(SYS_shmctl, id, IPC_INFO, &info);
        if (highest < 0)
            return ipc_status(errno);
        return give_limits(data, size, highest, [&](uint64_t *v) {
            v[0] = info.shmmax, v[1] = info.shmmin, v[2] = info.shmmni, v[3] = info.shmseg,
            v[4] = info.shmall;
        });
    }
    case BSC_IPC_USAGE: {
        shm_info info{};
        long highest = ::syscall(SYS_shmctl, id, SHM_INFO, &info);
        if (highest < 0)
            return ipc_status(errno);
        return give_limits(data, size, highest, [&](uint64_t *v) {
            v[0] = static_cast<uint64_t>(info.used_ids), v[1] = info.shm_tot, v[2] = info.shm_rss,
            v[3] = info.shm_swp, v[4] = info.swap_attempts, v[5] = info.swap_successes;
        });
    }
    default: return BSC_E_INVALID;
    }
}

// ---- semaphores ----

long semaphore_call(int32_t id, uint64_t number, int command, const void *argument) {
    return ::syscall(SYS_semctl, id, static_cast<int>(number), command, argument);
}

bsc_status semaphores_status(int32_t id, int command, void *data, uint64_t size) {
    semid64_ds ds{};
    long found = semaphore_call(id, 0, command, &ds);
    if (found < 0)
        return ipc_status(errno);
    bsc_ipc_status out{};
    put_permissions(ds.sem_perm, out);
    out.size = ds.sem_nsems;
    out.last_time[0] = ds.sem_otime;
    out.change_time = ds.sem_ctime;
    return give_status(data, size, out, command == IPC_STAT ? id : found);
}

// How many semaphores set `id` has, whoever may read it (SEM_STAT_ANY by its index, since
// Linux 4.17; the index is the id's low 15 bits, or 24 with ipcmni_extend); 0 if unknown.
uint64_t semaphore_count(int32_t id) {
    for (int32_t mask : {0x7fff, 0xffffff}) {
        semid64_ds ds{};
        if (semaphore_call(id & mask, 0, SEM_STAT_ANY, &ds) == id)
            return ds.sem_nsems;
    }
    semid64_ds ds{};
    return semaphore_call(id, 0, IPC_STAT, &ds) == 0 ? ds.sem_nsems : 0;
}

// GETALL and SETALL: the kernel reads or writes the set's values in guest memory, if
// `size` holds them all; a smaller buffer is one it would fault on.
bsc_status semaphore_values(int32_t id, int command, void *data, uint64_t size) {
    uint64_t needed = semaphore_count(id) * sizeof(uint16_t);
    void *values = needed <= size ? guest_buffer(data, needed) : kRefusedAddress;
    return result(semaphore_call(id, 0, command, values));
}

// The commands that answer a number (GETVAL, GETPID, GETNCNT, GETZCNT).
bsc_status semaphore_number(int32_t id, uint64_t number, int command, void *data, uint64_t size) {
    long value = semaphore_call(id, number, command, nullptr);
    if (value < 0)
        return ipc_status(errno);
    return give(data, size, int64_t{value});
}

bsc_status semaphores_control(int32_t id, uint32_t command, uint64_t argument, void *data,
                              uint64_t size) {
    switch (command) {
    case BSC_IPC_REMOVE: return result(semaphore_call(id, 0, IPC_RMID, nullptr));
    case BSC_IPC_STAT: return semaphores_status(id, IPC_STAT, data, size);
    case BSC_IPC_STAT_INDEX: return semaphores_status(id, SEM_STAT, data, size);
    case BSC_IPC_STAT_INDEX_ANY: return semaphores_status(id, SEM_STAT_ANY, data, size);
    case BSC_IPC_SET: {
        bsc_ipc_status in{};
        if (bsc_status status = take(data, size, in))
            return status;
        semid64_ds ds{};
        take_permissions(in, ds.sem_perm);
        return result(semaphore_call(id, 0, IPC_SET, &ds));
    }
    case BSC_IPC_LIMITS:
    case BSC_IPC_USAGE: {
        seminfo info{};
        long highest =
            semaphore_call(id, 0, command == BSC_IPC_LIMITS ? IPC_INFO : SEM_INFO, &info);
        if (highest < 0)
            return ipc_status(errno);
        return give_limits(data, size, highest, [&](uint64_t *v) {
            const int fields[] = {info.semmap, info.semmni, info.semmns, info.semmnu,
                                  info.semmsl, info.semopm, info.semume, info.semusz,
                                  info.semvmx, info.semaem};
            for (size_t i = 0; i < 10; i++)
                v[i] = static_cast<uint64_t>(fields[i]);
        });
    }
    case BSC_IPC_SEM_VALUE: return semaphore_number(id, argument, GETVAL, data, size);
    case BSC_IPC_SEM_PROCESS: return semaphore_number(id, argument, GETPID, data, size);
    case BSC_IPC_SEM_WAITING: return semaphore_number(id, argument, GETNCNT, data, size);
    case BSC_IPC_SEM_WAITING_ZERO: return semaphore_number(id, argument, GETZCNT, data, size);
    case BSC_IPC_SEM_SET_VALUE: {
        int64_t value = 0;
        if (bsc_status status = take(data, size, value))
            return status;
        // semun is passed by value: its int in the argument's low 32 bits.
        return result(::syscall(SYS_semctl, id, static_cast<int>(argument), SETVAL,
                                static_cast<unsigned long>(static_cast<uint32_t>(value))));
    }
    case BSC_IPC_SEM_VALUES: return semaphore_values(id, GETALL, data, size);
    case BSC_IPC_SEM_SET_VALUES: return semaphore_values(id, SETALL, data, size);
    case BSC_IPC_SEM_COUNT: {
        uint64_t count = semaphore_count(id);
        if (count == 0) // no such set: the kernel's own answer
            return result(semaphore_call(id, 0, GETALL, kRefusedAddress));
        return give(data, size, static_cast<int64_t>(count));
    }
    default: return BSC_E_INVALID;
    }
}

// ---- messages ----

bsc_status messages_status(int32_t id, int command, void *data, uint64_t size) {
    msqid64_ds ds{};
    long found = ::syscall(SYS_msgctl, id, command, &ds);
    if (found < 0)
        return ipc_status(errno);
    bsc_ipc_status out{};
    put_permissions(ds.msg_perm, out);
    out.size = ds.msg_qbytes;
    out.count = ds.msg_qnum;
    out.bytes = ds.msg_cbytes;
    out.last_time[0] = ds.msg_stime;
    out.last_time[1] = ds.msg_rtime;
    out.change_time = ds.msg_ctime;
    out.process[0] = static_cast<uint64_t>(ds.msg_lspid);
    out.process[1] = static_cast<uint64_t>(ds.msg_lrpid);
    return give_status(data, size, out, command == IPC_STAT ? id : found);
}

bsc_status messages_control(int32_t id, uint32_t command, void *data, uint64_t size) {
    switch (command) {
    case BSC_IPC_REMOVE: return result(::syscall(SYS_msgctl, id, IPC_RMID, nullptr));
    case BSC_IPC_STAT: return messages_status(id, IPC_STAT, data, size);
    case BSC_IPC_STAT_INDEX: return messages_status(id, MSG_STAT, data, size);
    case BSC_IPC_STAT_INDEX_ANY: return messages_status(id, MSG_STAT_ANY, data, size);
    case BSC_IPC_SET: {
        bsc_ipc_status in{};
        if (bsc_status status = take(data, size, in))
            return status;
        msqid64_ds ds{};
        take_permissions(in, ds.msg_perm);
        ds.msg_qbytes = in.size;
        return result(::syscall(SYS_msgctl, id, IPC_SET, &ds));
    }
    case BSC_IPC_LIMITS:
    case BSC_IPC_USAGE: {
        msginfo info{};
        long highest =
            ::syscall(SYS_msgctl, id, command == BSC_IPC_LIMITS ? IPC_INFO : MSG_INFO, &info);
        if (highest < 0)
            return ipc_status(errno);
        return give_limits(data, size, highest, [&](uint64_t *v) {
            const int fields[] = {info.msgpool, info.msgmap, info.msgmax, info.msgmnb,
                                  info.msgmni,  info.msgssz, info.msgtql};
            for (size_t i = 0; i < 7; i++)
                v[i] = static_cast<uint64_t>(fields[i]);
            v[7] = info.msgseg;
        });
    }
    default: return BSC_E_INVALID;
    }
}

// The host's largest message (msgmax), or 0 if it cannot be read.
uint64_t message_limit() {
    msginfo info{};
    return ::syscall(SYS_msgctl, 0, IPC_INFO, &info) >= 0 ? static_cast<uint64_t>(info.msgmax) : 0;
}

// A call that may wait, made through blocking_syscall: if an interrupt ended its wait (or
// came before it began), it is made once more with IPC_NOWAIT by `again`, and reported
// INTERRUPTED only if it would have waited (`would_wait`, the kernel's errno for that).
template <class Again>
bsc_status wait_or_interrupt(long first, int would_wait, Again &&again) {
    if (first >= 0)
        return BSC_OK;
    if (errno != EINTR)
        return ipc_status(errno);
    if (again() >= 0)
        return BSC_OK;
    return errno == would_wait ? BSC_E_INTERRUPTED : ipc_status(errno);
}

} // namespace

extern "C" bsc_status host_ipc_get(uint32_t kind, int32_t key, uint64_t size, uint32_t flags,
                                   int32_t *id) {
    if (bsc_status status = probe_out(id))
        return status;
    constexpr uint32_t kCommon = 0777 | BSC_IPC_CREATE | BSC_IPC_EXCLUSIVE;
    constexpr uint32_t kHugePageSize = 0x3fu << 26;
    long made;
    switch (kind) {
    case BSC_IPC_SHARED_MEMORY:
        made = ::syscall(SYS_shmget, key, size,
                         flags & (kCommon | BSC_IPC_HUGE_PAGES | BSC_IPC_NO_RESERVE | kHugePageSize));
        break;
    case BSC_IPC_SEMAPHORES:
        made = ::syscall(SYS_semget, key, static_cast<int32_t>(size), flags & kCommon);
        break;
    case BSC_IPC_MESSAGES: made = ::syscall(SYS_msgget, key, flags & kCommon); break;
    default: return BSC_E_INVALID;
    }
    if (made < 0)
        return ipc_status(errno);
    return write_guest(id, static_cast<int32_t>(made));
}

extern "C" bsc_status host_ipc_control(uint32_t kind, int32_t id, uint32_t command,
                                       uint64_t argument, void *data, uint64_t size) {
    switch (kind) {
    case BSC_IPC_SHARED_MEMORY: return shared_memory_control(id, command, data, size);
    case BSC_IPC_SEMAPHORES: return semaphores_control(id, command, argument, data, size);
    case BSC_IPC_MESSAGES: return messages_control(id, command, data, size);
    default: return BSC_E_INVALID;
    }
}

// A timeout other than BSC_WAIT_FOREVER that is negative is passed as an invalid
// timespec, which the kernel refuses (EINVAL) only after it has checked the operations.
extern "C" bsc_status host_ipc_semaphore_operate(int32_t id,
                                                 const bsc_semaphore_operation *operations,
                                                 uint32_t count, int64_t timeout_ns) {
    timespec timeout{-1, 0};
    if (timeout_ns >= 0)
        timeout = {static_cast<time_t>(timeout_ns / 1000000000),
                   static_cast<long>(timeout_ns % 1000000000)};
    timespec *limit = timeout_ns == BSC_WAIT_FOREVER ? nullptr : &timeout;
    void *ops = guest_buffer(operations, uint64_t{count} * sizeof *operations);
    long first = blocking_syscall(SYS_semtimedop, id, reinterpret_cast<long>(ops), count,
                                  reinterpret_cast<long>(limit));
    return wait_or_interrupt(first, EAGAIN, [&]() -> long {
        // Once more without waiting: a copy of the operations, each with IPC_NOWAIT. One
        // that cannot be copied fails again at once (the kernel cannot read it either).
        std::vector<bsc_semaphore_operation> copy(count <= 65536 ? count : 0);
        if (copy.size() != count || copy_from_guest(copy.data(), operations,
                                                    copy.size() * sizeof copy[0]) != BSC_OK)
            return count > 65536 ? (errno = EAGAIN, -1) // none has so many: E2BIG came first
                                 : ::syscall(SYS_semtimedop, id, ops, count, limit);
        for (auto &op : copy)
            op.flags = static_cast<int16_t>(op.flags | IPC_NOWAIT);
        return ::syscall(SYS_semtimedop, id, copy.data(), count, limit);
    });
}

// A message the guest does not own whole: the kernel reads its type first (EFAULT), then
// refuses a size over msgmax, a type below 1 (EINVAL), and only then reads the text.
extern "C" bsc_status host_ipc_message_send(int32_t id, const void *message, uint64_t size,
                                            uint32_t flags) {
    if (size < sizeof(int64_t))
        return BSC_E_INVALID;
    uint64_t text = size - sizeof(int64_t);
    void *buffer = guest_buffer(message, size);
    if (buffer == kRefusedAddress) {
        int64_t type;
        if (read_guest(static_cast<const int64_t *>(message), type) != BSC_OK)
            return BSC_E_FAULT;
        return id < 0 || type < 1 || text > message_limit() ? BSC_E_INVALID : BSC_E_FAULT;
    }
    long wait = flags & BSC_IPC_NO_WAIT;
    long first = blocking_syscall(SYS_msgsnd, id, reinterpret_cast<long>(buffer),
                                  static_cast<long>(text), wait);
    return wait_or_interrupt(first, EAGAIN, [&] {
        return ::syscall(SYS_msgsnd, id, buffer, text, wait | IPC_NOWAIT);
    });
}

// A buffer the guest does not own whole is received into the host's memory first (as
// much as the host's largest message needs) and copied: the message is taken off the
// queue whether or not the copy succeeds, as Linux takes it before it writes.
extern "C" bsc_status host_ipc_message_receive(int32_t id, void *message, uint64_t size,
                                               int64_t type, uint32_t flags,
                                               uint64_t *length) {
    if (size < sizeof(int64_t))
        return BSC_E_INVALID;
    if (bsc_status status = probe_out(length))
        return status;
    uint64_t text = size - sizeof(int64_t);
    std::vector<char> bounce;
    void *buffer = guest_buffer(message, size);
    if (buffer == kRefusedAddress) {
        bounce.resize(sizeof(int64_t) + std::min(text, message_limit()));
        text = bounce.size() - sizeof(int64_t);
        buffer = bounce.data();
    }
    long mode = flags & (BSC_IPC_NO_WAIT | BSC_MSG_NO_ERROR | BSC_MSG_EXCEPT | BSC_MSG_COPY);
    long got = blocking_syscall(SYS_msgrcv, id, reinterpret_cast<long>(buffer),
                                static_cast<long>(text), type, mode);
    bsc_status status = wait_or_interrupt(got, ENOMSG, [&] {
        return got = ::syscall(SYS_msgrcv, id, buffer, text, type, mode | IPC_NOWAIT);
    });
    if (status != BSC_OK)
        return status;
    uint64_t received = sizeof(int64_t) + static_cast<uint64_t>(got);
    if (!bounce.empty() && copy_to_guest(message, bounce.data(), received) != BSC_OK)
        return BSC_E_FAULT;
    return write_guest(length, received);
}
