// SPDX-License-Identifier: MIT
// System V message queues: msgget, msgsnd, msgrcv, msgctl. The queues are the host's
// (ipc_get, ipc_control, ipc_message_send, ipc_message_receive): its kernel queues, waits
// and checks permissions with the thread's ids. A message is Linux's struct msgbuf, a long
// type and the text, which the ABI passes whole.
#include "syscalls.h"
#include "sysv_ipc.h"

namespace libos {
namespace {

constexpr uint32_t kKind = BSC_IPC_MESSAGES;
constexpr int32_t kMsgStat = 11, kMsgInfo = 12, kMsgStatAny = 13;
constexpr uint64_t kTypeSize = sizeof(int64_t); // the message's type, before its text
// A longer text than this may be over the host's msgmax (EINVAL): then the limit is asked
// for, so that the host never reads a message longer than it allows.
constexpr uint64_t kShortText = 8192; // Linux's default MSGMAX
constexpr uint32_t kMsgmaxIndex = 2;  // msginfo's msgmax

// Linux's struct msqid64_ds and msginfo (x86-64).
struct MsqidDs {
    LinuxIpcPerm perm;
    int64_t stime, rtime, ctime;
    uint64_t cbytes, qnum, qbytes;
    int32_t lspid, lrpid;
    uint64_t unused[2];
};
struct MsgInfo {
    int32_t msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
    uint16_t msgseg;
};
static_assert(sizeof(MsqidDs) == 120 && sizeof(MsgInfo) == 32);

int64_t stat(int32_t id, uint32_t command, uint64_t address) {
    return ipc_stat<MsqidDs>(kKind, id, command, address,
                             [](MsqidDs &out, const bsc_ipc_status &s) {
                                 out.stime = s.last_time[0];
                                 out.rtime = s.last_time[1];
                                 out.ctime = s.change_time;
                                 out.cbytes = s.bytes;
                                 out.qnum = s.count;
                                 out.qbytes = s.size;
                                 out.lspid = guest_pid(s.process[0]);
                                 out.lrpid = guest_pid(s.process[1]);
                             });
}

} // namespace

int64_t sys_msgget(Syscall &call) { return ipc_get(kKind, call.arg[0], 0, call.arg[1]); }

// Linux reads the type first (EFAULT), then refuses a bad id, a size over msgmax or a
// type below 1 (EINVAL), then reads the text.
int64_t sys_msgsnd(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    uint64_t message = call.arg[1], text = call.arg[2];
    auto flags = static_cast<uint32_t>(call.arg[3]);
    int64_t type;
    if (!get_user(message, type))
        return -EFAULT;
    if (id < 0 || static_cast<int64_t>(text) < 0 ||
        (text > kShortText && text > ipc_limit(kKind, kMsgmaxIndex, kShortText)))
        return -EINVAL;
    return result_of(ipc_wait([&] {
        return abi().ipc_message_send(id, reinterpret_cast<const void *>(message),
                                      text + kTypeSize, flags);
    }));
}

int64_t sys_msgrcv(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    uint64_t message = call.arg[1], text = call.arg[2];
    auto type = static_cast<int64_t>(call.arg[3]);
    auto flags = static_cast<uint32_t>(call.arg[4]);
    if (id < 0 || static_cast<int64_t>(text) < 0)
        return -EINVAL;
    uint64_t length = 0;
    bsc_status status = ipc_wait([&] {
        return abi().ipc_message_receive(id, reinterpret_cast<void *>(message), text + kTypeSize,
                                         type, flags, &length);
    });
    if (status == BSC_E_NOT_SUPPORTED) { // MSG_COPY, on a host built without it
        report_unsupported("msgrcv", "MSG_COPY on a host kernel without CONFIG_CHECKPOINT_RESTORE");
        return -ENOSYS;
    }
    return status == BSC_OK ? static_cast<int64_t>(length - kTypeSize) : result_of(status);
}

int64_t sys_msgctl(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    auto command = static_cast<int32_t>(call.arg[1]);
    uint64_t address = call.arg[2];
    if (id < 0 || command < 0)
        return -EINVAL;
    switch (command) {
    case kIpcInfo:
    case kMsgInfo:
        return ipc_info<MsgInfo>(kKind, id, command == kIpcInfo ? BSC_IPC_LIMITS : BSC_IPC_USAGE,
                                 address, [](MsgInfo &info, const uint64_t *v) {
                                     auto n = [v](int i) { return static_cast<int32_t>(v[i]); };
                                     info = {n(0), n(1), n(2), n(3), n(4), n(5), n(6),
                                             static_cast<uint16_t>(v[7])};
                                 });
    case kIpcStat: return stat(id, BSC_IPC_STAT, address);
    case kMsgStat: return stat(id, BSC_IPC_STAT_INDEX, address);
    case kMsgStatAny: return stat(id, BSC_IPC_STAT_INDEX_ANY, address);
    case kIpcSet:
        return ipc_set<MsqidDs>(kKind, id, address, [](bsc_ipc_status &status, const MsqidDs &in) {
            status.size = in.qbytes;
        });
    case kIpcRemove: return result_of(abi().ipc_control(kKind, id, BSC_IPC_REMOVE, 0, nullptr, 0));
    default: return -EINVAL;
    }
}

} // namespace libos
