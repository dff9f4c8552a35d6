// SPDX-License-Identifier: MIT
// System V shared memory: shmget, shmat, shmdt, shmctl. The segments are the host's
// (ipc_get, ipc_control); an attachment is guest memory the host maps
// (ipc_shared_memory_attach) and the program's memory map records, so that munmap,
// mprotect, fork, exec and /proc/self/maps know it; shmdt and munmap give it back.
#include "memory.h"
#include "memory_map.h"
#include "syscall_sites.h"
#include "syscalls.h"
#include "sysv_ipc.h"

namespace libos {
namespace {

constexpr uint32_t kKind = BSC_IPC_SHARED_MEMORY;
constexpr uint64_t kTaskSize = 0x7ffffffff000; // the end of the user address space
constexpr int32_t kShmLock = 11, kShmUnlock = 12, kShmStat = 13, kShmInfo = 14,
                  kShmStatAny = 15;
constexpr uint32_t kReadOnly = BSC_ATTACH_READ_ONLY, kExec = BSC_ATTACH_EXEC;
constexpr uint32_t kProtRead = 1, kProtWrite = 2, kProtExec = 4; // PROT_*

// Linux's struct shmid64_ds, shminfo64 and shm_info (x86-64).
struct ShmidDs {
    LinuxIpcPerm perm;
    uint64_t segsz;
    int64_t atime, dtime, ctime;
    int32_t cpid, lpid;
    uint64_t nattch, unused[2];
};
struct ShmInfo64 {
    uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};
struct ShmInfo {
    int32_t used_ids;
    uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
static_assert(sizeof(ShmidDs) == 112 && sizeof(ShmInfo64) == 72 && sizeof(ShmInfo) == 48);

// Whether `piece` (of the map) is of an attachment made at `base`: the kernel's test in
// shmdt, that the piece lies where the attachment put that part of the segment.
bool attached_at(const Region &piece, uint64_t base) {
    return piece.file && piece.file->segment_size && piece.start - base == piece.offset;
}

void give_back(uint64_t start, uint64_t end) { abi().vm_free(start, end - start); }

int64_t stat(int32_t id, uint32_t command, uint64_t address) {
    return ipc_stat<ShmidDs>(kKind, id, command, address,
                             [](ShmidDs &out, const bsc_ipc_status &s) {
                                 out.segsz = s.size;
                                 out.atime = s.last_time[0];
                                 out.dtime = s.last_time[1];
                                 out.ctime = s.change_time;
                                 out.cpid = guest_pid(s.process[0]);
                                 out.lpid = guest_pid(s.process[1]);
                                 out.nattch = s.count;
                             });
}

} // namespace

int64_t sys_shmget(Syscall &call) {
    return ipc_get(kKind, call.arg[0], call.arg[1], call.arg[2]);
}

int64_t sys_shmat(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    auto flags = static_cast<uint32_t>(call.arg[2]);
    uint64_t at = call.arg[1], size = 0;
    uint32_t wanted = flags & (BSC_ATTACH_READ_ONLY | BSC_ATTACH_ROUND | BSC_ATTACH_REPLACE |
                               BSC_ATTACH_EXEC);
    if (bsc_status status = abi().ipc_shared_memory_attach(id, &at, &size, wanted))
        return result_of(status);
    bsc_ipc_status state{}; // the key, for the name /proc/self/maps shows
    ipc_control(kKind, id, BSC_IPC_STAT, state);
    uint32_t prot = kProtRead | (flags & kReadOnly ? 0 : kProtWrite) | (flags & kExec ? kProtExec : 0);
    Region region{at, at + size, 0, mapped_segment(id, state.key, size), prot, true,
                  RegionName::none};
    region.may_write = !(flags & kReadOnly);
    forget_sites(at, at + size); // whatever was mapped there is gone
    map_add(region);
    mapped_file_release(region.file); // the map holds its own reference
    return static_cast<int64_t>(at);
}

// As Linux's shmdt: the first attachment found from `address` on that was made there, and
// then every piece of it (mprotect and munmap may have cut it) within its size.
int64_t sys_shmdt(Syscall &call) {
    uint64_t base = call.arg[0];
    if (base % kPage)
        return -EINVAL;
    Region piece;
    const MappedFile *attachment = nullptr;
    for (uint64_t at = base; !attachment && map_next(at, kTaskSize, piece); at = piece.end)
        if (attached_at(piece, base))
            attachment = piece.file;
    if (!attachment)
        return -EINVAL;
    uint64_t end = base + page_up(attachment->segment_size);
    for (uint64_t at = base; map_next(at, end, piece); at = piece.end) {
        Region whole;
        if (!map_find(piece.start, whole) || whole.end > end || whole.file != attachment ||
            !attached_at(whole, base))
            continue;
        forget_sites(whole.start, whole.end);
        map_remove(whole.start, whole.end, give_back);
    }
    return 0;
}

int64_t sys_shmctl(Syscall &call) {
    auto id = static_cast<int32_t>(call.arg[0]);
    auto command = static_cast<int32_t>(call.arg[1]);
    uint64_t address = call.arg[2];
    if (command < 0 || id < 0)
        return -EINVAL;
    switch (command) {
    case kIpcInfo:
        return ipc_info<ShmInfo64>(kKind, id, BSC_IPC_LIMITS, address,
                                   [](ShmInfo64 &info, const uint64_t *v) {
                                       info = {v[0], v[1], v[2], v[3], v[4], {0, 0, 0, 0}};
                                   });
    case kShmInfo:
        return ipc_info<ShmInfo>(kKind, id, BSC_IPC_USAGE, address,
                                 [](ShmInfo &info, const uint64_t *v) {
                                     info = {static_cast<int32_t>(v[0]), v[1], v[2], v[3], v[4],
                                             v[5]};
                                 });
    case kIpcStat: return stat(id, BSC_IPC_STAT, address);
    case kShmStat: return stat(id, BSC_IPC_STAT_INDEX, address);
    case kShmStatAny: return stat(id, BSC_IPC_STAT_INDEX_ANY, address);
    case kIpcSet:
        return ipc_set<ShmidDs>(kKind, id, address, [](bsc_ipc_status &, const ShmidDs &) {});
    case kIpcRemove: return result_of(abi().ipc_control(kKind, id, BSC_IPC_REMOVE, 0, nullptr, 0));
    case kShmLock:
    case kShmUnlock:
        return result_of(abi().ipc_control(kKind, id, command == kShmLock ? BSC_IPC_LOCK
                                                                          : BSC_IPC_UNLOCK,
                                           0, nullptr, 0));
    default: return -EINVAL;
    }
}

} // namespace libos
