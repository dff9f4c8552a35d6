// SPDX-License-Identifier: MIT
// System V semaphores: semget, semop, semtimedop, semctl. The sets are the host's
// (ipc_get, ipc_control, ipc_semaphore_operate): its kernel waits, undoes SEM_UNDO when
// the process ends, and checks permissions with the thread's ids.
#include "heap.h"
#include "syscalls.h"
#include "sysv_ipc.h"
#include "timespec.h"

namespace libos {
namespace {

constexpr uint32_t kKind = BSC_IPC_SEMAPHORES;
constexpr int32_t kGetPid = 11, kGetVal = 12, kGetAll = 13, kGetNcnt = 14, kGetZcnt = 15,
                  kSetVal = 16, kSetAll = 17, kSemStat = 18, kSemInfo = 19, kSemStatAny = 20;
// More operations than this in one call may be over the host's semopm (E2BIG): then the
// limit is asked for, so that the host never reads a list longer than it allows.
constexpr uint32_t kFewOperations = 32;
constexpr uint32_t kSemopmIndex = 5; // seminfo's semopm
// The longest timeout counted (about 73 years): a deadline from now cannot overflow.
constexpr int64_t kLongest = INT64_MAX / 4;

// Linux's struct semid64_ds and seminfo (x86-64).
struct SemidDs {
    LinuxIpcPerm perm;
    int64_t otime;
    uint64_t unused1;
    int64_t ctime;
    uint64_t unused2, nsems, unused3, unused4;
};
struct SemInfo {
    int32_t semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};
static_assert(sizeof(SemidDs) == 104 && sizeof(SemInfo) == 40);

int64_t stat(int32_t id, uint32_t command, uint64_t address) {
    return ipc_stat<SemidDs>(kKind, id, command, address,
                             [](SemidDs &out, const bsc_ipc_status &s) {
                                 out.otime = s.last_time[0];
                                 out.ctime = s.change_time;
                                 out.nsems = s.size;
                             });
}

// GETVAL, GETPID, GETNCNT, GETZCNT: the host's number for semaphore `number`.
int64_t semaphore_number(int32_t id, int32_t number, uint32_t command) {
    int64_t value = 0;
    if (bsc_status status =
            ipc_control(kKind, id, command, value, static_cast<uint32_t>(number)))
        return result_of(status);
    return command == BSC_IPC_SEM_PROCESS ? guest_pid(static_cast<uint64_t>(value)) : value;
}

// GETALL and SETALL: the set's values pass through a buffer of the LibOS's own, as many
// as the set has (the host's SEM_COUNT, which needs no permission, as SETALL needs only
// the write permission). The program's array is read or written where Linux does: SETALL
// reads it after the set is found and the permission checked (a bad array makes the host
// ask with none, so that its kernel answers in that order), GETALL writes it last.
int64_t all_values(int32_t id, uint64_t address, bool set) {
    int64_t count = 0;
    if (bsc_status status = ipc_control(kKind, id, BSC_IPC_SEM_COUNT, count))
        return result_of(status);
    uint64_t size = static_cast<uint64_t>(count) * sizeof(uint16_t);
    auto *values = static_cast<uint16_t *>(allocate(size + sizeof(uint16_t))); // never 0
    uint32_t command = set ? BSC_IPC_SEM_SET_VALUES : BSC_IPC_SEM_VALUES;
    bool readable = !set || copy_from_user(values, address, size);
    bsc_status status = abi().ipc_control(kKind, id, command, 0, readable ? values : nullptr,
                                          readable ? size : 0);
    int64_t result = result_of(status);
    if (status == BSC_OK && !set && !copy_to_user(address, values, size))
        result = -EFAULT;
    release(values, size + sizeof(uint16_t));
    return result;
}

// Whether an operation with SEM_UNDO was asked (the host's kernel keeps an undo list for
// the process from then on: semaphore_undo_taken).
bool undo_taken;

void note_undo(uint64_t operations, uint32_t count) {
    for (uint32_t i = 0; i < count && !undo_taken; i++) {
        bsc_semaphore_operation op;
        if (copy_from_user(&op, operations + i * sizeof op, sizeof op) && (op.flags & BSC_SEM_UNDO))
            undo_taken = true;
    }
}

// semop and semtimedop: `timeout_ns` is BSC_WAIT_FOREVER, a relative time, or another
// negative number for a timespec Linux refuses (EINVAL once the operations are checked).
// The time left is worked out again when the call is made again after an interrupt.
// Linux's order: too many operations (E2BIG), none (EINVAL), then the list is read
// (EFAULT) before the id is looked at; the host's kernel makes the checks after the first
// two.
int64_t operate(int32_t id, uint64_t operations, uint32_t count, int64_t timeout_ns) {
    if (count > kFewOperations && count > ipc_limit(kKind, kSemopmIndex, UINT32_MAX))
        return -E2BIG;
    if (count < 1)
        return -EINVAL;
    note_undo(operations, count);
    bool timed = timeout_ns >= 0;
    int64_t deadline = timed ? clock_now(BSC_CLOCK_MONOTONIC) + timeout_ns : 0;
    bsc_status status = ipc_wait([&] {
        int64_t left = timeout_ns;
        if (timed) {
            left = deadline - clock_now(BSC_CLOCK_MONOTONIC);
            left = left > 0 ? left : 0;
        }
        return abi().ipc_semaphore_operate(
            id, reinterpret_cast<const bsc_semaphore_operation *>(operations), count, left);
    });
    return result_of(status);
}

} // namespace

bool semaphore_undo_taken() { return undo_taken; }

int64_t sys_semget(Syscall &call) {
    return ipc_get(kKind, call.arg[0], call.arg[1], call.arg[2]);
}

int64_t sys_semop(Syscall &call) {
    return operate(static_cast<int32_t>(call.arg[0]), call.arg[1],
                   static_cast<uint32_t>(call.arg[2]), BSC_WAIT_FOREVER);
}

// The timeout is read first (EFAULT before anything else, as Linux reads it).
int64_t sys_semtimedop(Syscall &call) {
    int64_t timeout_ns = BSC_WAIT_FOREVER;
    if (call.arg[3]) {
        Timespec ts;
        if (!get_user(call.arg[3], ts))
            return -EFAULT;
        bool valid = ts.sec >= 0 && ts.nsec >= 0 && ts.nsec < kNanosPerSecond;
        if (!valid)
            timeout_ns = -2; // refused by the host after the operations are checked
        else
            timeout_ns = ts.sec >= kLongest / kNanosPerSecond
                             ? kLongest // saturated: for ever, in practice
                             : ts.sec * kNanosPerSecond + ts.nsec;
    }
    return operate(static_cast<int32_t>(call.arg[0]), call.arg[1],
                   static_cast<uint32_t>(call.arg[2]), timeout_ns);
}

int64_t sys_semctl(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    auto number = static_cast<int32_t>(call.arg[1]);
    auto command = static_cast<int32_t>(call.arg[2]);
    uint64_t argument = call.arg[3]; // union semun, by value
    if (id < 0)
        return -EINVAL;
    switch (command) {
    case kIpcInfo:
    case kSemInfo:
        return ipc_info<SemInfo>(kKind, id, command == kIpcInfo ? BSC_IPC_LIMITS : BSC_IPC_USAGE,
                                 argument, [](SemInfo &info, const uint64_t *v) {
                                     auto n = [v](int i) { return static_cast<int32_t>(v[i]); };
                                     info = {n(0), n(1), n(2), n(3), n(4),
                                             n(5), n(6), n(7), n(8), n(9)};
                                 });
    case kIpcStat: return stat(id, BSC_IPC_STAT, argument);
    case kSemStat: return stat(id, BSC_IPC_STAT_INDEX, argument);
    case kSemStatAny: return stat(id, BSC_IPC_STAT_INDEX_ANY, argument);
    case kGetVal: return semaphore_number(id, number, BSC_IPC_SEM_VALUE);
    case kGetPid: return semaphore_number(id, number, BSC_IPC_SEM_PROCESS);
    case kGetNcnt: return semaphore_number(id, number, BSC_IPC_SEM_WAITING);
    case kGetZcnt: return semaphore_number(id, number, BSC_IPC_SEM_WAITING_ZERO);
    case kGetAll: return all_values(id, argument, false);
    case kSetAll: return all_values(id, argument, true);
    case kSetVal: {
        int64_t value = static_cast<int32_t>(argument); // semun's int
        return result_of(ipc_control(kKind, id, BSC_IPC_SEM_SET_VALUE, value,
                                     static_cast<uint32_t>(number)));
    }
    case kIpcSet:
        return ipc_set<SemidDs>(kKind, id, argument, [](bsc_ipc_status &, const SemidDs &) {});
    case kIpcRemove: return result_of(abi().ipc_control(kKind, id, BSC_IPC_REMOVE, 0, nullptr, 0));
    default: return -EINVAL;
    }
}

} // namespace libos
